import type { OctopusSimulator } from '../../simulator';
import {
	errorFields,
	gaps,
	getStatus,
	run,
	submit,
	videoItem,
	waitUntilDone,
	withSim,
} from './support';

/**
 * Reading a status is free, so the node repeats it through rate limits, gateway errors and broken
 * connections: with backoff, honouring Retry-After, bounded by the wait's timeout.
 */
describe('Wait Until Done through a 429 storm and 5xx bursts', () => {
	test.concurrent(
		'a 429 storm with Retry-After: each wait is what the server asked, then the video',
		async () => {
			await withSim(async (sim) => {
				sim.inject('status', { kind: 'status', status: 429, retryAfter: 1 }, 3);
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
					chain: [{ parameters: waitUntilDone() }],
				});

				expect(result.error).toBeUndefined();
				const [task] = sim.tasks.values();
				expect(sim.tasks.size).toBe(1);
				expect(sim.requestsTo('submit')).toHaveLength(1);
				expect(await result.binary(result.outputs[0][0])).toEqual(sim.resultFor(task.id));
				const polls = sim.requestsTo('status');
				expect(polls.slice(0, 3).map((r) => r.status)).toEqual([429, 429, 429]);
				expect(polls.at(-1)?.status).toBe(200);
				// Retry-After: 1 each time: not hammered sooner, not the longer default backoff either.
				for (const gap of gaps(polls).slice(0, 3)) {
					expect(gap).toBeGreaterThanOrEqual(950);
					expect(gap).toBeLessThan(1800);
				}
			});
		},
	);

	test.concurrent('a 5xx burst without Retry-After: growing backoff, then the video', async () => {
		await withSim(async (sim) => {
			sim.inject('status', { kind: 'status', status: 502 });
			sim.inject('status', { kind: 'status', status: 503 });
			const result = await run(sim, {
				parameters: submit('a rainy night'),
				items: [videoItem()],
				chain: [{ parameters: waitUntilDone() }],
			});

			expect(result.error).toBeUndefined();
			expect(sim.tasks.size).toBe(1);
			expect(result.outputs[0][0].binary?.data).toBeDefined();
			const polls = sim.requestsTo('status');
			expect(polls.slice(0, 2).map((r) => r.status)).toEqual([502, 503]);
			const [first, second] = gaps(polls);
			expect(first).toBeGreaterThanOrEqual(950);
			expect(second).toBeGreaterThanOrEqual(1900);
		});
	});

	test.concurrent('connection resets on polls are retried, then the video', async () => {
		await withSim(async (sim) => {
			sim.inject('status', { kind: 'reset' }, 2);
			const result = await run(sim, {
				parameters: submit('a rainy night'),
				items: [videoItem()],
				chain: [{ parameters: waitUntilDone() }],
			});

			expect(result.error).toBeUndefined();
			expect(result.outputs[0][0].binary?.data).toBeDefined();
			expect(
				sim
					.requestsTo('status')
					.slice(0, 2)
					.map((r) => r.status),
			).toEqual([0, 0]);
			expect(sim.requestsTo('submit')).toHaveLength(1);
		});
	});

	test.concurrent(
		'a 429 storm that says "Retry-After: 0" does not turn polling into a tight loop',
		async () => {
			await withSim(async (sim) => {
				sim.inject('status', { kind: 'status', status: 429, retryAfter: 0 }, 8);
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
					chain: [{ parameters: waitUntilDone() }],
				});

				expect(result.error).toBeUndefined();
				const polls = sim.requestsTo('status');
				expect(polls.slice(0, 8).every((r) => r.status === 429)).toBe(true);
				for (const gap of gaps(polls).slice(0, 8)) expect(gap).toBeGreaterThanOrEqual(200);
			});
		},
	);

	test.concurrent(
		'a rate limit slows every task of the run, not just the one that was told',
		async () => {
			await withSim(
				async (sim) => {
					sim.inject('status', { kind: 'status', status: 429, retryAfter: 1 });
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}'),
						items: [videoItem({ prompt: 'one' }), videoItem({ prompt: 'two' })],
						chain: [{ parameters: waitUntilDone() }],
					});

					expect(result.error).toBeUndefined();
					expect(result.outputs[0]).toHaveLength(2);
					const polls = sim.requestsTo('status').sort((a, b) => a.seq - b.seq);
					const limited = polls.find((r) => r.status === 429)!;
					// Requests already on their way when the 429 came aside, no poll at all, for either task,
					// until the asked second is over (the other task's next poll was due after 0.5 s).
					const early = polls.filter((r) => r.at - limited.at > 100 && r.at - limited.at < 950);
					expect(early.map((r) => `${r.path} +${r.at - limited.at} ms`)).toEqual([]);
					expect(polls.filter((r) => r.at - limited.at >= 950).length).toBeGreaterThan(0);
				},
				{ taskDurationMs: 1500 },
			);
		},
	);

	test.concurrent(
		'a Retry-After longer than the timeout: the wait still ends at its timeout, naming the task',
		async () => {
			await withSim(async (sim) => {
				sim.inject('status', { kind: 'status', status: 429, retryAfter: 100 }, 20);
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
					chain: [{ parameters: waitUntilDone({ timeout: 2 }) }],
				});

				const [task] = sim.tasks.values();
				expect(result.error?.message).toContain(`Task ${task.id} is not done after 2 s`);
				expect(result.error?.description).toMatch(/HTTP 429/);
				expect(result.error?.description).toContain('Get Status');
				// Submit is quick; the wait ends at the deadline, not 100 s later.
				expect(result.durationMs).toBeLessThan(2000 + 1000 + 1000);
				expect(sim.requestsTo('status').length).toBeLessThanOrEqual(3);
			});
		},
	);
});

