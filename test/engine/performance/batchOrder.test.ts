import { OctopusSimulator } from '../../simulator';
import { mp4Bytes, PROMPT, sha256 } from '../fixtures';
import { runOctopusX } from '../harness';

/**
 * Items go out together and their tasks finish in any order, yet every output item is its input
 * item's: same position, pairedItem pointing back, its own task and its own video.
 */
let sim: OctopusSimulator;

beforeAll(async () => {
	sim = await OctopusSimulator.start({ resultBytes: 32 * 1024 });
});
afterAll(async () => sim.stop());

test('tasks finishing in reverse order still come out in input order, each paired with its item', async () => {
	const count = 8;
	const inputs = Array.from({ length: count }, (_, i) => mp4Bytes(30_000 + i * 997, i + 1));
	const result = await runOctopusX({
		credentials: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
		// The first item's task takes longest, the last one's is done first.
		parameters: {
			operation: 'submit',
			prompt: `={{ "${PROMPT} [sim:ms=" + (2400 - $json.n * 300) + "]" }}`,
		},
		items: inputs.map((bytes, n) => ({
			json: { n },
			binary: { data: { bytes, mimeType: 'video/mp4' } },
		})),
		chain: [{ parameters: { operation: 'waitUntilDone', options: { pollInterval: 1 } } }],
	});
	expect(result.error).toBeUndefined();

	const finished = [...sim.tasks.values()].sort(
		(a, b) => a.createdAt + a.durationMs - (b.createdAt + b.durationMs),
	);
	const [done] = result.outputs;
	expect(done).toHaveLength(count);
	// The simulator finished them last item first ...
	expect(finished.map((task) => task.referenceSha256)).toEqual(inputs.map(sha256).reverse());
	// ... and the output is in input order all the same.
	for (let i = 0; i < count; i++) {
		expect(done[i].pairedItem).toEqual({ item: i });
		const task = sim.tasks.get(done[i].json.id as string);
		expect(task?.referenceSha256).toBe(sha256(inputs[i]));
		expect((await result.binary(done[i])).equals(sim.resultFor(task!.id))).toBe(true);
	}
});
