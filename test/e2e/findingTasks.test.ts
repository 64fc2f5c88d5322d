/**
 * Finding a paid task from the outside, in a started n8n: a finished execution carries the ids of
 * the tasks it created as custom data (read through n8n's REST API, as the executions list shows
 * it), and n8n's own log, at its default level, has one line per submit and one per end, naming the
 * execution and the task.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import { SIM_CREDENTIAL, simCredential, until } from './expect';
import { getExecution } from './executions';
import { testMp4 } from './media';
import type { N8nInstance, RunningN8n } from './n8n';
import { describeE2E, newInstance } from './suite';
import { loadWorkflow, TEST_WORKFLOWS_DIR } from './workflows';

describeE2E('every paid task findable (REST API, log)', () => {
	let sim: OctopusSimulator;
	let n8n: N8nInstance;
	let server: RunningN8n;

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 1500 });
		n8n = newInstance();
		await n8n.importCredentials([simCredential(sim)]);
		const fit = { credential: SIM_CREDENTIAL, filesDir: n8n.filesDir };
		await n8n.importWorkflows([loadWorkflow(join(TEST_WORKFLOWS_DIR, 'batch.json'), fit)]);
		mkdirSync(join(n8n.filesDir, 'batch'), { recursive: true });
		mkdirSync(join(n8n.filesDir, 'batch-out'), { recursive: true });
		for (const i of [1, 2, 3]) {
			writeFileSync(join(n8n.filesDir, 'batch', `clip-${i}.mp4`), testMp4(`find ${i}`, 20 * 1024));
		}
		server = await n8n.start();
		await server.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.stop();
	});

	it('a finished execution carries the ids of the tasks it created as custom data', async () => {
		const executionId = await server.runWorkflow('e2eBatch', 'Run');
		let execution: Awaited<ReturnType<typeof getExecution>> | undefined;
		await until(
			'the execution to finish',
			async () => {
				execution = await getExecution(server, executionId);
				return !['new', 'running'].includes(execution.status);
			},
			60_000,
		);
		expect(execution?.status).toBe('success');
		const ids = [...sim.tasks.keys()];
		expect(ids).toHaveLength(3);
		// What the execution shows as custom data, and what `$execution.customData` reads.
		const answer = await server.request('GET', `/rest/executions/${executionId}`);
		const { customData } = (answer.body as { data: { customData?: Record<string, string> } }).data;
		expect(customData).toEqual({
			octopusx_task_ids: expect.any(String),
			octopusx_task_count: '3',
		});
		expect(customData?.octopusx_task_ids.split(',').sort()).toEqual([...ids].sort());

		// n8n's log at its default level (info): one submit and one end per task, each naming this
		// execution and its task; the status checks in between are not there.
		const ours = server
			.log()
			.split('\n')
			.filter((line) => line.includes('OctopusX: '));
		expect(ours).toHaveLength(6);
		for (const id of ids) {
			const about = ours.filter(
				(line) => line.includes(`execution=${executionId} `) && line.endsWith(`task=${id}`),
			);
			expect(about).toEqual([
				expect.stringMatching(
					new RegExp(
						`OctopusX: task ${id} submitted \\(model omni-fast-v2v, reference video: binary file of 20\\.0 KiB`,
					),
				),
				expect.stringMatching(
					new RegExp(
						`OctopusX: task ${id} completed, [0-9.]+ s after its submit, video of .* downloaded`,
					),
				),
			]);
		}
		expect(sim.requestsTo('status').length).toBeGreaterThan(3);
		expect(server.log()).not.toContain(sim.apiKey);
	});
});
