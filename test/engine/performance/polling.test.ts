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

test('a task whose progress rises steadily is seen done within a fraction of the interval of its end', async () => {
	// 5.5 s at a 2 s interval: the plain schedule looks at 0, 1, 3, 5 and 7 s and sees it 1.5 s late.
	const id = await createTask(5500);
	const created = sim.tasks.get(id)!.createdAt;
	const result = await waitFor([id], 2);
	expect(result.outputs[0][0].json.status).toBe('completed');
	const polls = sim.requestsTo('status').sort((a, b) => a.at - b.at);
	const seen = polls.at(-1)!.at - (created + 5500);
	expect(seen).toBeGreaterThanOrEqual(0);
	expect(seen).toBeLessThan(500);
	// Looks moved earlier by the progress cost two requests more at most.
	expect(polls.length).toBeLessThanOrEqual(5.5 / 2 + 3 + 2);
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
