/**
 * A batch larger than the key's limit of tasks at once, in a real n8n, as a new user builds it: Read 8
 * clips → Submit → Wait Until Done → Write, Submit's options untouched, against a simulator that runs at
 * most 2 tasks per key. Every video is delivered, each item paid once.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import { SIM_CREDENTIAL, simCredential, succeeded } from './expect';
import { sha256, testMp4 } from './media';
import { nodeOutput, type N8nInstance } from './n8n';
import { describeE2E, newInstance } from './suite';
import { loadWorkflow, TEST_WORKFLOWS_DIR } from './workflows';

describeE2E('a batch larger than the key allows at once (real n8n)', () => {
	let sim: OctopusSimulator;
	let n8n: N8nInstance;
	const clips = new Map(
		Array.from({ length: 8 }, (_, i) => [`clip-${i + 1}.mp4`, testMp4(`limit ${i}`, 24 * 1024)]),
	);

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 2000, maxConcurrentTasks: 2 });
		n8n = newInstance();
		await n8n.importCredentials([simCredential(sim)]);
		const workflow = loadWorkflow(join(TEST_WORKFLOWS_DIR, 'batch.json'), {
			credential: SIM_CREDENTIAL,
			filesDir: n8n.filesDir,
		});
		const text = JSON.stringify(workflow)
			.split(`${n8n.filesDir}/batch/`)
			.join(`${n8n.filesDir}/limit/`)
			.split(`${n8n.filesDir}/batch-out/`)
			.join(`${n8n.filesDir}/limit-out/`);
		await n8n.importWorkflows([{ ...JSON.parse(text), id: 'e2eConcurrencyLimit' }]);
		mkdirSync(join(n8n.filesDir, 'limit'), { recursive: true });
		mkdirSync(join(n8n.filesDir, 'limit-out'), { recursive: true });
		for (const [name, data] of clips) writeFileSync(join(n8n.filesDir, 'limit', name), data);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.stop();
	});

	it('8 clips, a limit of 2: every video delivered, 8 tasks, the limit learned from the first refusals', async () => {
		const run = succeeded(await n8n.execute('e2eConcurrencyLimit'));

		const read = nodeOutput(run, 'Read Videos').map((item) => item.json.fileName as string);
		const done = nodeOutput(run, 'Wait Until Done');
		expect(done).toHaveLength(8);
		done.forEach((item, i) => {
			const id = item.json.id as string;
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.status).toBe('completed');
			// Item i's task got item i's file, and what n8n wrote is what OctopusX served.
			expect(sim.tasks.get(id)?.referenceSha256).toBe(sha256(clips.get(read[i])!));
			const written = readFileSync(join(n8n.filesDir, 'limit-out', `${id}.mp4`));
			expect(sha256(written)).toBe(sha256(sim.resultFor(id)));
		});
		// One task per clip: every refusal created nothing, and nothing was sent twice once accepted.
		expect(sim.tasks.size).toBe(8);
		const submits = sim.requestsTo('submit');
		expect(submits.filter((r) => r.status === 200)).toHaveLength(8);
		// The first wave (5 uploads at once) teaches the node the limit; it then waits for its own tasks.
		expect(submits.filter((r) => r.status === 429).length).toBeLessThanOrEqual(4);
	});
});
