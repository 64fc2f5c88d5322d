/**
 * `npm run dev`: a real n8n editor on http://127.0.0.1:5678 with this package, an owner account, an
 * OctopusX credential and the example workflows, ready to run. Ctrl-C stops everything.
 *
 *   OCTOPUSX_API_KEY=sk-...   use the real API at https://octopusx.ai instead of the simulator
 *   OCTOPUSX_DEV_DIR=path     keep n8n's data (workflows, executions) there between runs
 *   OCTOPUSX_DEV_PORT=5678    editor port
 */
import { startDevEnvironment } from './devEnvironment';

async function main(): Promise<void> {
	const apiKey = process.env.OCTOPUSX_API_KEY?.trim() || undefined;
	const env = await startDevEnvironment({
		apiKey,
		dir: process.env.OCTOPUSX_DEV_DIR || undefined,
		port: Number(process.env.OCTOPUSX_DEV_PORT) || 5678,
	});

	let stopping = false;
	const shutdown = (signal: string): void => {
		if (stopping) return;
		stopping = true;
		process.stdout.write(
			`\n${signal}: stopping n8n${env.simulator ? ' and the simulator' : ''}...\n`,
		);
		env.stop().then(
			() => process.exit(0),
			(err: unknown) => {
				process.stderr.write(`${String(err)}\n`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));

	const lines = [
		'',
		`  n8n with n8n-nodes-octopusx is running: ${env.url}`,
		'',
		`  Log in as   ${env.owner.email}`,
		`  Password    ${env.owner.password}`,
		'',
		`  Credential  "${env.credential.name}" -> ${env.credential.baseUrl}`,
		env.simulator
			? '              (the local OctopusX simulator: tasks take ~8 s, nothing is paid for)'
			: '              (the REAL OctopusX API: every submit is a paid task)',
		`  Files       ${env.filesDir}/octopusx/ (the examples read input.mp4 and write results here)`,
		...(env.simulator
			? []
			: [`              put a real MP4 (at most 15 MiB) there as input.mp4 before running`]),
		'  Workflows',
		...env.workflows.map((w) => `    - ${w.name}   ${env.url}/workflow/${w.id}`),
		'',
		'  Ctrl-C stops everything.',
		'',
	];
	process.stdout.write(`${lines.join('\n')}\n`);

	// n8n ending on its own ends the session too.
	await env.n8n.exited();
	if (!stopping) {
		process.stderr.write(`n8n stopped unexpectedly:\n${env.n8n.log().slice(-3000)}\n`);
		await env.stop();
		process.exit(1);
	}
}

main().catch((err: unknown) => {
	process.stderr.write(`npm run dev failed: ${err instanceof Error ? err.message : String(err)}\n`);
	process.exit(1);
});
