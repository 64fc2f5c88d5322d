import type { OnError } from '../harness';
import { errorFields, getStatus, run, submit, videoItem, waitUntilDone, withSim } from './support';

/** How a task ends on the server's side: failed, cancelled, never, or never existed. */
const ITEMS = [
	videoItem({ prompt: 'a rainy night' }),
	videoItem({ prompt: 'a rainy night [sim:fail]' }),
	videoItem({ prompt: 'a rainy night [sim:cancel]' }),
];

describe('a task that fails or is cancelled', () => {
	test.concurrent.each<[OnError]>([['continueRegularOutput'], ['continueErrorOutput']])(
		'under %s: the error carries the task id, the API message and code; the other item succeeds',
		async (onError) => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submit('={{ $json.prompt }}'),
					items: ITEMS,
					chain: [{ parameters: waitUntilDone(), onError }],
				});

				expect(result.error).toBeUndefined();
				expect(sim.tasks.size).toBe(3);
				expect(sim.requestsTo('submit')).toHaveLength(3);
				const byPrompt = new Map([...sim.tasks.values()].map((t) => [t.prompt, t.id]));
				const items = onError === 'continueErrorOutput' ? result.outputs.flat() : result.outputs[0];
				expect(items).toHaveLength(3);
				const at = (i: number) =>
					items.find((item) => (item.pairedItem as { item: number }).item === i)!;

				const okId = byPrompt.get('a rainy night')!;
				expect(at(0).json.id).toBe(okId);
				expect(await result.binary(at(0))).toEqual(sim.resultFor(okId));

				const failedId = byPrompt.get('a rainy night [sim:fail]')!;
				expect(errorFields(at(1))).toMatchObject({
					error: `Task ${failedId} failed: Generation failed: the reference video could not be decoded [generation_failed]`,
					task_id: failedId,
					code: 'generation_failed',
				});
				// A failed task is no HTTP failure: the API's code is `code`, never `http_code`.
				expect(errorFields(at(1)).http_code).toBeUndefined();
				const cancelledId = byPrompt.get('a rainy night [sim:cancel]')!;
				expect(errorFields(at(2))).toMatchObject({
					error: `Task ${cancelledId} cancelled: The task was cancelled [task_cancelled]`,
					task_id: cancelledId,
					code: 'task_cancelled',
				});
				if (onError === 'continueErrorOutput') {
					expect(result.outputs[0]).toHaveLength(1);
					expect(result.outputs[1]).toHaveLength(2);
				}
				// The finished video was downloaded once, the failed ones never.
				expect(sim.requestsTo('cdn')).toHaveLength(1);
			});
		},
	);

	test.concurrent(
		'without continue-on-fail: the error names the failed task and the others',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submit('={{ $json.prompt }}'),
					items: ITEMS.slice(0, 2),
					chain: [{ parameters: waitUntilDone() }],
				});

				const byPrompt = new Map([...sim.tasks.values()].map((t) => [t.prompt, t.id]));
				const failedId = byPrompt.get('a rainy night [sim:fail]')!;
				expect(result.error?.message).toContain(`Task ${failedId} failed`);
				expect(result.error?.context?.taskId).toBe(failedId);
				expect(result.error?.description).toContain(`task ${byPrompt.get('a rainy night')}`);
			});
		},
	);
});

describe('a task that never finishes', () => {
	test.concurrent(
		'a timeout error with the task id, last status and progress, within timeout + one interval',
		async () => {
			await withSim(async (sim) => {
				const submitted = await run(sim, {
					parameters: submit('a rainy night [sim:never]'),
					items: [videoItem()],
				});
				const taskId = submitted.outputs[0][0].json.id as string;
				const result = await run(sim, {
					parameters: waitUntilDone({ timeout: 2, pollInterval: 1 }, { taskId }),
				});

				expect(result.error?.message).toMatch(
					new RegExp(
						`^Task ${taskId} is not done after 2 s \\(last status 'in_progress', progress \\d+%\\)$`,
					),
				);
				expect(result.error?.description).toMatch(/may still finish/);
				expect(result.error?.description).toContain(`Get Status operation and task ID ${taskId}`);
				expect(result.error?.context?.taskId).toBe(taskId);
				expect(result.durationMs).toBeLessThan(3000 + 300);
				// No more looks than the schedule allows: T / interval + 3.
				const polls = sim.requestsTo('status');
				expect(polls.length).toBeGreaterThanOrEqual(3);
				expect(polls.length).toBeLessThanOrEqual(2 / 1 + 3);
			});
		},
	);
});

describe('an unknown task id (404)', () => {
	test.concurrent('Get Status: an error naming the id, asked once', async () => {
		await withSim(async (sim) => {
			const result = await run(sim, { parameters: getStatus('video_doesnotexist') });

			expect(result.error?.message).toBe("OctopusX has no task 'video_doesnotexist' (HTTP 404)");
			expect(result.error?.description).toMatch(/Check the Task ID/);
			expect(result.error?.httpCode).toBe('404');
			expect(sim.requestsTo('status')).toHaveLength(1);
		});
	});

	test.concurrent(
		'Wait Until Done: an error naming the id at once, not after the timeout',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: waitUntilDone({ timeout: 30 }, { taskId: 'video_doesnotexist' }),
					onError: 'continueRegularOutput',
				});

				expect(errorFields(result.outputs[0][0])).toMatchObject({
					error: "OctopusX has no task 'video_doesnotexist' (HTTP 404)",
					task_id: 'video_doesnotexist',
					http_code: '404',
				});
				expect(sim.requestsTo('status')).toHaveLength(1);
				expect(result.durationMs).toBeLessThan(1000);
			});
		},
	);
});
