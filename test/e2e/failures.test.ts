/**
 * Failures a user meets inside n8n: a wrong file stops the run before anything is paid for, and a broken
 * package (a wrong `dist/` path in its `n8n` section) leaves n8n without the node, which this suite notices.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import { SIM_CREDENTIAL, simCredential } from './expect';
import { testMp4, testPng } from './media';
import type { N8nInstance } from './n8n';
import { installPackage, NODE_TYPE, repackWith } from './package';
import { bareInstance, describeE2E, newInstance, tarball, workDir } from './suite';
import { EXAMPLES_DIR, loadWorkflow, TEST_WORKFLOWS_DIR } from './workflows';

describeE2E('OctopusX failures in a real n8n', () => {
	let sim: OctopusSimulator;
	const instances: N8nInstance[] = [];

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 1500 });
	});

	afterAll(async () => {
		await Promise.all(instances.map(async (i) => await i.dispose()));
		await sim?.stop();
	});

	beforeEach(() => sim.reset());

	it('stops on a PNG given as the video: exit code 1, the error names the file and the field, nothing sent', async () => {
		const n8n = newInstance();
		instances.push(n8n);
		await n8n.importCredentials([simCredential(sim)]);
		await n8n.importWorkflows([
			loadWorkflow(join(TEST_WORKFLOWS_DIR, 'bad-input.json'), {
				credential: SIM_CREDENTIAL,
				filesDir: n8n.filesDir,
			}),
		]);
		mkdirSync(join(n8n.filesDir, 'bad'), { recursive: true });
		writeFileSync(join(n8n.filesDir, 'bad', 'picture.png'), testPng());

		const result = await n8n.execute('e2eBadInput');

		expect(result.code).toBe(1);
		const error = result.run?.data.resultData.error;
		expect(error?.node?.name).toBe('Submit Video Task');
		expect(error?.message).toContain("'picture.png' is not an MP4 video");
		expect(error?.message).toContain('PNG');
		expect(error?.description).toContain('Input Binary Field');
		// What n8n prints after the run is the same error, for whoever reads the terminal.
		expect(result.after).toContain('is not an MP4 video');
		expect(sim.requests).toEqual([]);
	});

	it('notices a package whose n8n section points at a wrong dist/ path: the node type is unknown', async () => {
		const broken = repackWith(tarball(), join(workDir(), 'broken-package'), (manifest) => {
			const n8nSection = manifest.n8n as { nodes: string[] };
			n8nSection.nodes = n8nSection.nodes.map((p) => p.replace('dist/', 'dist/wrong/'));
		});
		const n8n = bareInstance();
		instances.push(n8n);
		installPackage(broken, n8n.userFolder);
		await n8n.importCredentials([simCredential(sim)]);
		await n8n.importWorkflows([
			loadWorkflow(join(EXAMPLES_DIR, 'video-to-video.json'), {
				credential: SIM_CREDENTIAL,
				filesDir: n8n.filesDir,
			}),
		]);
		mkdirSync(join(n8n.filesDir, 'octopusx'), { recursive: true });
		writeFileSync(join(n8n.filesDir, 'octopusx', 'input.mp4'), testMp4('broken package'));

		const result = await n8n.execute('octopusxVideoToVideo');

		// The same workflow the good package runs (workflows.test.ts) cannot run here.
		expect(result.code).not.toBe(0);
		expect(`${result.stdout}\n${result.stderr}`).toMatch(
			new RegExp(`Unrecognized node type: ${NODE_TYPE.replace('.', '\\.')}`),
		);
		expect(sim.requests).toEqual([]);
	});
});
