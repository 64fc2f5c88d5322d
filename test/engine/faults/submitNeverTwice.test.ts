import type { Fault } from '../../simulator';
import { errorFields, run, submit, videoItem, withSim } from './support';

/**
 * After a 5xx or a broken connection the server may or may not have created the (paid) task.
 * The node must not send the submit again, and must say so and how to check.
 */
const AMBIGUOUS: Array<[string, Fault, number]> = [
	['500 before the task exists', { kind: 'status', status: 500 }, 0],
	['502 before the task exists', { kind: 'status', status: 502 }, 0],
	['503 before the task exists', { kind: 'status', status: 503 }, 0],
	['503 with Retry-After', { kind: 'status', status: 503, retryAfter: 1 }, 0],
	['connection reset before the task exists', { kind: 'reset' }, 0],
	['500 after the task was created', { kind: 'status', status: 500, afterCreate: true }, 1],
	['502 after the task was created', { kind: 'status', status: 502, afterCreate: true }, 1],
	['503 after the task was created', { kind: 'status', status: 503, afterCreate: true }, 1],
	['connection reset after the task was created', { kind: 'reset', afterCreate: true }, 1],
];

describe('a submit that may or may not have been taken is never sent twice', () => {
	test.concurrent.each(AMBIGUOUS)('%s', async (_name, fault, created) => {
		await withSim(async (sim) => {
			sim.inject('submit', fault);
			const result = await run(sim, { parameters: submit('a rainy night'), items: [videoItem()] });

			expect(sim.requestsTo('submit')).toHaveLength(1);
			expect(sim.requests).toHaveLength(1);
			expect(sim.tasks.size).toBe(created);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/may or may not have been (created|taken)/);
			expect(result.error?.description).toMatch(/NOT sent again/);
			expect(result.error?.description).toMatch(/check your OctopusX task list/);
		});
	});

	test.concurrent('under continue-on-fail the other items go on, each submitted once', async () => {
		await withSim(async (sim) => {
			sim.inject('submit', { kind: 'status', status: 502, afterCreate: true });
			const result = await run(sim, {
				parameters: submit('={{ $json.prompt }}'),
				items: [
					videoItem({ prompt: 'one' }),
					videoItem({ prompt: 'two' }),
					videoItem({ prompt: 'three' }),
				],
				onError: 'continueErrorOutput',
			});

			const submits = sim.requestsTo('submit');
			expect(submits).toHaveLength(3);
			const prompts = submits.map((r) => (r.json as { prompt: string }).prompt).sort();
			expect(prompts).toEqual(['one', 'three', 'two']);
			// The failed item's task exists on the server (afterCreate): one task per prompt, never two.
			expect([...sim.tasks.values()].map((t) => t.prompt).sort()).toEqual(['one', 'three', 'two']);
			const [ok, failed] = result.outputs;
			expect(ok).toHaveLength(2);
			expect(failed).toHaveLength(1);
			expect(failed[0].json.error).toMatch(/may or may not/);
			expect(errorFields(failed[0]).http_code).toBe('502');
			const failedIndex = (failed[0].pairedItem as { item: number }).item;
			const failedPrompt = ['one', 'two', 'three'][failedIndex];
			expect(submits.find((r) => r.status === 502)?.json).toMatchObject({ prompt: failedPrompt });
		});
	});

	test.concurrent(
		'a 2xx without a task id: not sent again, the error says a task may exist',
		async () => {
			await withSim(async (sim) => {
				sim.inject('submit', {
					kind: 'raw',
					status: 200,
					body: '{"object":"video","status":"queued"}',
				});
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
				});

				expect(sim.requestsTo('submit')).toHaveLength(1);
				expect(result.error?.message).toMatch(/no task id/);
				expect(result.error?.description).toMatch(/Do not submit this item again/);
			});
		},
	);

	test.concurrent(
		'a 400 (the request itself is wrong): not sent again, nothing charged',
		async () => {
			await withSim(async (sim) => {
				sim.inject('submit', {
					kind: 'status',
					status: 400,
					body: {
						error: {
							message: 'seconds must be at most 30',
							type: 'invalid_request_error',
							param: 'seconds',
							code: 'invalid_value',
						},
					},
				});
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
				});

				expect(sim.requestsTo('submit')).toHaveLength(1);
				expect(result.error?.message).toMatch(
					/rejected the request \(field 'seconds'\): seconds must be at most 30/,
				);
				expect(result.error?.description).toMatch(/Nothing was created/);
				expect(result.error?.httpCode).toBe('400');
			});
		},
	);
});

test('Submit refuses to run under n8n\'s "Retry On Fail" (which would submit again), before sending anything', async () => {
	await withSim(async (sim) => {
		// A 500 that n8n's Retry On Fail would answer by running the node, and so the submit, again.
		sim.inject('submit', { kind: 'status', status: 500, afterCreate: true });
		const result = await run(sim, {
			parameters: submit('Restyle it', {
				videoSource: 'url',
				videoUrl: 'https://example.com/a.mp4',
			}),
			retryOnFail: true,
		});
		expect(result.error?.message).toBe("Turn off 'Retry On Fail' for Submit");
		expect(result.error?.description).toContain('paying twice');
		expect(sim.requests).toHaveLength(0);
		expect(sim.tasks.size).toBe(0);
	});
});
