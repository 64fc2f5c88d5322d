import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { loadPackage, runOctopusX, testCredentialsRequest, type RunOptions } from '.';

/**
 * Proves the harness itself against a tiny fixture package (fixture/), independent of the real
 * node: authenticated HTTP, binaries in both modes, errors under each onError, cancel, chains.
 */
const packageDir = join(__dirname, 'fixture');
const apiKey = 'fixture-secret-key-0123456789';

interface Seen {
	url: string;
	headers: IncomingHttpHeaders;
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];

beforeAll(async () => {
	server = createServer((req, res) => {
		seen.push({ url: req.url ?? '', headers: req.headers });
		const reply = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (req.headers.authorization !== `Bearer ${apiKey}`) {
			return reply(401, { error: { message: 'Invalid API key', type: 'invalid_request_error' } });
		}
		if (req.url === '/whoami') return reply(200, { user: 'tester' });
		return reply(500, { error: { message: 'boom' } });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	seen.length = 0;
});

const run = async (options: Partial<RunOptions> = {}) =>
	await runOctopusX({
		packageDir,
		parameters: { operation: 'call' },
		credentials: { apiKey, baseUrl },
		...options,
	});

test('loads the package through PackageDirectoryLoader under its community name', async () => {
	const pkg = await loadPackage(packageDir);
	expect(pkg.nodes).toEqual([{ type: 'n8n-nodes-harness-fixture.fixture', version: 1 }]);
	expect(pkg.credentialTypes).toEqual(['fixtureApi']);
});

test("applies the credential's generic Bearer header to a real request", async () => {
	const result = await run();
	expect(result.error).toBeUndefined();
	expect(result.status).toBe('success');
	expect(result.outputs[0].map((item) => item.json)).toEqual([{ answer: { user: 'tester' } }]);
	expect(seen).toHaveLength(1);
	expect(seen[0].headers.authorization).toBe(`Bearer ${apiKey}`);
});

test('stores binaries on disk in filesystem mode and reads them back', async () => {
	const bytes = Buffer.from('0123456789abcdef');
	const result = await run({
		items: [{ json: {}, binary: { data: { bytes, mimeType: 'video/mp4', fileName: 'in.mp4' } } }],
	});
	expect(result.error).toBeUndefined();
	const [item] = result.outputs[0];
	expect(item.json.inputSize).toBe(16);
	expect(item.binary?.data.data).toBe('filesystem-v2');
	expect(item.binary?.data.id).toMatch(/^filesystem-v2:/);
	expect(item.binary?.data).toMatchObject({ fileName: 'reversed.bin', mimeType: 'video/mp4' });
	expect(await result.binary(item)).toEqual(Buffer.from(bytes).reverse());
});

test('keeps binaries inline in default mode', async () => {
	const bytes = Buffer.from('inline bytes');
	const result = await run({
		binaryMode: 'default',
		items: [{ binary: { data: { bytes, fileName: 'in.mp4', mimeType: 'video/mp4' } } }],
	});
	const [item] = result.outputs[0];
	expect(item.binary?.data.id).toBeUndefined();
	expect(Buffer.from(item.binary?.data.data ?? '', 'base64')).toEqual(Buffer.from(bytes).reverse());
	expect(await result.binary(item)).toEqual(Buffer.from(bytes).reverse());
});

test('fails the workflow when the node has no credential', async () => {
	const result = await run({ credentials: null });
	expect(result.status).toBe('error');
	expect(result.error?.message).toBe('Node does not have any credentials set');
	expect(seen).toHaveLength(0);
});

test("surfaces the API's refusal as a NodeApiError with its HTTP code", async () => {
	const result = await run({ credentials: { apiKey: 'wrong', baseUrl } });
	expect(result.status).toBe('error');
	expect(result.error?.httpCode).toBe('401');
	expect(result.error?.node?.name).toBe('Fixture');
	expect(result.outputs).toEqual([]);
});

test('continueRegularOutput turns the failure into an item', async () => {
	const result = await run({
		credentials: { apiKey: 'wrong', baseUrl },
		onError: 'continueRegularOutput',
	});
	expect(result.error).toBeUndefined();
	expect(result.outputs).toHaveLength(1);
	expect(result.outputs[0][0].json.error).toEqual(expect.any(String));
});

test('continueErrorOutput routes the failed item to the second output', async () => {
	const result = await run({
		credentials: { apiKey: 'wrong', baseUrl },
		onError: 'continueErrorOutput',
		items: [{ json: { n: 1 } }],
	});
	expect(result.error).toBeUndefined();
	expect(result.outputs).toHaveLength(2);
	expect(result.outputs[0]).toEqual([]);
	expect(result.outputs[1]).toHaveLength(1);
});

test("cancelling aborts the node's sleep through its cancel signal", async () => {
	const result = await run({
		parameters: { operation: 'wait', waitMs: 10_000 },
		cancelAfterMs: 100,
	});
	expect(result.status).toBe('canceled');
	// What sleep rejects with in a real n8n process (see realm-fix.ts).
	expect(result.error?.message).toBe('This operation was aborted');
	expect(result.durationMs).toBeLessThan(2_000);
	expect(result.outputs).toEqual([]);
});

test('chains nodes: the second one receives the first one’s output', async () => {
	const result = await run({ chain: [{ parameters: { operation: 'wait', waitMs: 10 } }] });
	expect(result.error).toBeUndefined();
	expect(result.nodeNames).toEqual(['Fixture', 'Fixture1']);
	expect(result.nodeOutputs(0)[0]).toHaveLength(1);
	expect(result.outputs[0].map((item) => item.json)).toEqual([{ waited: 10 }]);
});

test('collects what the node and the engine logged, without the key', async () => {
	const result = await run();
	expect(result.logs.some((line) => line.includes('fixture calling the server'))).toBe(true);
	expect(result.logs.some((line) => line.includes('Workflow execution finished'))).toBe(true);
	expect(result.logs.join('\n')).not.toContain(apiKey);
});

test("runs the credential's test request for real", async () => {
	await expect(testCredentialsRequest({ apiKey, baseUrl }, { packageDir })).resolves.toEqual({
		status: 'OK',
		message: 'Connection successful!',
	});
	expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${apiKey}`);
	await expect(
		testCredentialsRequest({ apiKey: 'wrong', baseUrl }, { packageDir }),
	).resolves.toEqual({ status: 'Error', message: 'Unauthorized' });
});
