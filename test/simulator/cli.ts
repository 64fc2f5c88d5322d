/**
 * Runs the simulator on its own, for `npm run dev` and the e2e suite:
 *   npx tsx test/simulator/cli.ts [--port 8787] [--cdn-port 8788] [--api-key KEY] [--task-seconds 6]
 *     [--throttle-bytes-per-sec N] ... (see --help)
 * Prints one JSON line {baseUrl, cdnBaseUrl, apiKey} on stdout, then one line per request on stderr.
 */
import { OctopusSimulator, type SimulatorOptions } from './index';

const USAGE = `Usage: npx tsx test/simulator/cli.ts [options]
  --host H                    API host (default 127.0.0.1)
  --port N                    API port (default: any free one)
  --cdn-host H                result-file host (default 127.0.0.2)
  --cdn-port N                result-file port (default: any free one)
  --api-key KEY               (default sk-sim-0123456789abcdef)
  --task-seconds S            time from submit to done (default 1.5)
  --result-bytes N            size of each result MP4 (default 262144)
  --throttle-bytes-per-sec N  per-connection bandwidth, both directions
  --max-concurrent-tasks N    running tasks allowed before a submit answers 429
  --random-fault-rate R       soak mode: fault probability per request (0..1)
  --random-fault-seed N       seed of the random faults (default 1)`;

type Setter = (o: SimulatorOptions, v: string) => void;

function num(flag: string, v: string): number {
	const n = Number(v);
	if (v === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number, got '${v}'`);
	return n;
}

const FLAGS: Record<string, Setter> = {
	'--host': (o, v) => (o.host = v),
	'--port': (o, v) => (o.port = num('--port', v)),
	'--cdn-host': (o, v) => (o.cdnHost = v),
	'--cdn-port': (o, v) => (o.cdnPort = num('--cdn-port', v)),
	'--api-key': (o, v) => (o.apiKey = v),
	'--task-seconds': (o, v) => (o.taskDurationMs = num('--task-seconds', v) * 1000),
	'--result-bytes': (o, v) => (o.resultBytes = num('--result-bytes', v)),
	'--throttle-bytes-per-sec': (o, v) =>
		(o.throttleBytesPerSec = num('--throttle-bytes-per-sec', v)),
	'--max-concurrent-tasks': (o, v) => (o.maxConcurrentTasks = num('--max-concurrent-tasks', v)),
	'--random-fault-rate': (o, v) => {
		o.randomFaults = { seed: 1, ...o.randomFaults, rate: num('--random-fault-rate', v) };
	},
	'--random-fault-seed': (o, v) => {
		o.randomFaults = { rate: 0, ...o.randomFaults, seed: num('--random-fault-seed', v) };
	},
};

function parseArgs(argv: string[]): SimulatorOptions {
	const options: SimulatorOptions = {};
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--help' || argv[i] === '-h') {
			process.stdout.write(`${USAGE}\n`);
			process.exit(0);
		}
		const eq = argv[i].indexOf('=');
		const flag = eq > 0 ? argv[i].slice(0, eq) : argv[i];
		const value = eq > 0 ? argv[i].slice(eq + 1) : argv[++i];
		const set = FLAGS[flag];
		if (!set) throw new Error(`Unknown option ${flag}\n${USAGE}`);
		if (value === undefined) throw new Error(`${flag} needs a value`);
		set(options, value);
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
