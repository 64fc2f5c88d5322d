import type { INodeParameters } from 'n8n-workflow';

import { errorFields, gaps, run, submit, videoItem, withSim } from './faults/support';

/**
 * Submit with "Wait for Completion": one node, a file in, the finished video out. It follows the
 * tasks on Wait Until Done's path, so what holds there (failures named, timeouts that say how to
 * pick the task up, Stop) holds here; and a failure after the submit never submits again.
 */
function submitAndWait(prompt: string, options: INodeParameters = {}, extra: INodeParameters = {}) {
	return submit(prompt, {
		waitForCompletion: true,
		...extra,
		options: { pollInterval: 1, timeout: 20, ...options },
	});
}

describe('Submit with Wait for Completion', () => {
	test.concurrent(
		'one node: the input MP4 in, the generated video out, byte for byte',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submitAndWait('a rainy night'),
					items: [videoItem({ clip: 'a' })],
				});

				expect(result.error).toBeUndefined();
				expect(sim.requestsTo('submit')).toHaveLength(1);
				expect(sim.requestsTo('status').length).toBeGreaterThanOrEqual(1);
				const [[done]] = result.outputs;
				const [task] = sim.tasks.values();
				expect(done.json).toMatchObject({
					id: task.id,
					task_id: task.id,
					status: 'completed',
					video_url: expect.stringContaining(sim.cdnBaseUrl),
				});
				expect(done.binary?.data).toMatchObject({
					mimeType: 'video/mp4',
					fileName: `${task.id}.mp4`,
				});
				expect((await result.binary(done)).equals(sim.resultFor(task.id))).toBe(true);
				expect(done.pairedItem).toEqual({ item: 0 });
			});
		},
	);

	test.concurrent('off by default: Submit outputs the queued task and polls nothing', async () => {
		await withSim(async (sim) => {
			const result = await run(sim, { parameters: submit('a rainy night'), items: [videoItem()] });

			expect(result.error).toBeUndefined();
			expect(sim.requests.map((r) => r.route)).toEqual(['submit']);
			expect(result.outputs[0][0].json.status).toBe('queued');
			expect(result.outputs[0][0].binary).toBeUndefined();
		});
	});

	test.concurrent(
		'several items are followed together; outputs in item order, Download Video off keeps JSON only',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submitAndWait('={{ $json.prompt }}', {}, { download: false }),
					items: [videoItem({ prompt: 'one [sim:ms=1500]' }), videoItem({ prompt: 'two' })],
				});

				expect(result.error).toBeUndefined();
				expect(sim.requestsTo('submit')).toHaveLength(2);
				expect(sim.requestsTo('cdn')).toHaveLength(0);
				const byPrompt = new Map([...sim.tasks.values()].map((t) => [t.prompt, t.id]));
				const [items] = result.outputs;
				expect(items.map((item) => item.json.id)).toEqual([
					byPrompt.get('one [sim:ms=1500]'),
					byPrompt.get('two'),
				]);
				expect(items.map((item) => item.json.status)).toEqual(['completed', 'completed']);
				expect(items.map((item) => item.binary)).toEqual([undefined, undefined]);
				expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			});
		},
	);

	test.concurrent(
		'a failed task is an error that names it, on the error output with its task id; one submit',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submitAndWait('a rainy night [sim:fail]'),
					items: [videoItem()],
					onError: 'continueErrorOutput',
				});

				expect(sim.requestsTo('submit')).toHaveLength(1);
				const [task] = sim.tasks.values();
				const [ok, failed] = result.outputs;
				expect(ok).toHaveLength(0);
				expect(failed).toHaveLength(1);
				expect(errorFields(failed[0])).toMatchObject({
					error: expect.stringContaining(`Task ${task.id} failed`),
					task_id: task.id,
					code: 'generation_failed',
				});
			});
		},
	);

	test.concurrent(
		'a timeout names the task and says how to pick it up with Get Status; one submit',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submitAndWait('a rainy night [sim:never]', { timeout: 2 }),
					items: [videoItem()],
				});

				expect(result.status).toBe('error');
				expect(sim.requestsTo('submit')).toHaveLength(1);
				const [task] = sim.tasks.values();
				expect(result.error?.message).toMatch(
					new RegExp(`^Task ${task.id} is not done after 2 s \\(last status 'in_progress'`),
				);
				expect(result.error?.description).toContain(
					`Pick it up later with the Get Status operation and task ID ${task.id}`,
				);
				expect(result.error?.context?.taskId).toBe(task.id);
			});
		},
	);

	test.concurrent(
		'status checks and the download failing for a while: waited out, never a second submit',
		async () => {
			await withSim(async (sim) => {
				sim.inject('status', { kind: 'status', status: 503 }, 2);
				sim.inject('status', { kind: 'reset' }, 1);
				sim.inject('cdn', { kind: 'status', status: 500 }, 1);
				const result = await run(sim, {
					parameters: submitAndWait('a rainy night'),
					items: [videoItem()],
				});

				expect(result.error).toBeUndefined();
				expect(sim.requestsTo('submit')).toHaveLength(1);
				expect(sim.tasks.size).toBe(1);
				expect(sim.requests.filter((r) => r.faulted).length).toBe(4);
				const [task] = sim.tasks.values();
				expect((await result.binary(result.outputs[0][0])).equals(sim.resultFor(task.id))).toBe(
					true,
				);
			});
		},
	);

	test.concurrent(
		'a status check refused for good (404): the error names the task, and nothing is sent again',
		async () => {
			await withSim(async (sim) => {
				sim.inject('status', { kind: 'status', status: 404 }, 1);
				const result = await run(sim, {
					parameters: submitAndWait('a rainy night'),
					items: [videoItem()],
				});

				expect(result.status).toBe('error');
				const [task] = sim.tasks.values();
				expect(result.error?.context?.taskId).toBe(task.id);
				expect(`${result.error?.message} ${result.error?.description}`).toContain(task.id);
				expect(sim.requests.map((r) => r.route)).toEqual(['submit', 'status']);
			});
		},
	);

	test.concurrent(
		'Stop while waiting: returns at once, sends nothing more, no second submit',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submitAndWait('a rainy night [sim:never]', { pollInterval: 5, timeout: 60 }),
					items: [videoItem()],
					cancelAfterMs: 1500,
				});
				const seenAtReturn = sim.requests.length;
				await new Promise((resolve) => setTimeout(resolve, 1200));

				expect(result.status).toBe('canceled');
				expect(result.durationMs).toBeLessThan(2500);
				expect(sim.requests.length).toBe(seenAtReturn);
				expect(sim.requestsTo('submit')).toHaveLength(1);
			});
		},
	);

	test.concurrent(
		'Retry On Fail is refused before anything is sent, as for a plain Submit',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submitAndWait('a rainy night [sim:fail]'),
					items: [videoItem()],
					retryOnFail: true,
				});

				expect(result.error?.message).toBe("Turn off 'Retry On Fail' for Submit");
				expect(sim.requests).toHaveLength(0);
			});
		},
	);

	test.concurrent(
		'a bad wait setting is reported for the field before anything is sent',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submitAndWait('a rainy night', { pollInterval: 0 }),
					items: [videoItem()],
				});

				expect(result.error?.message).toBe("'Poll Interval (Seconds)' is 0");
				expect(sim.requests).toHaveLength(0);
			});
		},
	);
});

/**
 * Version 1.2 gave Submit's Options an empty default; versions 1 and 1.1 had Poll Interval 10 and
 * Timeout 600 there. A node saved without Options must wait as it did: every version first looks
 * at its task half an interval (5 s) after the submit.
 */
describe('a Submit saved without Options, in each node version', () => {
	test.concurrent.each([1, 1.1, 1.2])(
		'version %s waits at the 10-second Poll Interval',
		async (typeVersion) => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					typeVersion,
					parameters: submit('a rainy night', { waitForCompletion: true }),
					items: [videoItem()],
				});

				expect(result.error).toBeUndefined();
				expect(result.outputs[0][0].json.status).toBe('completed');
				const checks = gaps(
					sim.requests.filter((r) => r.route === 'submit' || r.route === 'status'),
				);
				expect(checks).toHaveLength(1);
				expect(checks[0]).toBeGreaterThanOrEqual(4_900);
				expect(checks[0]).toBeLessThan(6_500);
			});
		},
		20_000,
	);
});
