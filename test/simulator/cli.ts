/**
 * Runs the simulator on its own, for `npm run dev` and the e2e suite:
 *   npx tsx test/simulator/cli.ts [--port 8787] [--cdn-port 8788] [--api-key KEY] [--task-seconds 6]
 *     [--throttle-bytes-per-sec N] [--result-bytes N] [--max-concurrent-tasks N] [--host H] [--cdn-host H]
 * Prints one JSON line {baseUrl, cdnBaseUrl, apiKey} on stdout, then one line per request on stderr.
 */
import { OctopusSimulator, type SimulatorOptions } from './index';

function parseArgs(argv: string[]): SimulatorOptions {
	const options: SimulatorOptions = {};
	const num = (flag: string, v: string | undefined): number => {
		const n = Number(v);
		if (v === undefined || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
		return n;
	};
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = argv[i + 1];
		i++;
		switch (flag) {
			case '--host':
				options.host = value;
				break;
			case '--port':
				options.port = num(flag, value);
				break;
			case '--cdn-host':
				options.cdnHost = value;
				break;
			case '--cdn-port':
				options.cdnPort = num(flag, value);
				break;
			case '--api-key':
				options.apiKey = value;
				break;
			case '--task-seconds':
				options.taskDurationMs = num(flag, value) * 1000;
				break;
			case '--throttle-bytes-per-sec':
				options.throttleBytesPerSec = num(flag, value);
				break;
			case '--result-bytes':
				options.resultBytes = num(flag, value);
				break;
			case '--max-concurrent-tasks':
				options.maxConcurrentTasks = num(flag, value);
				break;
			default:
				throw new Error(`Unknown option ${flag}`);
		}
	}
	return options;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const sim = await OctopusSimulator.start({
		...options,
		log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
	});
	process.stdout.write(
		`${JSON.stringify({ baseUrl: sim.baseUrl, cdnBaseUrl: sim.cdnBaseUrl, apiKey: sim.apiKey })}\n`,
	);
	const shutdown = (): void => {
		void sim.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
	process.stderr.write(`octopusx simulator: ${err instanceof Error ? err.message : String(err)}\n`);
	process.exit(1);
});
