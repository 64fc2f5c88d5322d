/**
 * `npm run bench:queue-shared-key`: executions on n8n's queue-mode workers sharing one API key whose
 * limit is 3 tasks at once, against the floor (the fewest rounds of tasks the limit allows: ceil(clips
 * / 3) × the task time). Each execution is a webhook → one item per clip → Submit (URL references,
 * options untouched: the limit unknown) → Wait Until Done; all are started together and the time
 * runs until the last one has answered. Two executions of 4 clips on two workers that run one job at
 * a time (median and worst of 5 runs), and four executions of 3 clips on two workers that run two at
 * a time (3 runs). Needs Postgres and Redis as the queue suite does (Linux, as root). Writes
 * bench/results/queue-shared-key-latest.md.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OctopusSimulator } from '../../test/simulator';
import { simCredential } from '../../test/e2e/expect';
import { packPackage } from '../../test/e2e/package';
import { ensureRuntime } from '../../test/e2e/runtime';
import { QueueCluster } from '../../test/queue/cluster';
import { BATCH } from '../../test/queue/workflows';
import { describeMachine } from '../machine';
import { renderTable, type Row } from '../table';

const LIMIT = 3;
const TASK_MS = Number(process.env.OCTOPUSX_BENCH_TASK_MS ?? 10_000);
const GOAL = { median: 1.08, worst: 1.15 };

interface Case {
	label: string;
	executions: number;
	clipsEach: number;
	concurrency: number;
	runs: number;
	goal: boolean;
}

const CASES: Case[] = [
	{
		label: '2 executions × 4 clips, 2 workers × 1 job',
		executions: 2,
		clipsEach: 4,
		concurrency: 1,
		runs: 5,
		goal: true,
	},
	{
		label: '4 executions × 3 clips, 2 workers × 2 jobs',
		executions: 4,
		clipsEach: 3,
		concurrency: 2,
		runs: 3,
		goal: false,
	},
];

interface Figure {
	ms: number;
	floorMs: number;
	refusals: number;
	tasks: number;
}

async function once(
	cluster: QueueCluster,
	sim: OctopusSimulator,
	c: Case,
	run: number,
): Promise<Figure> {
	sim.reset();
	const batches = Array.from({ length: c.executions }, (_, e) =>
		Array.from({ length: c.clipsEach }, (_, i) => ({
			url: `https://videos.example.com/run-${run}-${e}-${i}.mp4`,
			prompt: `Run ${run}, execution ${e}, clip ${i}: keep the camera path, make it snow`,
		})),
	);
	const started = performance.now();
	const answers = await Promise.all(
		batches.map(async (videos) => {
			const answer = await cluster.webhook(BATCH.path, {
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ videos }),
			});
			const items = (await answer.json()) as Array<{ status?: string }>;
			return { status: answer.status, items };
		}),
	);
	const ms = performance.now() - started;
	const clips = c.executions * c.clipsEach;
	for (const answer of answers) {
		if (answer.status !== 200 || answer.items.some((item) => item.status !== 'completed')) {
			throw new Error(`an execution did not deliver every clip: ${JSON.stringify(answer)}`);
		}
	}
	if (sim.tasks.size !== clips) throw new Error(`${sim.tasks.size} tasks for ${clips} clips`);
	if (process.env.OCTOPUSX_BENCH_TRACE) {
		const t0 = Math.min(...sim.requests.map((r) => r.at));
		const s = (at: number) => ((at - t0) / 1000).toFixed(2);
		for (const r of sim.requestsTo('submit').sort((a, b) => a.at - b.at)) {
			const prompt = String((r.json as { prompt?: string } | undefined)?.prompt ?? '');
			console.log(`  submit ${s(r.at)} ${r.status} ${prompt.slice(5, 28)}`);
		}
		for (const task of [...sim.tasks.values()].sort((a, b) => a.createdAt - b.createdAt)) {
			console.log(`  task ${s(task.createdAt)} → ${s(task.createdAt + task.durationMs)} ${task.prompt.slice(5, 28)}`);
		}
	}
	return {
		ms,
		floorMs: Math.ceil(clips / LIMIT) * TASK_MS,
		refusals: sim.requestsTo('submit').filter((r) => r.status === 429).length,
		tasks: sim.tasks.size,
	};
}

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
	const started = performance.now();
	const scratch = mkdtempSync(join(tmpdir(), 'octopusx-bench-shared-key-'));
	const runtime = await ensureRuntime();
	const machine = describeMachine(process.version);
	console.log(`Machine: ${machine}; n8n ${runtime.n8nVersion} in queue mode`);
	const sim = await OctopusSimulator.start({
		taskDurationMs: TASK_MS,
		maxConcurrentTasks: LIMIT,
		resultBytes: 64 * 1024,
	});
	const cluster = await QueueCluster.start({
		runtime,
		tarball: packPackage(join(scratch, 'pack')),
		parentDir: join(scratch, 'cluster'),
		workers: 2,
		concurrency: 1,
		binaryMode: 'database',
		credentials: [simCredential(sim)],
		workflows: [BATCH.workflow()],
	});
	const rows: Row[] = [];
	try {
		for (const c of CASES) {
			if (c.concurrency !== 1) {
				for (const name of ['worker-1', 'worker-2']) {
					await cluster.stopWorker(name);
					await cluster.startWorker(name, c.concurrency);
				}
			}
			// A first run that is not counted: n8n compiles and caches on its first executions.
			await once(cluster, sim, c, 0);
			const figures: Figure[] = [];
			for (let run = 1; run <= c.runs; run++) {
				const f = await once(cluster, sim, c, run);
				console.log(
					`${c.label}, run ${run}: ${(f.ms / 1000).toFixed(1)} s = ${(f.ms / f.floorMs).toFixed(3)} × floor, ${f.refusals} × 429`,
				);
				figures.push(f);
			}
			const ratios = figures.map((f) => f.ms / f.floorMs);
			const mid = median(ratios);
			const worst = Math.max(...ratios);
			rows.push({
				target: '24',
				what: `${c.label}, one key limited to ${LIMIT} tasks, tasks ${TASK_MS / 1000} s, URL references, limit unknown to the node; time / floor (${figures[0].floorMs / 1000} s), median and worst of ${c.runs} runs; refused submits per run`,
				node: `median ${mid.toFixed(3)} ×, worst ${worst.toFixed(3)} × (${ratios.map((r) => r.toFixed(3)).join(', ')}); 429s: ${figures.map((f) => f.refusals).join(', ')}`,
				baseline: '',
				ratio: '',
				goal: c.goal ? `median ≤ ${GOAL.median} ×, worst ≤ ${GOAL.worst} ×` : 'reported',
				met: c.goal ? mid <= GOAL.median && worst <= GOAL.worst : undefined,
			});
		}
	} finally {
		await cluster.stop();
		await sim.stop();
	}
	const runS = Math.round((performance.now() - started) / 1000);
	const report = `${renderTable(rows)}\n\n- Machine: ${machine}; n8n ${runtime.n8nVersion}, queue mode, Postgres and Redis. The whole run took ${runS} s.\n- Time: from posting every execution's webhook at once to the last answer (each answers when its Wait Until Done is done), so it includes n8n's queue and the result downloads.\n`;
	console.log(`\n${report}`);
	const dir = join(__dirname, '..', 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'queue-shared-key-latest.md'), report);
	if (rows.some((row) => row.met === false)) process.exitCode = 1;
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.stack : error);
	process.exit(1);
});
