/**
 * n8n in queue mode with binaries in Postgres (`database`, n8n 2.x's queue-mode default): main takes
 * the webhooks, two workers run the executions, each process with its own user folder, so a file can
 * only travel from main to a worker, or from a worker back to main, through the database.
 *
 * Workers run one job at a time (`--concurrency=1`): two executions started together must then go
 * to different workers, which makes "both workers took part" a certainty rather than luck.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

import { OctopusSimulator } from '../simulator';
import { simCredential } from '../e2e/expect';
import { sha256, testMp4 } from '../e2e/media';
import type { QueueCluster } from './cluster';
import { describeQueue, sleep, startCluster, until } from './suite';
import { BATCH, CHAIN, ENDLESS, GET_STATUS, RECOVERABLE } from './workflows';

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** Every file under `dir`, recursively; [] when it does not exist. */
function filesUnder(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => join(entry.parentPath, entry.name));
}

describeQueue('queue mode: main + 2 workers, Postgres, Redis, binaries in the database', () => {
	let sim: OctopusSimulator;
	let cluster: QueueCluster;

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 1500 });
		cluster = await startCluster({
			binaryMode: 'database',
			credentials: [simCredential(sim)],
			workflows: [
				CHAIN.workflow(),
				BATCH.workflow(),
				ENDLESS.workflow(),
				RECOVERABLE.workflow(),
				GET_STATUS.workflow(),
			],
		});
	}, 240_000);

	afterAll(async () => {
		await cluster?.stop();
		await sim?.stop();
	});

	beforeEach(() => sim.reset());

	const postJson = async (path: string, body: unknown) =>
		await cluster.webhook(path, {
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});

	it('runs file in → Submit → Wait Until Done → file out on a worker, byte for byte, through Postgres', async () => {
		const input = testMp4('queue canonical input', 300 * 1024);

		const answer = await cluster.webhook(CHAIN.path, {
			headers: { 'content-type': 'video/mp4' },
			body: input,
		});
		const output = Buffer.from(await answer.arrayBuffer());
		expect(answer.status).toBe(200);

		// OctopusX received exactly the file main took in, read by a worker from Postgres ...
		const submits = sim.requestsTo('submit');
		expect(submits).toHaveLength(1);
		expect(submits[0].json).toMatchObject({
			video: { dataUri: true, mime: 'video/mp4', bytes: input.length, sha256: sha256(input) },
		});
		const [task] = [...sim.tasks.values()];
		// ... and the answer main sent back is exactly the video OctopusX served, stored by the worker.
		expect(answer.headers.get('content-type')).toBe('video/mp4');
		expect(output.length).toBe(sim.resultFor(task.id).length);
		expect(sha256(output)).toBe(sha256(sim.resultFor(task.id)));

		const [execution] = await cluster.waitForExecutions(CHAIN.id, 1, ['success']);
		expect(cluster.workerOf(execution.id)).toMatch(/^worker-/);
		expect(cluster.main.log()).not.toMatch(/Worker started execution/);
		// Both files sit in Postgres's binary_data, whole, and on nobody's disk.
		for (const file of [input, sim.resultFor(task.id)]) {
			expect(
				cluster.postgres.rows(
					`SELECT "fileSize" FROM binary_data WHERE md5(data) = '${md5(file)}'`,
				),
			).toEqual([[String(file.length)]]);
		}
		for (const instance of [cluster.mainInstance, ...cluster.workers.map((w) => w.instance)]) {
			expect(filesUnder(join(instance.userFolder, '.n8n', 'storage'))).toEqual([]);
		}
	});

	it('spreads 20 items in 4 executions over both workers: one task per item, none lost', async () => {
		const batches = [0, 1, 2, 3].map((e) =>
			[0, 1, 2, 3, 4].map((i) => ({
				url: `https://videos.example.com/queue-${e}-${i}.mp4`,
				prompt: `Batch ${e}, clip ${i}: make it snow`,
			})),
		);

		const answers = await Promise.all(
			batches.map(async (videos) => await postJson(BATCH.path, { videos })),
		);

		for (const [e, answer] of answers.entries()) {
			expect(answer.status).toBe(200);
			const items = (await answer.json()) as Array<{ id: string; status: string }>;
			expect(items).toHaveLength(5);
			items.forEach((item, i) => {
				// Item i of execution e is the task made from entry i of that execution's request.
				expect(item.status).toBe('completed');
				expect(sim.tasks.get(item.id)?.prompt).toBe(batches[e][i].prompt);
			});
		}
		const submitted = sim.requestsTo('submit').map((r) => (r.json as { video: string }).video);
		expect(submitted.sort()).toEqual(
			batches
				.flat()
				.map((v) => v.url)
				.sort(),
		);
		expect(sim.tasks.size).toBe(20);

		const executions = await cluster.waitForExecutions(BATCH.id, 4, ['success']);
		const ranOn = executions.map((execution) => cluster.workerOf(execution.id));
		expect(new Set(ranOn)).toEqual(new Set(['worker-1', 'worker-2']));
	});

	it('two executions on two workers share a key limited to 2 tasks: both finish every item, one task each', async () => {
		sim.setOptions({ maxConcurrentTasks: 2 });
		try {
			const batches = [0, 1].map((e) =>
				[0, 1, 2, 3].map((i) => ({
					url: `https://videos.example.com/limit-${e}-${i}.mp4`,
					prompt: `Shared key ${e}, clip ${i}: make it rain`,
				})),
			);
			const answers = await Promise.all(
				batches.map(async (videos) => await postJson(BATCH.path, { videos })),
			);

			for (const [e, answer] of answers.entries()) {
				expect(answer.status).toBe(200);
				const items = (await answer.json()) as Array<{ id: string; status: string }>;
				expect(items).toHaveLength(4);
				items.forEach((item, i) => {
					expect(item.status).toBe('completed');
					expect(sim.tasks.get(item.id)?.prompt).toBe(batches[e][i].prompt);
				});
			}
			// Each execution met the other's tasks on the key (refusals), and neither paid twice.
			const submits = sim.requestsTo('submit');
			expect(submits.filter((r) => r.status === 429).length).toBeGreaterThan(0);
			expect(submits.filter((r) => r.status === 200)).toHaveLength(8);
			expect(sim.tasks.size).toBe(8);
			const executions = (await cluster.waitForExecutions(BATCH.id, 2, ['success'])).slice(-2);
			expect(new Set(executions.map((e) => cluster.workerOf(e.id)))).toEqual(
				new Set(['worker-1', 'worker-2']),
			);
		} finally {
			sim.setOptions({ maxConcurrentTasks: undefined });
		}
	});

	// n8n-core also aborts every later request of the node with the execution's cancel signal, so
	// "no more polling" holds for any node; that the node itself returns at once is guarded by the
	// engine tests (test/engine/faults/cancel.test.ts).
	it('Stop on main ends the wait on a worker: no more polling, canceled, the worker goes on', async () => {
		expect((await postJson(ENDLESS.path, { prompt: 'Stop me' })).status).toBe(200);
		const taskPolls = () => sim.requestsTo('status');
		await until(() => taskPolls().length >= 2, 'the worker to poll the task twice');
		const [execution] = cluster.executions(ENDLESS.id).filter((e) => e.status === 'running');
		const worker = cluster.workerOf(execution.id);
		expect(worker).toMatch(/^worker-/);

		const stop = await cluster.main.request('POST', `/rest/executions/${execution.id}/stop`);
		const stoppedAt = Date.now();
		expect(stop.status).toBe(200);

		await sleep(1500);
		const pollsAfter = taskPolls().length;
		// Longer than two poll intervals (1 s): a node still waiting would have asked again by now.
		await sleep(2500);
		expect(taskPolls()).toHaveLength(pollsAfter);
		expect(taskPolls().filter((r) => r.at > stoppedAt + 1500)).toEqual([]);
		expect(sim.requestsTo('submit')).toHaveLength(1);
		expect(cluster.executions(ENDLESS.id).find((e) => e.id === execution.id)?.status).toBe(
			'canceled',
		);

		// Two executions at once need both workers' single slot: the stopped job freed its own.
		const videos = [{ url: 'https://videos.example.com/after-stop.mp4', prompt: 'After the stop' }];
		const next = await Promise.all([
			postJson(BATCH.path, { videos }),
			postJson(BATCH.path, { videos }),
		]);
		expect(next.map((answer) => answer.status)).toEqual([200, 200]);
		const after = (await cluster.waitForExecutions(BATCH.id, 6, ['success'])).slice(-2);
		expect(after.map((e) => cluster.workerOf(e.id))).toContain(worker);
	});

	// docs/finding-tasks.md, "A worker died during Wait Until Done", step by step.
	it("a worker killed mid-wait: the execution fails as stalled and loses its task ids; the worker's log has them, and Get Status gets every video without a second submit", async () => {
		const videos = [1, 2, 3].map((i) => ({
			url: `https://videos.example.com/recover-${i}.mp4`,
			prompt: `Recover me ${i} [sim:seconds=12]`,
		}));
		expect((await postJson(RECOVERABLE.path, { videos })).status).toBe(200);
		await until(
			() => new Set(sim.requestsTo('status').map((r) => r.path)).size >= 3,
			'the worker to poll all three tasks',
		);
		const execution = cluster.executions(RECOVERABLE.id).find((e) => e.status === 'running');
		expect(execution).toBeDefined();
		const victim = cluster.workers.find((w) => w.name === cluster.workerOf(execution!.id));
		const survivor = cluster.workers.find((w) => w !== victim);
		const paid = [...sim.tasks.keys()];
		expect(paid).toHaveLength(3);
		// While it runs, "Save execution progress" has Submit's output, the paid tasks' ids, in Postgres.
		expect((await cluster.savedExecution(execution!.id)).strings).toEqual(
			expect.arrayContaining(paid),
		);

		victim!.process.kill('SIGKILL');
		await victim!.process.exited();
		// A request cut off by the kill is recorded when the simulator sees its socket close.
		await sleep(500);
		const pollsAtKill = sim.requestsTo('status').length;

		// The job's lock runs out, the other worker's stalled-job check finds it, and with n8n's
		// maxStalledCount of 0 Bull fails it instead of handing it on; main records the failure.
		const [failed] = await cluster.waitForExecutions(
			RECOVERABLE.id,
			1,
			['canceled', 'error', 'crashed', 'success'],
			120_000,
		);
		expect(failed.status).toBe('error');
		// Main saves the failure first and logs it after: wait for the line.
		const stalled = `job stalled more than maxStalledCount (execution ${failed.id})`;
		await until(
			() => cluster.main.log().includes(stalled),
			"main's log of the stalled job",
			30_000,
		);
		// Nobody ran it again: no second submit, no more polling, and the survivor never started it.
		expect(sim.requestsTo('submit')).toHaveLength(3);
		expect(sim.requestsTo('status')).toHaveLength(pollsAtKill);
		expect(survivor?.process.log()).not.toMatch(
			new RegExp(`Worker started execution ${failed.id} \\(`),
		);
		// Main then replaces the saved run with one that holds only the error: n8n no longer knows
		// the task ids, not even as custom data.
		const saved = await cluster.savedExecution(failed.id);
		expect(saved.status).toBe('error');
		expect(saved.strings.join('\n')).toContain('failed to be processed too many times');
		for (const id of paid) expect(saved.strings.join('\n')).not.toContain(id);
		const details = await cluster.main.request('GET', `/rest/executions/${failed.id}`);
		expect((details.body as { data: { customData?: object } }).data.customData ?? {}).toEqual({});

		// Step 2: the dead worker's log, at n8n's default level, names every task the execution
		// submitted: grep "execution=<id> " for the "submitted" lines, read "task=".
		const submittedLines = victim!.process
			.log()
			.split('\n')
			.filter((line) => line.includes(` execution=${failed.id} `) && line.includes(' submitted ('));
		const fromLog = submittedLines.map((line) => /task=(\S+)$/.exec(line)?.[1]);
		expect([...fromLog].sort()).toEqual([...paid].sort());
		expect(survivor?.process.log()).not.toContain(` execution=${failed.id} `);

		// Step 3: Get Status with Download Video on, once per id: every video, nothing submitted again.
		for (const id of fromLog as string[]) {
			const answer = await postJson(GET_STATUS.path, { task_id: id });
			expect(answer.status).toBe(200);
			const video = Buffer.from(await answer.arrayBuffer());
			expect(sha256(video)).toBe(sha256(sim.resultFor(id)));
		}
		expect(sim.requestsTo('submit')).toHaveLength(3);
		const prompts = sim.requestsTo('submit').map((r) => (r.json as { prompt: string }).prompt);
		expect(prompts.sort()).toEqual(videos.map((v) => v.prompt).sort());
	});
});
