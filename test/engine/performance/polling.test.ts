import { OctopusSimulator } from '../../simulator';
import { PROMPT } from '../fixtures';
import { runOctopusX } from '../harness';

/**
 * What polling costs the API: a bounded number of status requests per task, and a server that asks
 * for a pause (429 with Retry-After) gets its pause and no failure.
 */
let sim: OctopusSimulator;

beforeAll(async () => {
	sim = await OctopusSimulator.start();
});
afterAll(async () => sim.stop());
beforeEach(() => sim.reset());

async function createTask(durationMs: number): Promise<string> {
	const answer = await fetch(`${sim.baseUrl}/v1/videos`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'omni-fast', prompt: `${PROMPT} [sim:ms=${durationMs}]` }),
	});
	return ((await answer.json()) as { id: string }).id;
}

function waitFor(ids: string[], pollInterval: number) {
	return runOctopusX({
		credentials: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
		parameters: { operation: 'waitUntilDone', download: false, options: { pollInterval } },
		items: ids.map((id) => ({ json: { id } })),
	});
}

test('a task of T seconds costs at most T / interval + 3 status requests', async () => {
	const seconds = 3;
	const interval = 1;
	const id = await createTask(seconds * 1000);
	const result = await waitFor([id], interval);
	expect(result.error).toBeUndefined();
	expect(result.outputs[0][0].json.status).toBe('completed');
	const polls = sim.requestsTo('status');
	expect(polls.length).toBeLessThanOrEqual(seconds / interval + 3);
	// It did wait for the task rather than give up early: the last look saw it done.
	expect(polls.every((poll) => poll.status === 200)).toBe(true);
});

test('429 with Retry-After on status checks slows the poller down instead of failing it', async () => {
	// Longer than the poller's own first backoff (1 s), so only honouring Retry-After passes.
	const retryAfterS = 2;
	const ids = [await createTask(500), await createTask(500)];
	sim.inject('status', { kind: 'status', status: 429, retryAfter: retryAfterS }, 2);
	const result = await waitFor(ids, 1);

	expect(result.error).toBeUndefined();
	expect(result.outputs[0].map((item) => item.json.status)).toEqual(['completed', 'completed']);
	const polls = sim.requestsTo('status').sort((a, b) => a.at - b.at);
	const limited = polls.filter((poll) => poll.status === 429);
	expect(limited).toHaveLength(2);
	// A rate limit is per API key: after the last 429 no task is checked again before the pause is over.
	const lastLimit = Math.max(...limited.map((poll) => poll.at));
	const after = polls.filter((poll) => poll.at > lastLimit);
	expect(after.length).toBeGreaterThanOrEqual(2);
	for (const poll of after)
		expect(poll.at - lastLimit).toBeGreaterThanOrEqual(retryAfterS * 1000 - 10);
});
