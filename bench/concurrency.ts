/**
 * `npm run bench:concurrency`: a batch larger than the key's limit of tasks at once. 12 clips, a
 * simulator that runs at most 3 tasks per key, each task TASK_MS long: the end-to-end time against the
 * floor (ceil(12 / 3) × the task time), the tasks created, the refusals received and the items that
 * failed, for the node (Submit → Wait Until Done, one-node Submit with Wait for Completion, and the
 * same with Max Tasks at Once = 3) and the naive baseline (bench/naive/) in the same run. Every run
 * goes through n8n-core's engine; the simulator runs in this process. Writes
 * bench/results/concurrency-latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { OctopusSimulator } from '../test/simulator';
import { runOctopusX, type RunResult } from '../test/engine/harness';
import { referenceItems } from './engineRun';
import { describeMachine } from './machine';
import { mp4Bytes } from './media';
import { renderTable, type Row } from './table';

const CLIPS = 12;
const LIMIT = 3;
// Not a multiple of the poll interval (1 s): a task ends anywhere between two looks, as real ones do.
const TASK_MS = 4500;
const FLOOR_MS = Math.ceil(CLIPS / LIMIT) * TASK_MS;
const GOAL = 1.15;
const PROMPT = '={{ "clip " + $json.n + ": keep the camera path, make it snow" }}';
const NAIVE = {
	packageDir: join(__dirname, 'naive'),
	nodeType: 'n8n-nodes-octopusx-naive.octopusXNaive',
};

interface Figures {
	ms: number;
	tasks: number;
	refusals: number;
	delivered: number;
	failed: number;
}

type Way = { label: string; run: (sim: OctopusSimulator) => Promise<RunResult> };

const credentials = (sim: OctopusSimulator) => ({ apiKey: sim.apiKey, baseUrl: sim.baseUrl });
const items = () => referenceItems(mp4Bytes(64 * 1024), CLIPS);

const submit = (options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	operation: 'submit',
	prompt: PROMPT,
	...extra,
	options: { pollInterval: 1, ...options },
});
const wait: INodeParameters = {
	operation: 'waitUntilDone',
	options: { pollInterval: 1, timeout: 300 },
};

const WAYS: Way[] = [
	{
		label: 'node: Submit → Wait Until Done',
		run: async (sim) =>
			await runOctopusX({
				credentials: credentials(sim),
				items: items(),
				parameters: submit(),
				chain: [{ parameters: wait, onError: 'continueRegularOutput' }],
				onError: 'continueRegularOutput',
			}),
	},
	{
		label: 'node: Submit with Wait for Completion',
		run: async (sim) =>
			await runOctopusX({
				credentials: credentials(sim),
				items: items(),
				parameters: submit({ timeout: 300 }, { waitForCompletion: true }),
				onError: 'continueRegularOutput',
			}),
	},
	{
		label: `node: Submit (Max Tasks at Once ${LIMIT}) → Wait Until Done`,
		run: async (sim) =>
			await runOctopusX({
				credentials: credentials(sim),
				items: items(),
				parameters: submit({ maxTasksAtOnce: LIMIT }),
				chain: [{ parameters: wait, onError: 'continueRegularOutput' }],
				onError: 'continueRegularOutput',
			}),
	},
	{
		label: 'naive: Submit → Wait Until Done',
		run: async (sim) =>
			await runOctopusX({
				...NAIVE,
				credentials: credentials(sim),
				items: items(),
				parameters: { operation: 'submit', prompt: PROMPT },
				chain: [
					{
						parameters: { operation: 'waitUntilDone', pollInterval: 1, download: true },
						onError: 'continueRegularOutput',
					},
				],
				onError: 'continueRegularOutput',
			}),
	},
	{
		label: 'naive: one-node generate (one item after another)',
		run: async (sim) =>
			await runOctopusX({
				...NAIVE,
				credentials: credentials(sim),
				items: items(),
				parameters: { operation: 'generate', prompt: PROMPT, pollInterval: 1, download: true },
				onError: 'continueRegularOutput',
			}),
	},
];

async function measure(way: Way): Promise<Figures> {
	const sim = await OctopusSimulator.start({
		taskDurationMs: TASK_MS,
		maxConcurrentTasks: LIMIT,
		resultBytes: 256 * 1024,
	});
	try {
		const result = await way.run(sim);
		const out = result.outputs[0] ?? [];
		const delivered = out.filter(
			(item) => !item.json.error && item.json.status === 'completed' && item.binary?.data,
		).length;
		const submits = sim.requestsTo('submit');
		return {
			ms: result.durationMs,
			tasks: sim.tasks.size,
			refusals: submits.filter((r) => r.status === 429).length,
			delivered,
			failed: CLIPS - delivered,
		};
	} finally {
		await sim.stop();
	}
}

async function main(): Promise<void> {
	const machine = describeMachine(process.version);
	console.log(`Machine: ${machine}`);
	// Loads and compiles everything once, so no measured run pays for a cold start.
	const warm = await OctopusSimulator.start({ taskDurationMs: 50 });
	await runOctopusX({
		credentials: credentials(warm),
		items: referenceItems(mp4Bytes(1024), 1),
		parameters: submit({}, { waitForCompletion: true }),
	});
	await warm.stop();

	const figures: Array<[Way, Figures]> = [];
	for (const way of WAYS) {
		const f = await measure(way);
		console.log(`${way.label}: ${JSON.stringify(f)}`);
		figures.push([way, f]);
	}
	const naiveFastest = Math.min(
		...figures
			.filter(([w]) => w.label.startsWith('naive'))
			.map(([, f]) => (f.failed === 0 ? f.ms : Infinity)),
	);
	const rows: Row[] = figures
		.filter(([w]) => w.label.startsWith('node'))
		.map(([way, f]) => {
			const paced = way.label.includes('Max Tasks');
			return {
				target: '6',
				what: `${way.label}: ${CLIPS} clips, limit ${LIMIT}, tasks ${TASK_MS / 1000} s, poll 1 s; time / floor (${FLOOR_MS / 1000} s), tasks, 429s, failed`,
				node: `${(f.ms / 1000).toFixed(1)} s = ${(f.ms / FLOOR_MS).toFixed(2)} × floor; ${f.tasks} tasks, ${f.refusals} × 429, ${f.failed} failed`,
				baseline: '',
				ratio: Number.isFinite(naiveFastest) ? `${(naiveFastest / f.ms).toFixed(1)} × faster` : '',
				goal: `≤ ${GOAL} × floor, ${CLIPS} tasks, 0 failed${paced ? ', 0 × 429' : ''}`,
				met:
					f.ms <= GOAL * FLOOR_MS &&
					f.tasks === CLIPS &&
					f.failed === 0 &&
					(!paced || f.refusals === 0),
			};
		});
	for (const [way, f] of figures.filter(([w]) => w.label.startsWith('naive'))) {
		rows.push({
			target: '6',
			what: way.label,
			node: '',
			baseline: `${(f.ms / 1000).toFixed(1)} s = ${(f.ms / FLOOR_MS).toFixed(2)} × floor; ${f.tasks} tasks, ${f.refusals} × 429, ${f.failed} failed (${f.tasks - f.delivered} paid, not delivered)`,
			ratio: '',
			goal: 'reported',
		});
	}
	const report = `${renderTable(rows)}\n\n- Machine: ${machine}. Ratio: the fastest naive way that delivered every video, over the node's time.\n`;
	console.log(`\n${report}`);
	const dir = join(__dirname, 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'concurrency-latest.md'), report);
	if (rows.some((row) => row.met === false)) process.exitCode = 1;
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.stack : error);
	process.exit(1);
});
