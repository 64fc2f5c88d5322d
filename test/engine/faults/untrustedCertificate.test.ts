import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runOctopusX } from '../harness';
import { expectNoLeak, getStatus, KEY, submit, videoItem } from './support';

/**
 * A Base URL whose server shows a certificate this machine does not trust (a gateway with a private
 * CA, a proxy that inspects TLS): the handshake fails before any byte of the request is sent. So
 * the submit error says nothing was submitted, names the fix, and the node does not try again.
 */
let server: Server;
let baseUrl: string;
let dir: string;
const seen = { connections: 0, requests: 0 };

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'octopusx-tls-'));
	execFileSync(
		'openssl',
		[
			...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
			...['-addext', 'subjectAltName=IP:127.0.0.1'],
			...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
		],
		{ stdio: 'ignore' },
	);
	server = createServer(
		{ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
		(_req, res) => {
			seen.requests++;
			res.writeHead(500).end();
		},
	);
	server.on('connection', () => seen.connections++);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
	rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
	seen.connections = 0;
	seen.requests = 0;
});

test('Submit: nothing was submitted, the error names the certificate fix, and one try only', async () => {
	const result = await runOctopusX({
		parameters: submit('a rainy night'),
		items: [videoItem()],
		credentials: { apiKey: KEY, baseUrl },
	});
	expectNoLeak(result, [KEY]);
	expect(result.error?.message).toBe(
		`Could not reach the OctopusX API at ${baseUrl} (DEPTH_ZERO_SELF_SIGNED_CERT)`,
	);
	expect(result.error?.description).toContain('NODE_EXTRA_CA_CERTS');
	expect(result.error?.description).toContain('Nothing was submitted.');
	expect(result.error?.description).not.toContain('may or may not');
	expect(seen).toEqual({ connections: 1, requests: 0 });
});

test('Get Status: the task is unaffected, and no status is asked for again', async () => {
	const result = await runOctopusX({
		parameters: getStatus('video_abc'),
		credentials: { apiKey: KEY, baseUrl },
	});
	expect(result.error?.message).toBe(
		`Could not reach the OctopusX API at ${baseUrl} (DEPTH_ZERO_SELF_SIGNED_CERT) (task video_abc)`,
	);
	expect(result.error?.description).toContain('The task is unaffected');
	expect(seen).toEqual({ connections: 1, requests: 0 });
});
