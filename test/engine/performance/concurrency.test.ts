import { AT_ONCE } from '../../../nodes/OctopusX/transport/limit';
import { OctopusSimulator } from '../../simulator';
import { mp4Bytes, PROMPT } from '../fixtures';
import { runOctopusX } from '../harness';

/**
 * A batch runs several requests at once, never more than the node's bounds, as the simulator counts
 * them in flight. Each case makes requests slow enough to overlap, so the bound is reached, not just
 * respected by a batch that happened to be sequential.
 */
let sim: OctopusSimulator;
let credentials: { apiKey: string; baseUrl: string };

beforeAll(async () => {
	sim = await OctopusSimulator.start({ taskDurationMs: 0 });
	credentials = { apiKey: sim.apiKey, baseUrl: sim.baseUrl };
});
afterAll(async () => sim.stop());
beforeEach(() => {
	sim.reset();
	sim.setOptions({ throttleBytesPerSec: undefined, resultBytes: 64 * 1024 });
});

const ITEMS = 12;

async function createTasks(count: number): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const answer = await fetch(`${sim.baseUrl}/v1/videos`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'omni-fast', prompt: `${PROMPT} ${i}` }),
		});
		ids.push(((await answer.json()) as { id: string }).id);
	}
	return ids;
}

test(`uploads: ${AT_ONCE.uploads} at once at most, and that many when the batch is larger`, async () => {
	// A 150 KB file is a 200 KB body: about half a second per upload at 400 KB/s.
	sim.setOptions({ throttleBytesPerSec: 400_000 });
	const bytes = mp4Bytes(150_000);
	const result = await runOctopusX({
		credentials,
		parameters: { operation: 'submit', prompt: PROMPT },
		items: Array.from({ length: ITEMS }, () => ({
			binary: { data: { bytes, mimeType: 'video/mp4' } },
		})),
	});
	expect(result.error).toBeUndefined();
	expect(sim.requestsTo('submit')).toHaveLength(ITEMS);
	expect(sim.maxInFlight('submit')).toBe(AT_ONCE.uploads);
});

test(`downloads: ${AT_ONCE.downloads} at once at most, and that many when the batch is larger`, async () => {
	sim.setOptions({ resultBytes: 200_000 });
	const ids = await createTasks(ITEMS);
	sim.setOptions({ throttleBytesPerSec: 400_000 });
	const result = await runOctopusX({
		credentials,
		parameters: { operation: 'waitUntilDone', options: { pollInterval: 1 } },
		items: ids.map((id) => ({ json: { id } })),
	});
	expect(result.error).toBeUndefined();
	expect(result.outputs[0].every((item) => item.binary?.data)).toBe(true);
	expect(sim.requestsTo('cdn')).toHaveLength(ITEMS);
	expect(sim.maxInFlight('cdn')).toBe(AT_ONCE.downloads);
});

test(`status checks: ${AT_ONCE.statusChecks} at once at most`, async () => {
	const ids = await createTasks(ITEMS);
	sim.inject('status', { kind: 'delay', ms: 300 }, ITEMS);
	const result = await runOctopusX({
		credentials,
		parameters: { operation: 'waitUntilDone', download: false, options: { pollInterval: 1 } },
		items: ids.map((id) => ({ json: { id } })),
	});
	expect(result.error).toBeUndefined();
	expect(sim.requestsTo('status')).toHaveLength(ITEMS);
	expect(sim.maxInFlight('status')).toBe(AT_ONCE.statusChecks);
});
