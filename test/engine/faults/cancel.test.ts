import type { OctopusSimulator } from '../../simulator';
import type { RunResult } from '../harness';
import { run, submit, videoItem, waitUntilDone, withSim, type CaseOptions } from './support';

/**
 * The user presses Stop: the node returns within a second, whatever it was waiting for, and sends
 * nothing more.
 */
async function stopAfter(sim: OctopusSimulator, ms: number, options: CaseOptions) {
	const result = await run(sim, { ...options, cancelAfterMs: ms });
	const seenAtReturn = sim.requests.length;
	// The Stop timer starts with the execution, not with this call: on a busy machine setting up the
	// run can take most of a second. durationMs is counted from the same moment.
	const stoppedAt = Date.now() - result.durationMs + ms;
	// Anything still scheduled would show up here.
	await new Promise((resolve) => setTimeout(resolve, 1200));
	return { result, stoppedAt, seenAtReturn };
}

function expectStoppedQuietly(
	sim: OctopusSimulator,
	{
		result,
		stoppedAt,
		seenAtReturn,
	}: { result: RunResult; stoppedAt: number; seenAtReturn: number },
	ms: number,
) {
	expect(result.status).toBe('canceled');
	expect(result.durationMs).toBeLessThan(ms + 1000);
	expect(sim.requests.length).toBe(seenAtReturn);
	const late = sim.requests.filter((r) => r.at > stoppedAt + 50);
	expect(late.map((r) => `${r.route} +${r.at - stoppedAt} ms`)).toEqual([]);
}

describe('the user stops the execution', () => {
	test.concurrent('mid-wait, between two polls: returns at once, no further requests', async () => {
		await withSim(async (sim) => {
			const stopped = await stopAfter(sim, 1500, {
				parameters: submit('={{ $json.prompt }}'),
				items: [videoItem({ prompt: 'one [sim:never]' }), videoItem({ prompt: 'two [sim:never]' })],
				chain: [{ parameters: waitUntilDone({ pollInterval: 5, timeout: 60 }) }],
			});

			expectStoppedQuietly(sim, stopped, 1500);
			expect(sim.requestsTo('status').length).toBeGreaterThanOrEqual(2);
			expect(sim.tasks.size).toBe(2);
		});
	});

	test.concurrent(
		'during a long Retry-After on a submit: returns at once, the submit is not sent again',
		async () => {
			await withSim(async (sim) => {
				sim.inject('submit', { kind: 'status', status: 429, retryAfter: 30 });
				const stopped = await stopAfter(sim, 800, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
				});

				expectStoppedQuietly(sim, stopped, 800);
				expect(sim.requestsTo('submit')).toHaveLength(1);
				expect(sim.tasks.size).toBe(0);
			});
		},
	);

	test.concurrent('during a long Retry-After on a poll: returns at once', async () => {
		await withSim(async (sim) => {
			sim.inject('status', { kind: 'status', status: 429, retryAfter: 60 }, 5);
			const stopped = await stopAfter(sim, 1200, {
				parameters: submit('a rainy night'),
				items: [videoItem()],
				chain: [{ parameters: waitUntilDone({ timeout: 120 }) }],
			});

			expectStoppedQuietly(sim, stopped, 1200);
			expect(sim.requestsTo('status')).toHaveLength(1);
		});
	});

	test.concurrent('during a slow download: returns at once', async () => {
		await withSim(
			async (sim) => {
				const stopped = await stopAfter(sim, 1500, {
					parameters: submit('a rainy night'),
					items: [videoItem({}, 1024)],
					chain: [{ parameters: waitUntilDone() }],
				});

				expectStoppedQuietly(sim, stopped, 1500);
				// The download had started and was cut off.
				expect(sim.requestsTo('cdn')).toHaveLength(1);
				expect(sim.requestsTo('cdn')[0].at).toBeLessThan(stopped.stoppedAt);
			},
			// 256 KiB at 64 KiB/s: the download takes about 4 s.
			{ resultBytes: 256 * 1024, throttleBytesPerSec: 64 * 1024, taskDurationMs: 300 },
		);
	});
});