describe('Get Status through rate limits and gateway errors', () => {
	test.concurrent(
		'429 then 503, both with Retry-After: answered after the waits asked for',
		async () => {
			await withSim(async (sim) => {
				const taskId = await createTask(sim);
				sim.inject('status', { kind: 'status', status: 429, retryAfter: 1 });
				sim.inject('status', { kind: 'status', status: 503, retryAfter: 1 });
				const result = await run(sim, { parameters: getStatus(taskId) });

				expect(result.error).toBeUndefined();
				expect(result.outputs[0][0].json).toMatchObject({ id: taskId });
				const polls = sim.requestsTo('status');
				expect(polls.map((r) => r.status)).toEqual([429, 503, 200]);
				for (const gap of gaps(polls)) {
					expect(gap).toBeGreaterThanOrEqual(950);
					expect(gap).toBeLessThan(1800);
				}
			});
		},
	);

	test.concurrent(
		'5xx that does not stop: a bounded number of tries, then an error naming the task',
		async () => {
			await withSim(async (sim) => {
				const taskId = await createTask(sim);
				sim.inject('status', { kind: 'status', status: 503, retryAfter: 0 }, 50);
				const result = await run(sim, {
					parameters: getStatus(taskId),
					onError: 'continueRegularOutput',
				});

				expect(sim.requestsTo('status')).toHaveLength(5);
				const fields = errorFields(result.outputs[0][0]);
				expect(fields.error).toContain(`HTTP 503 (task ${taskId})`);
				expect(fields.task_id).toBe(taskId);
				expect(fields.description).toMatch(/task itself is unaffected/);
			});
		},
	);
});

/** Submits one task straight to the simulator (no node involved) and returns its id. */
async function createTask(sim: OctopusSimulator): Promise<string> {
	const answer = await fetch(`${sim.baseUrl}/v1/videos`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({
			model: 'omni-fast-v2v',
			prompt: 'made by the test',
			video: 'https://example.com/source.mp4',
		}),
	});
	const task = (await answer.json()) as { id: string };
	// Forget that request: the case is about what the node sends.
	sim.requests.length = 0;
	return task.id;
}
