/**
 * Stop in a started n8n, as a user presses it in the editor: while Wait Until Done polls a long task, Stop
 * must end the polling at once (no status request afterwards) and n8n must record the run as canceled.
 * n8n itself also aborts a node's authenticated requests on Stop and marks the run canceled without
 * waiting for the node, so this is what the user sees; that the node's own waits end at once is
 * test/engine/faults/cancel.test.ts's (and abortableSleep's unit test for n8n 1.x).
 */
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import { SIM_CREDENTIAL, simCredential, until } from './expect';
import type { N8nInstance, RunningN8n } from './n8n';
import { describeE2E, newInstance } from './suite';
import { loadWorkflow, TEST_WORKFLOWS_DIR } from './workflows';

/** Longer than the workflow's 1 s poll interval: a node still polling would be seen within it. */
const QUIET_AFTER_STOP_MS = 1500;

describeE2E('Stop in a started n8n (REST API)', () => {
	let sim: OctopusSimulator;
	let n8n: N8nInstance;
	let server: RunningN8n;

	beforeAll(async () => {
		// The task would take ten minutes: only Stop ends this run.
		sim = await OctopusSimulator.start({ taskDurationMs: 600_000 });
		n8n = newInstance();
		await n8n.importCredentials([simCredential(sim)]);
		await n8n.importWorkflows([
			loadWorkflow(join(TEST_WORKFLOWS_DIR, 'stop-mid-wait.json'), {
				credential: SIM_CREDENTIAL,
				filesDir: n8n.filesDir,
			}),
		]);
		server = await n8n.start();
		await server.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.stop();
	});

	it('stops Wait Until Done mid-wait: no status request after Stop, the execution ends canceled', async () => {
		const executionId = await server.runWorkflow('e2eStopMidWait', 'Run');
		await until('Wait Until Done to poll twice', () => sim.requestsTo('status').length >= 2);

		const stop = await server.stopExecution(executionId);
		expect(stop.status).toBe(200);
		const polledBeforeStop = sim.requestsTo('status').length;
		await new Promise((resolve) => setTimeout(resolve, QUIET_AFTER_STOP_MS));

		expect(sim.requestsTo('status')).toHaveLength(polledBeforeStop);
		let status: string | undefined;
		await until(
			'the execution to end',
			async () => {
				status = await server.executionStatus(executionId);
				return status !== undefined && !['new', 'running'].includes(status);
			},
			30_000,
		);
		expect(status).toBe('canceled');
		// The task was paid for once and is left alone; nothing was downloaded.
		expect(sim.requestsTo('submit')).toHaveLength(1);
		expect(sim.requests.filter((r) => r.server === 'cdn')).toEqual([]);
	});
});
