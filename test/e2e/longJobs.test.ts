/**
 * Long jobs in a started n8n (`n8n start`, saved executions, run through its REST API as the editor
 * does), all in one instance: the long-job example, whose Wait node n8n offloads to its database and
 * resumes, also across a restart; a Wait Until Done that timed out, retried from the failed node; and
 * n8n killed or stopped during Wait Until Done, its crashed execution retried. None may submit twice.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator, type SimTask } from '../simulator';
import {
	getExecution,
	listStatuses,
	retryExecution,
	runWorkflow,
	waitForStatus,
} from './executions';
import { setParameter, SIM_CREDENTIAL, simCredential } from './expect';
import { sha256, testMp4 } from './media';
import {
	nodeOutput,
	type N8nInstance,
	type RunJson,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';
import { describeE2E, newInstance } from './suite';
import { EXAMPLES_DIR, loadWorkflow } from './workflows';

/** n8n's Wait node keeps shorter waits in the process; this one it must offload. */
const OFFLOADED_WAIT_S = 70;
const FIRST_WAIT_S = 2;
const GRACEFUL_SHUTDOWN_S = 5;

const LONG_JOB = 'octopusxLongJob';
const LONG_JOB_FAILS = 'octopusxLongJobFails';
const LONG_JOB_CAPPED = 'octopusxLongJobCapped';
const TIMES_OUT = 'octopusxVideoToVideo';
const CRASH_SAVED = 'octopusxCrashProgressSaved';
const CRASH_UNSAVED = 'octopusxCrashProgressNotSaved';

const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it gives something other than undefined. */
async function until<T>(
	what: string,
	timeoutMs: number,
	check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
		await sleep(250);
	}
}

/** The output items of `node`'s run `runIndex` on `output`, from a saved execution's data. */
const outputOf = (data: RunJson['data'], node: string, output = 0, runIndex = 0) =>
	nodeOutput({ data }, node, output, runIndex);

