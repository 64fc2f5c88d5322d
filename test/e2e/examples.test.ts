/**
 * The example workflows users import (examples/*.json) run as shipped against the simulator: the scheduled
 * pattern for long jobs submits once, and its status check first finds the task running, later saves it.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import { SIM_CREDENTIAL, simCredential, succeeded } from './expect';
import { sha256, testMp4 } from './media';
import { nodeOutput, type N8nInstance } from './n8n';
import { NODE_TYPE } from './package';
import { describeE2E, newInstance } from './suite';
import { CREDENTIAL_PLACEHOLDER, EXAMPLES_DIR, loadWorkflow, readWorkflow } from './workflows';

const exampleFiles = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'));

describe('example workflow files', () => {
	it.each(exampleFiles)('%s uses the package node and the credential placeholder', (name) => {
		const workflow = readWorkflow(join(EXAMPLES_DIR, name));
		const nodes = workflow.nodes as Array<{ type: string; credentials?: Record<string, unknown> }>;
		// The node itself, or the same node as an AI Agent's tool.
		const ours = nodes.filter((n) => n.type === NODE_TYPE || n.type === `${NODE_TYPE}Tool`);
		expect(ours.length).toBeGreaterThan(0);
		for (const node of ours)
			expect(node.credentials).toEqual({ octopusXApi: CREDENTIAL_PLACEHOLDER });
		// Runnable with `n8n execute` and by hand in the editor.
		expect(nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger')).toBe(true);
	});
});

describeE2E('the scheduled example pattern in a real n8n', () => {
	let sim: OctopusSimulator;
	let n8n: N8nInstance;
	const input = testMp4('scheduled example', 50 * 1024);

	beforeAll(async () => {
		// Tasks run until the test lets them finish (see below).
		sim = await OctopusSimulator.start({ taskDurationMs: 10 * 60 * 1000 });
		n8n = newInstance();
		await n8n.importCredentials([simCredential(sim)]);
		const fit = { credential: SIM_CREDENTIAL, filesDir: n8n.filesDir };
		await n8n.importWorkflows(exampleFiles.map((f) => loadWorkflow(join(EXAMPLES_DIR, f), fit)));
		mkdirSync(join(n8n.filesDir, 'octopusx'), { recursive: true });
		writeFileSync(join(n8n.filesDir, 'octopusx', 'input.mp4'), input);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.stop();
	});

	it('submits and keeps the task id, then checks until the video is saved', async () => {
		const submitted = succeeded(await n8n.execute('octopusxSchedSubmit'));
		const [task] = nodeOutput(submitted, 'Submit Video Task');
		const id = task.json.id as string;
		const kept = JSON.parse(
			readFileSync(join(n8n.filesDir, 'octopusx', 'pending-task.json'), 'utf8'),
		);
		expect(kept).toMatchObject({ id });
		expect(sim.tasks.get(id)?.referenceSha256).toBe(sha256(input));

		const early = succeeded(await n8n.execute('octopusxSchedStatus'));
		expect(nodeOutput(early, 'Get Status')[0].json).toMatchObject({ id });
		expect(nodeOutput(early, 'Get Status')[0].binary).toBeUndefined();
		expect(nodeOutput(early, 'Not Yet')).toHaveLength(1);
		expect(early.data.resultData.runData['Save Video']).toBeUndefined();

		// The job finishes between two scheduled checks.
		sim.tasks.get(id)!.durationMs = 0;
		const late = succeeded(await n8n.execute('octopusxSchedStatus'));
		expect(nodeOutput(late, 'Get Status')[0].json).toMatchObject({ id, status: 'completed' });
		expect(nodeOutput(late, 'Save Video')).toHaveLength(1);
		const saved = readFileSync(join(n8n.filesDir, 'octopusx', `${id}.mp4`));
		expect(sha256(saved)).toBe(sha256(sim.resultFor(id)));
		expect(sim.requestsTo('submit')).toHaveLength(1);
	});
});
