/**
 * Saved workflows run by the real n8n CLI against the simulator: file in → Submit → Wait Until Done → file
 * out, a URL reference, a batch, and a failing task routed to the error output. The bytes are checked end
 * to end: what n8n read is what the simulator received, what it served is what n8n wrote.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import {
	expectBinaryStore,
	setParameter,
	SIM_CREDENTIAL,
	simCredential,
	succeeded,
} from './expect';
import { sha256, testMp4 } from './media';
import { nodeOutput, type N8nInstance } from './n8n';
import { describeE2E, newInstance } from './suite';
import { EXAMPLES_DIR, loadWorkflow, TEST_WORKFLOWS_DIR } from './workflows';

describeE2E('OctopusX workflows in a real n8n (n8n execute)', () => {
	let sim: OctopusSimulator;
	let n8n: N8nInstance;
	const batch = new Map<string, Buffer>([
		['clip-1.mp4', testMp4('batch 1', 40 * 1024)],
		['clip-2.mp4', testMp4('batch 2', 90 * 1024)],
		['clip-3.mp4', testMp4('batch 3', 10 * 1024)],
	]);

	const file = (...parts: string[]): string => join(n8n.filesDir, ...parts);
	const writeInput = (path: string, data: Buffer): void => {
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(path, data);
	};

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 1500 });
		n8n = newInstance();
		await n8n.importCredentials([simCredential(sim)]);
		const fit = { credential: SIM_CREDENTIAL, filesDir: n8n.filesDir };
		const canonical = loadWorkflow(join(EXAMPLES_DIR, 'video-to-video.json'), fit);
		setParameter(canonical, 'Wait Until Done', ['options', 'pollInterval'], 1);
		const tests = ['url-input', 'batch', 'continue-error-output'].map((name) =>
			loadWorkflow(join(TEST_WORKFLOWS_DIR, `${name}.json`), fit),
		);
		await n8n.importWorkflows([canonical, ...tests]);
		for (const [name, data] of batch) writeInput(file('batch', name), data);
		// The Write Files node does not create folders.
		for (const dir of ['octopusx', 'url-out', 'batch-out'])
			mkdirSync(file(dir), { recursive: true });
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.stop();
	});

	beforeEach(() => sim.reset());

	it('reads an MP4, submits it, waits, and writes the generated video byte for byte', async () => {
		const input = testMp4('canonical input', 200 * 1024);
		writeInput(file('octopusx', 'input.mp4'), input);

		const run = succeeded(await n8n.execute('octopusxVideoToVideo'));

		const [submitted] = nodeOutput(run, 'Submit Video Task');
		const id = submitted.json.id as string;
		expect(id).toEqual(expect.any(String));
		const [done] = nodeOutput(run, 'Wait Until Done');
		expect(done.json).toMatchObject({ id, status: 'completed' });
		expect(done.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${id}.mp4` });
		expectBinaryStore(done.binary?.data);

		// What OctopusX received is exactly the file n8n read ...
		const submits = sim.requestsTo('submit');
		expect(submits).toHaveLength(1);
		expect(submits[0].headers.authorization).toBe(`Bearer ${sim.apiKey}`);
		expect(submits[0].json).toMatchObject({
			model: 'omni-fast-v2v',
			video: { dataUri: true, mime: 'video/mp4', bytes: input.length, sha256: sha256(input) },
			aspect_ratio: '16:9',
			resolution: '720p',
		});
		expect(String((submits[0].json as Record<string, unknown>).seconds)).toBe('8');
		expect(sim.tasks.get(id)?.referenceSha256).toBe(sha256(input));
		// ... and what n8n wrote is exactly the file OctopusX served.
		const written = readFileSync(file('octopusx', `${id}.mp4`));
		expect(sha256(written)).toBe(sha256(sim.resultFor(id)));
		expect(written.length).toBe(sim.resultFor(id).length);
		// The API key never leaves for the result host.
		const downloads = sim.requests.filter((r) => r.server === 'cdn');
		expect(downloads.length).toBeGreaterThan(0);
		for (const r of downloads) expect(r.headers.authorization).toBeUndefined();
	});

	it('submits a public URL as the reference video', async () => {
		const run = succeeded(await n8n.execute('e2eUrlInput'));

		const [done] = nodeOutput(run, 'Wait Until Done');
		const id = done.json.id as string;
		expect(sim.requestsTo('submit').map((r) => r.json)).toEqual([
			expect.objectContaining({
				video: 'https://videos.example.com/source.mp4',
				aspect_ratio: '9:16',
				resolution: '1080p',
			}),
		]);
		expect(sim.tasks.get(id)?.referenceSha256).toBeUndefined();
		const written = readFileSync(file('url-out', `${id}.mp4`));
		expect(sha256(written)).toBe(sha256(sim.resultFor(id)));
	});

	it('turns three files into three tasks, each result in its own item, order kept', async () => {
		const run = succeeded(await n8n.execute('e2eBatch'));

		const read = nodeOutput(run, 'Read Videos').map((item) => item.json.fileName as string);
		expect([...read].sort()).toEqual([...batch.keys()]);
		const done = nodeOutput(run, 'Wait Until Done');
		expect(done).toHaveLength(3);
		const ids = done.map((item) => item.json.id as string);
		expect(new Set(ids).size).toBe(3);
		done.forEach((item, i) => {
			// Item i of the output belongs to item i of the input: its task got that item's file.
			expect(item.pairedItem).toEqual({ item: i });
			expect(sim.tasks.get(ids[i])?.referenceSha256).toBe(sha256(batch.get(read[i])!));
			const written = readFileSync(file('batch-out', `${ids[i]}.mp4`));
			expect(sha256(written)).toBe(sha256(sim.resultFor(ids[i])));
		});
		expect(sim.requestsTo('submit')).toHaveLength(3);
	});

	it('sends a failed task to the error output with its task id, the others on', async () => {
		const run = succeeded(await n8n.execute('e2eErrorOutput'));

		const read = nodeOutput(run, 'Read Videos').map((item) => item.json.fileName as string);
		const failedIndex = read.indexOf('clip-2.mp4');
		const submitted = nodeOutput(run, 'Submit Video Task').map((item) => item.json.id as string);
		const failedTask = submitted[failedIndex];
		expect(sim.tasks.get(failedTask)?.outcome).toBe('fail');

		const ok = nodeOutput(run, 'Wait Until Done', 0);
		const failed = nodeOutput(run, 'Wait Until Done', 1);
		expect(ok.map((item) => item.json.id).sort()).toEqual(
			submitted.filter((id) => id !== failedTask).sort(),
		);
		expect(ok.every((item) => item.binary?.data?.mimeType === 'video/mp4')).toBe(true);
		expect(failed).toHaveLength(1);
		expect(failed[0].json).toMatchObject({ task_id: failedTask, error: expect.any(String) });
		expect(failed[0].json.error).toContain(failedTask);
		expect(failed[0].pairedItem).toEqual({ item: failedIndex });
		// Both branches ran on: the error output is a normal path, not a failed execution.
		expect(nodeOutput(run, 'Done')).toHaveLength(2);
		expect(nodeOutput(run, 'Failed')).toHaveLength(1);
	});
});
