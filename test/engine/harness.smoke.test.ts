import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import {
	CREDENTIAL_TYPE,
	NODE_TYPE,
	loadPackage,
	runOctopusX,
	testCredentialsRequest,
} from './harness';

/**
 * The built package in n8n's engine, end to end against the simulator: loading, the credential
 * test, and one Submit with a binary MP4 from the previous node.
 */
let sim: OctopusSimulator;

beforeAll(async () => {
	sim = await OctopusSimulator.start();
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => sim.reset());

/** A small file that starts like an MP4 (an `ftyp` box), followed by filler. */
function mp4Bytes(size: number): Buffer {
	const bytes = Buffer.alloc(size, 7);
	bytes.writeUInt32BE(24, 0);
	bytes.write('ftypisom', 4, 'latin1');
	bytes.writeUInt32BE(0x200, 12);
	bytes.write('isommp41', 16, 'latin1');
	return bytes;
}

test('n8n loads the node and the credential under their community names', async () => {
	const pkg = await loadPackage();
	expect(pkg.nodes.map((node) => node.type)).toContain(NODE_TYPE);
	expect(pkg.credentialTypes).toContain(CREDENTIAL_TYPE);
});

test('the built package carries the codex and the icons n8n looks for', async () => {
	const pkg = await loadPackage();
	const { description } = pkg.nodeTypes.getByNameAndVersion(NODE_TYPE);
	// n8n reads the codex from OctopusX.node.json beside the built OctopusX.node.js.
	expect(description.codex?.categories).toEqual(expect.any(Array));
	const iconFiles = [description.iconUrl, pkg.getCredentialType(CREDENTIAL_TYPE).iconUrl]
		.flatMap((url) => (typeof url === 'string' ? [url] : [url?.light, url?.dark]))
		.map((url) => join(pkg.dir, String(url).replace(`icons/${pkg.packageName}/`, '')));
	expect(iconFiles).toHaveLength(4);
	for (const file of iconFiles) expect(existsSync(file) ? file : `missing: ${file}`).toBe(file);
});

test("the credential's Test succeeds with a good key and reports a bad one", async () => {
	await expect(
		testCredentialsRequest({ apiKey: sim.apiKey, baseUrl: sim.baseUrl }),
	).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
	const [models] = sim.requestsTo('models');
	expect(models.headers.authorization).toBe(`Bearer ${sim.apiKey}`);

	const refused = await testCredentialsRequest({ apiKey: 'sk-wrong', baseUrl: sim.baseUrl });
	expect(refused.status).toBe('Error');
});

test('Submit sends the binary MP4 as a data URI with the Bearer key and returns the task', async () => {
	const video = mp4Bytes(64 * 1024);
	const result = await runOctopusX({
		parameters: { operation: 'submit', prompt: 'Keep the camera path; make it a rainy night' },
		items: [{ binary: { data: { bytes: video, mimeType: 'video/mp4', fileName: 'in.mp4' } } }],
		credentials: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
	});

	expect(result.error).toBeUndefined();
	expect(result.status).toBe('success');
	const submits = sim.requestsTo('submit');
	expect(submits).toHaveLength(1);
	expect(submits[0].headers.authorization).toBe(`Bearer ${sim.apiKey}`);
	const body = submits[0].json as Record<string, unknown>;
	expect(body.model).toBe('omni-fast-v2v');
	const reference = Object.values(body).find(
		(value) => (value as { dataUri?: boolean })?.dataUri === true,
	);
	expect(reference).toMatchObject({
		mime: 'video/mp4',
		bytes: video.length,
		sha256: createHash('sha256').update(video).digest('hex'),
	});

	const [task] = [...sim.tasks.values()];
	expect(result.outputs[0]).toHaveLength(1);
	expect(JSON.stringify(result.outputs[0][0].json)).toContain(task.id);
	expect(result.logs.join('\n')).not.toContain(sim.apiKey);
});
