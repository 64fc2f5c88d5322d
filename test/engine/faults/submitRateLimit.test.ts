import { gaps, run, submit, taskIdOf, videoItem, withSim, waitUntilDone } from './support';

/**
 * A 429 on a submit means the server refused it and created nothing: the node waits (as long as
 * Retry-After asks, else with backoff) and sends it again. Exactly one task per item, whatever happens.
 */
describe('429 on submit', () => {
	test.concurrent('with Retry-After: waits what the server asked, then one task', async () => {
		await withSim(async (sim) => {
			sim.inject('submit', { kind: 'status', status: 429, retryAfter: 1 });
			const result = await run(sim, { parameters: submit('a rainy night'), items: [videoItem()] });

			expect(result.error).toBeUndefined();
			const submits = sim.requestsTo('submit');
			expect(submits.map((r) => r.status)).toEqual([429, 200]);
			// Retry-After: 1 is honoured as such, not replaced by the 2 s default backoff.
			expect(gaps(submits)[0]).toBeGreaterThanOrEqual(950);
			expect(gaps(submits)[0]).toBeLessThan(1800);
			expect(sim.tasks.size).toBe(1);
			const [task] = sim.tasks.values();
			expect(taskIdOf(result.outputs[0][0].json)).toBe(task.id);
		});
	});

	test.concurrent('without Retry-After: backs off, then one task', async () => {
		await withSim(async (sim) => {
			sim.inject('submit', { kind: 'status', status: 429 });
			const result = await run(sim, { parameters: submit('a rainy night'), items: [videoItem()] });

			expect(result.error).toBeUndefined();
			const submits = sim.requestsTo('submit');
			expect(submits.map((r) => r.status)).toEqual([429, 200]);
			expect(gaps(submits)[0]).toBeGreaterThanOrEqual(1900);
			expect(sim.tasks.size).toBe(1);
			// Both attempts carried the whole body and the key.
			for (const r of submits) {
				expect(r.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
				expect(r.bodyBytes).toBe(submits[1].bodyBytes);
			}
		});
	});

	test.concurrent(
		'the per-key concurrency limit: the second item waits for a free slot, both videos arrive',
		async () => {
			await withSim(
				async (sim) => {
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}'),
						items: [videoItem({ prompt: 'first' }), videoItem({ prompt: 'second' })],
						chain: [{ parameters: waitUntilDone() }],
					});

					expect(result.error).toBeUndefined();
					const submits = sim.requestsTo('submit');
					expect(submits.filter((r) => r.status === 429)).toHaveLength(1);
					expect(submits.filter((r) => r.status === 200)).toHaveLength(2);
					const tasks = [...sim.tasks.values()];
					expect(tasks.map((t) => t.prompt).sort()).toEqual(['first', 'second']);
					const out = result.outputs[0];
					expect(out).toHaveLength(2);
					for (const [i, item] of out.entries()) {
						expect(item.pairedItem).toEqual({ item: i });
						const task = tasks.find((t) => t.id === item.json.id);
						expect(task?.prompt).toBe(i === 0 ? 'first' : 'second');
						expect(await result.binary(item)).toEqual(sim.resultFor(task!.id));
					}
				},
				{ maxConcurrentTasks: 1, taskDurationMs: 1200 },
			);
		},
	);

	test.concurrent(
		'a limit that never lifts: a bounded number of tries, then a clear error, no task',
		async () => {
			await withSim(async (sim) => {
				sim.inject('submit', { kind: 'status', status: 429, retryAfter: 0 }, 20);
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
					onError: 'continueRegularOutput',
				});

				const submits = sim.requestsTo('submit');
				expect(submits.length).toBe(6);
				expect(submits.every((r) => r.status === 429)).toBe(true);
				expect(sim.tasks.size).toBe(0);
				const [item] = result.outputs[0];
				expect(item.json.error).toMatch(/rate limiting/);
				expect(item.json.description).toMatch(/No task was created/);
				expect(item.json.http_code).toBe('429');
				expect(item.json.task_id).toBeUndefined();
			});
		},
	);
});