describeE2E('long jobs in a started n8n: the Wait loop, retry, crash recovery', () => {
	let sim: OctopusSimulator;
	let n8n: N8nInstance;
	let server: RunningN8n;
	const input = testMp4('long job input', 60 * 1024);

	const variant = (
		file: string,
		id: string,
		tweak: (workflow: WorkflowJson) => void,
	): WorkflowJson => {
		const workflow = loadWorkflow(join(EXAMPLES_DIR, file), {
			credential: SIM_CREDENTIAL,
			filesDir: n8n.filesDir,
		});
		tweak(workflow);
		return { ...workflow, id, name: `${workflow.name} (${id})` };
	};
	const waitFor = (workflow: WorkflowJson, amount: string | number) => {
		setParameter(workflow, 'Wait 3 Minutes', ['amount'], amount);
		setParameter(workflow, 'Wait 3 Minutes', ['unit'], 'seconds');
	};
	const promptOf = (workflow: WorkflowJson, prompt: string) =>
		setParameter(workflow, 'Submit Video Task', ['prompt'], prompt);

	/** The tasks the simulator created since `since` (Date.now()). */
	const tasksSince = (since: number): SimTask[] =>
		[...sim.tasks.values()].filter((t) => t.createdAt >= since);
	const statusRequests = (taskId: string) =>
		sim.requestsTo('status').filter((r) => r.path === `/v1/videos/${taskId}`);
	const submitsSince = (since: number) => sim.requestsTo('submit').filter((r) => r.at >= since);
	const savedVideo = (taskId: string): Buffer =>
		readFileSync(join(n8n.filesDir, 'octopusx', `${taskId}.mp4`));

	beforeAll(async () => {
		// Tasks run until a test lets them finish.
		sim = await OctopusSimulator.start({ taskDurationMs: 60 * 60 * 1000 });
		// n8n waits this long for running executions when stopped (30 s by default, longer than the
		// driver waits before a SIGKILL).
		n8n = newInstance({ N8N_GRACEFUL_SHUTDOWN_TIMEOUT: String(GRACEFUL_SHUTDOWN_S) });
		await n8n.importCredentials([simCredential(sim)]);
		const prompt = 'Keep the motion; make it a rainy night';
		await n8n.importWorkflows([
			variant('long-job-wait-loop.json', LONG_JOB, (w) => {
				// A short first round (kept in the process), then one n8n must offload.
				waitFor(w, `={{ $runIndex === 0 ? ${FIRST_WAIT_S} : ${OFFLOADED_WAIT_S} }}`);
			}),
			variant('long-job-wait-loop.json', LONG_JOB_FAILS, (w) => {
				waitFor(w, 1);
				promptOf(w, `${prompt} [sim:fail] [sim:ms=0]`);
			}),
			variant('long-job-wait-loop.json', LONG_JOB_CAPPED, (w) => {
				waitFor(w, 0);
				promptOf(w, `${prompt} [sim:never]`);
			}),
			variant('video-to-video.json', TIMES_OUT, (w) => {
				setParameter(w, 'Wait Until Done', ['options'], { pollInterval: 1, timeout: 4 });
			}),
			...[CRASH_SAVED, CRASH_UNSAVED].map((id) =>
				variant('video-to-video.json', id, (w) => {
					setParameter(w, 'Wait Until Done', ['options'], { pollInterval: 1, timeout: 600 });
					w.settings = { ...(w.settings as object), saveExecutionProgress: id === CRASH_SAVED };
				}),
			),
		]);
		mkdirSync(join(n8n.filesDir, 'octopusx'), { recursive: true });
		writeFileSync(join(n8n.filesDir, 'octopusx', 'input.mp4'), input);
		server = await n8n.start();
		await server.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.stop();
	});

	/** A deploy or a crash: n8n goes away and comes back on the same user folder and database. */
	const restart = async (how: 'stop' | 'kill'): Promise<void> => {
		await (how === 'kill' ? server.kill() : server.stop());
		server = await n8n.start();
		await server.login();
	};

	it('the long-job example: loops on Still Running, n8n offloads the long wait, survives a restart, resumes, saves the video', async () => {
		const started = Date.now();
		const id = await runWorkflow(server, LONG_JOB, 'Run Now');
		const task = await until('the submit', 30_000, () => tasksSince(started)[0]);
		expect(task.referenceSha256).toBe(sha256(input));

		// Round 0: a short wait; the task is still running, so Still Running leads back to Wait.
		const first = await until('the first status request', 60_000, () => statusRequests(task.id)[0]);
		// Round 1 waits longer than 65 s: n8n writes the execution to its database and lets it go.
		const waiting = await until('the execution offloaded', 60_000, async () => {
			const status = (await listStatuses(server))[id];
			if (['success', 'error', 'crashed'].includes(status)) {
				throw new Error(`execution ${id} ended (${status}) instead of waiting`);
			}
			return status === 'waiting' ? await getExecution(server, id) : undefined;
		});
		expect(Date.parse(waiting.waitTill!) - first.at).toBeGreaterThan(65_000);
		expect(outputOf(waiting.data, 'Get Status', 1, 0).map((i) => i.json.id)).toEqual([task.id]);

		// A deploy during the wait: nothing runs in n8n for this execution, so nothing is lost.
		await restart('stop');
		expect((await getExecution(server, id)).status).toBe('waiting');
		// The video gets ready while nobody is looking.
		task.durationMs = 0;

		const done = await waitForStatus(server, id, ['success', 'error', 'crashed'], 150_000);
		expect(done.status).toBe('success');

		// OctopusX saw one submit, and a status request only after each wait.
		expect(submitsSince(started)).toHaveLength(1);
		const checks = statusRequests(task.id);
		expect(checks).toHaveLength(2);
		const [submit] = submitsSince(started);
		expect(checks[0].at - submit.at).toBeGreaterThanOrEqual(FIRST_WAIT_S * 1000);
		// The Wait node's timer starts after Get Status has answered; 1 s of slack for clocks.
		expect(checks[1].at - checks[0].at).toBeGreaterThanOrEqual((OFFLOADED_WAIT_S - 1) * 1000);
		// And on time, although n8n was restarted during the wait.
		expect(checks[1].at - checks[0].at).toBeLessThan((OFFLOADED_WAIT_S + 10) * 1000);

		// The routes taken: Still Running once (back to Wait), then Completed with the video.
		const { data } = done;
		expect(data.resultData.runData['Wait 3 Minutes']).toHaveLength(2);
		expect(data.resultData.runData['Fewer Than 20 Checks?']).toHaveLength(1);
		const [completed] = outputOf(data, 'Get Status', 0, 1);
		expect(completed.json).toMatchObject({ id: task.id, status: 'completed' });
		expect(completed.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		expect(data.resultData.runData['Task Failed Notice']).toBeUndefined();
		expect(data.resultData.runData['Gave Up Notice']).toBeUndefined();
		expect(sha256(savedVideo(task.id))).toBe(sha256(sim.resultFor(task.id)));
	}, 300_000);

	it('the long-job example: a failed task ends on Failed, a task that never ends stops after 20 checks', async () => {
		const started = Date.now();
		const [failsId, cappedId] = await Promise.all([
			runWorkflow(server, LONG_JOB_FAILS, 'Run Now'),
			runWorkflow(server, LONG_JOB_CAPPED, 'Run Now'),
		]);
		const [fails, capped] = await Promise.all(
			[failsId, cappedId].map(
				async (id) => await waitForStatus(server, id, ['success', 'error'], 120_000),
			),
		);
		const taskOf = (marker: string) => tasksSince(started).find((t) => t.prompt.includes(marker))!;

		expect(fails.status).toBe('success');
		const failed = taskOf('[sim:fail]');
		const [notice] = outputOf(fails.data, 'Task Failed Notice');
		expect(notice.json).toEqual({
			task_id: failed.id,
			text: expect.stringMatching(new RegExp(`^OctopusX task ${failed.id} ended as failed: .+`)),
		});
		expect(fails.data.resultData.runData['Save Video']).toBeUndefined();

		expect(capped.status).toBe('success');
		const never = taskOf('[sim:never]');
		expect(capped.data.resultData.runData['Get Status']).toHaveLength(20);
		expect(statusRequests(never.id)).toHaveLength(20);
		const [gaveUp] = outputOf(capped.data, 'Gave Up Notice');
		expect(gaveUp.json).toMatchObject({ task_id: never.id });
		expect(gaveUp.json.text).toContain('after 20 checks');

		expect(submitsSince(started)).toHaveLength(2);
	});

	it("Wait Until Done timed out; after the task finished, n8n's retry from the failed node gets the video with no second submit", async () => {
		const started = Date.now();
		const id = await runWorkflow(server, TIMES_OUT, 'Run');
		const failed = await waitForStatus(server, id, ['error', 'success'], 60_000);
		expect(failed.status).toBe('error');
		const [task] = tasksSince(started);
		expect(failed.data.resultData.lastNodeExecuted).toBe('Wait Until Done');
		expect(failed.data.resultData.error?.message).toContain(
			`Task ${task.id} is not done after 4 s`,
		);

		task.durationMs = 0;
		// "Retry with currently saved workflow" in the executions list.
		const retry = await retryExecution(server, id, true);

		expect(retry.status).toBe('success');
		expect(submitsSince(started)).toHaveLength(1);
		// The retry began at Wait Until Done, with Submit's saved output.
		expect(outputOf(retry.data, 'Submit Video Task')[0].json.id).toBe(task.id);
		expect(outputOf(retry.data, 'Wait Until Done')[0].json).toMatchObject({
			id: task.id,
			status: 'completed',
		});
		expect(sha256(savedVideo(task.id))).toBe(sha256(sim.resultFor(task.id)));
		expect((await getExecution(server, id)).retrySuccessId).toBe(retry.id);
	});

	it('n8n killed during Wait Until Done: with "Save execution progress" the crashed execution keeps the task id and its retry finishes without a second submit; without it, n8n cannot retry', async () => {
		const started = Date.now();
		const [savedId, unsavedId] = await Promise.all([
			runWorkflow(server, CRASH_SAVED, 'Run'),
			runWorkflow(server, CRASH_UNSAVED, 'Run'),
		]);
		// Both are following their tasks when n8n dies.
		await until('both executions polling', 60_000, () => {
			const tasks = tasksSince(started);
			return tasks.length === 2 && tasks.every((t) => statusRequests(t.id).length >= 2)
				? tasks
				: undefined;
		});
		await restart('kill');

		const statuses = await listStatuses(server);
		expect([statuses[savedId], statuses[unsavedId]]).toEqual(['crashed', 'crashed']);

		// Progress saved: Submit's real output, with the task id, and Wait Until Done next in line.
		const crashed = await getExecution(server, savedId);
		expect(crashed.data.resultData.lastNodeExecuted).toBe('Wait Until Done');
		const [submitted] = outputOf(crashed.data, 'Submit Video Task');
		const taskId = submitted.json.id as string;
		expect(tasksSince(started).map((t) => t.id)).toContain(taskId);
		expect(crashed.data.executionData?.nodeExecutionStack?.map((e) => e.node.name)).toEqual([
			'Wait Until Done',
		]);

		// Not saved: n8n rebuilds the run from its event log, with placeholders for every output.
		const lost = await getExecution(server, unsavedId);
		expect(outputOf(lost.data, 'Submit Video Task')[0].json).toEqual({
			isArtificialRecoveredEventItem: true,
		});
		expect(JSON.stringify(lost.data)).not.toContain(
			tasksSince(started).find((t) => t.id !== taskId)!.id,
		);
		const refused = await server.request('POST', `/rest/executions/${unsavedId}/retry`, {
			loadWorkflow: false,
		});
		expect(refused.status).toBeGreaterThanOrEqual(400);
		expect(refused.text).toContain('aborted before starting, so it cannot be retried');

		for (const task of tasksSince(started)) task.durationMs = 0;
		// "Retry with original workflow".
		const retry = await retryExecution(server, savedId, false);
		expect(retry.status).toBe('success');
		expect(outputOf(retry.data, 'Wait Until Done')[0].json).toMatchObject({
			id: taskId,
			status: 'completed',
		});
		expect(sha256(savedVideo(taskId))).toBe(sha256(sim.resultFor(taskId)));
		expect(submitsSince(started)).toHaveLength(2);
	}, 240_000);

	it('a deploy (n8n stopped) during Wait Until Done: n8n waits, then exits; the execution is crashed and its retry finishes without a second submit', async () => {
		const started = Date.now();
		const id = await runWorkflow(server, CRASH_SAVED, 'Run');
		const task = await until('the execution polling', 60_000, () => {
			const [t] = tasksSince(started);
			return t && statusRequests(t.id).length >= 2 ? t : undefined;
		});
		const stopping = Date.now();
		await restart('stop');

		// n8n did not stop the execution: it kept polling until the shutdown timeout ended the process.
		const polledOn = statusRequests(task.id).filter((r) => r.at > stopping + 1000);
		expect(polledOn.length).toBeGreaterThan(0);
		const crashed = await getExecution(server, id);
		expect(crashed.status).toBe('crashed');
		expect(outputOf(crashed.data, 'Submit Video Task')[0].json.id).toBe(task.id);

		task.durationMs = 0;
		const retry = await retryExecution(server, id, false);
		expect(retry.status).toBe('success');
		expect(sha256(savedVideo(task.id))).toBe(sha256(sim.resultFor(task.id)));
		expect(submitsSince(started)).toHaveLength(1);
	});
});
