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
import { nodeOutput, type N8nInstance, type WorkflowJson } from './n8n';
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
		const limited = JSON.parse(text) as WorkflowJson;
		// Submit alone, items that find no slot for 3 s to the error output.
		type Node = { name: string; parameters: Record<string, unknown>; onError?: string };
		const patience = JSON.parse(text) as WorkflowJson;
		const nodes = (patience.nodes as Node[]).filter(
			(n) => !['Wait Until Done', 'Save Video'].includes(n.name),
		);
		patience.nodes = nodes;
		const submitNode = nodes.find((n) => n.name === 'Submit Video Task')!;
		submitNode.onError = 'continueErrorOutput';
		submitNode.parameters.options = { freeSlotWaitMinutes: 0.05, pollInterval: 1 };
		const links = patience.connections as Record<string, unknown>;
		for (const name of ['Submit Video Task', 'Wait Until Done']) delete links[name];
		await n8n.importWorkflows([
			{ ...limited, id: 'e2eConcurrencyLimit' },
			{ ...patience, id: 'e2eConcurrencyPatience', name: 'e2e: no free slot in time' },
		]);
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
		// The first wave (5 uploads at once, 3 refused; no more goes out until all 5 are answered),
		// then probes beyond the 2 slots learned, one at a time, at least 0.75 s apart.
		const span = Math.max(...submits.map((r) => r.at)) - Math.min(...submits.map((r) => r.at));
		expect(submits.filter((r) => r.status === 429).length).toBeLessThanOrEqual(
			3 + Math.ceil(span / 750),
		);
	});

	it('no free slot in time: unsent clips go to the error output with their input and no task id', async () => {
		sim.reset();
		// Tasks that never finish: the two first clips hold both slots for good.
		sim.setTaskDefaults({ outcome: 'never' });
		const run = succeeded(await n8n.execute('e2eConcurrencyPatience'));

		const read = nodeOutput(run, 'Read Videos').map((item) => item.json.fileName as string);
		const sent = nodeOutput(run, 'Submit Video Task', 0);
		const unsent = nodeOutput(run, 'Submit Video Task', 1);
		expect(sent).toHaveLength(2);
		expect(unsent).toHaveLength(6);
		expect(sim.tasks.size).toBe(2);
		for (const item of unsent) {
			const index = (item.pairedItem as { item: number }).item;
			// The input item (the file's name, from Read Videos) came along; no task id did.
			expect(item.json.fileName).toBe(read[index]);
			expect(String(item.json.error)).toMatch(/^Not submitted/);
			expect(JSON.stringify(item.json)).toMatch(/NOT submitted and nothing was paid/);
			expect(item.json.id).toBeUndefined();
			expect(item.json.task_id).toBeUndefined();
		}
		expect(
			[...sent, ...unsent].map((item) => (item.pairedItem as { item: number }).item).sort(),
		).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
	});
});
