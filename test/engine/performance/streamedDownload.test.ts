import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../../simulator';
import { PROMPT } from '../fixtures';
import { runOctopusX } from '../harness';
import { getEngine } from '../harness/engine';

/**
 * In filesystem mode a finished video goes to disk as it arrives: while the download is running, n8n's
 * binary store already holds a file that is part of it, and the output item carries only a reference
 * to the stored file, not its bytes.
 */
let sim: OctopusSimulator;

beforeAll(async () => {
	sim = await OctopusSimulator.start({ taskDurationMs: 0 });
});
afterAll(async () => sim.stop());

/** Sizes of every file under the binary store whose name says n8n is still writing it. */
function partialFiles(root: string): number[] {
	return (readdirSync(root, { recursive: true }) as string[])
		.filter((path) => path.includes('.tmp.'))
		.flatMap((path) => {
			try {
				return [statSync(join(root, path)).size];
			} catch {
				return []; // renamed meanwhile
			}
		});
}

test('a result is written to the binary store while it downloads, never held whole', async () => {
	const size = 6_000_000;
	sim.setOptions({ resultBytes: size });
	const created = await fetch(`${sim.baseUrl}/v1/videos`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'omni-fast', prompt: PROMPT }),
	});
	const { id } = (await created.json()) as { id: string };
	// About two seconds of download, long enough to look at the store in the middle of it.
	sim.setOptions({ throttleBytesPerSec: 3_000_000 });

	const { storagePath } = await getEngine();
	const seen: number[] = [];
	const watcher = setInterval(() => seen.push(...partialFiles(storagePath)), 50);
	const result = await runOctopusX({
		credentials: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
		parameters: { operation: 'waitUntilDone', options: { pollInterval: 1 } },
		items: [{ json: { id } }],
		binaryMode: 'filesystem',
	}).finally(() => clearInterval(watcher));

	expect(result.error).toBeUndefined();
	const video = result.outputs[0][0].binary?.data;
	expect(video?.id).toMatch(/^filesystem/);
	expect(video?.data).toBe('filesystem-v2');
	expect(video?.bytes).toBe(size);
	expect((await result.binary(result.outputs[0][0])).equals(sim.resultFor(id))).toBe(true);
	// The file grew on disk while it arrived: several partial sizes seen, not one write at the end.
	const partial = new Set(seen.filter((bytes) => bytes > 0 && bytes < size));
	expect(partial.size).toBeGreaterThanOrEqual(3);
});
