/**
 * Queue mode with binaries on disk (`filesystem`), which n8n accepts without a warning: main stores
 * the uploaded file in its own user folder, and the worker, with a folder (a disk) of its own, cannot
 * find it. The node must say so before anything is paid for, and how to fix it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import { simCredential } from '../e2e/expect';
import { testMp4 } from '../e2e/media';
import type { QueueCluster } from './cluster';
import { describeQueue, startCluster } from './suite';
import { CHAIN } from './workflows';

const storedFiles = (userFolder: string): string[] => {
	const dir = join(userFolder, '.n8n', 'storage');
	return existsSync(dir)
		? readdirSync(dir, { recursive: true, withFileTypes: true })
				.filter((e) => e.isFile())
				.map((e) => e.name)
		: [];
};

describeQueue("queue mode with filesystem binaries: the worker cannot read main's file", () => {
	let sim: OctopusSimulator;
	let cluster: QueueCluster;

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 1500 });
		cluster = await startCluster({
			binaryMode: 'filesystem',
			workers: 1,
			credentials: [simCredential(sim)],
			workflows: [CHAIN.workflow()],
		});
	}, 240_000);

	afterAll(async () => {
		await cluster?.stop();
		await sim?.stop();
	});

	it('fails before any request, naming the field, the cause and N8N_DEFAULT_BINARY_DATA_MODE=database', async () => {
		const answer = await cluster.webhook(CHAIN.path, {
			headers: { 'content-type': 'video/mp4' },
			body: testMp4('stored on main only', 100 * 1024),
		});
		expect(answer.status).toBe(500);

		const [execution] = await cluster.waitForExecutions(CHAIN.id, 1, ['error']);
		expect(cluster.workerOf(execution.id)).toBe('worker-1');
		// The file is on main's disk, not on the worker's.
		expect(storedFiles(cluster.mainInstance.userFolder).length).toBeGreaterThan(0);
		expect(storedFiles(cluster.workers[0].instance.userFolder)).toEqual([]);
		// Nothing reached OctopusX: no submit, not even a lookup.
		expect(sim.requests).toEqual([]);

		const { strings } = await cluster.savedExecution(execution.id);
		const message = strings.find((m) => m.startsWith("The file in Input Binary Field 'data'"));
		expect(message).toMatch(
			/^The file in Input Binary Field 'data' cannot be read on this n8n instance/,
		);
		const description = strings.find((d) => d.includes('N8N_DEFAULT_BINARY_DATA_MODE=database'));
		expect(description).toContain('queue mode');
		expect(description).toContain('Nothing was sent to OctopusX');
	});
});
