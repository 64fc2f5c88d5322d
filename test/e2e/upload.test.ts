/**
 * The reference upload on the paths users have: over TLS, and through an HTTP(S) proxy (`HTTPS_PROXY`,
 * a CONNECT tunnel), on links slow enough that the body waits in n8n's streams and sockets. The
 * simulator decodes the data URI it receives; every byte must be the clip's. The same with Node's
 * default high-water marks raised far above a piece, so no stream in the way stops at one piece.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import { sha256, testMp4 } from './media';
import type { ExecuteResult, N8nInstance } from './n8n';
import { CREDENTIAL_TYPE } from './package';
import { describeE2E, newInstance, workDir } from './suite';
import {
	makeCertificates,
	startConnectProxy,
	startTlsFront,
	type ConnectProxy,
	type Listening,
} from './tlsProxy';
import { loadWorkflow, TEST_WORKFLOWS_DIR } from './workflows';

const MiB = 1024 * 1024;
/** 12 MiB (16.8 MB of body) at 4 MB/s: about four seconds, a few MB of it waiting in n8n. */
const CLIP_BYTES = 12 * MiB;
const LINK_BYTES_PER_SEC = 4_000_000;
const API_HOST = 'api.octopusx.test';
const WRONG_HOST = 'wrong.octopusx.test';

/** One credential and one Read File → Submit workflow per way to the API. */
const PATHS = {
	direct: { workflow: 'e2eUploadDirect', credential: { id: 'octopusxUploadTls', name: 'TLS' } },
	proxied: { workflow: 'e2eUploadProxied', credential: { id: 'octopusxUploadPrx', name: 'Proxy' } },
	wrongName: {
		workflow: 'e2eUploadWrongName',
		credential: { id: 'octopusxUploadBad', name: 'Bad' },
	},
};

describeE2E('the reference upload over TLS and through a proxy, on slow links', () => {
	let sim: OctopusSimulator;
	const servers: Listening[] = [];
	let proxy: ConnectProxy;
	let preload: string;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 60_000 });
		const simPort = Number(new URL(sim.baseUrl).port);
		const dir = join(workDir(), 'upload-paths');
		const certs = makeCertificates(join(dir, 'api'), [API_HOST, '127.0.0.1']);
		const wrongName = makeCertificates(join(dir, 'other'), ['other.example'], join(dir, 'api'));
		const slowTls = await startTlsFront(certs, simPort, LINK_BYTES_PER_SEC);
		const tls = await startTlsFront(certs, simPort);
		const wrongTls = await startTlsFront(wrongName, simPort);
		proxy = await startConnectProxy({
			hosts: { [`${API_HOST}:443`]: tls.port, [`${WRONG_HOST}:443`]: wrongTls.port },
			bytesPerSec: LINK_BYTES_PER_SEC,
		});
		servers.push(slowTls, tls, wrongTls, proxy);
		preload = join(dir, 'high-water-marks.js');
		writeFileSync(
			preload,
			"require('node:stream').setDefaultHighWaterMark(false, 4 * 1024 * 1024);\n" +
				"process.stderr.write('[preload] default high-water mark ' + require('node:stream').getDefaultHighWaterMark(false) + '\\n');\n",
		);

		// The CA is trusted as a user trusts a private one; the proxy is n8n's for every request but
		// those to 127.0.0.1 (the direct HTTPS case).
		n8n = newInstance({
			NODE_EXTRA_CA_CERTS: certs.caFile,
			HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
			HTTP_PROXY: `http://127.0.0.1:${proxy.port}`,
			NO_PROXY: '127.0.0.1',
		});
		const baseUrls = {
			direct: `https://127.0.0.1:${slowTls.port}`,
			proxied: `https://${API_HOST}`,
			wrongName: `https://${WRONG_HOST}`,
		};
		const paths = Object.entries(PATHS) as Array<[keyof typeof PATHS, (typeof PATHS)['direct']]>;
		await n8n.importCredentials(
			paths.map(([path, { credential }]) => ({
				...credential,
				type: CREDENTIAL_TYPE,
				data: { apiKey: sim.apiKey, baseUrl: baseUrls[path] },
			})),
		);
		await n8n.importWorkflows(
			paths.map(([, { workflow, credential }]) => ({
				...loadWorkflow(join(TEST_WORKFLOWS_DIR, 'submit-file.json'), {
					credential,
					filesDir: n8n.filesDir,
				}),
				id: workflow,
			})),
		);
		mkdirSync(join(n8n.filesDir, 'upload'), { recursive: true });
	});

	afterAll(async () => {
		await n8n?.dispose();
		await Promise.all(servers.map(async (s) => await s.stop()));
		await sim?.stop();
	});

	beforeEach(() => {
		sim.reset();
		proxy.tunnels.length = 0;
	});

	async function submit(
		path: keyof typeof PATHS,
		clip: Buffer,
		env: Record<string, string> = {},
	): Promise<ExecuteResult> {
		writeFileSync(join(n8n.filesDir, 'upload', 'clip.mp4'), clip);
		return await n8n.execute(PATHS[path].workflow, { env });
	}

	function expectIntact(result: ExecuteResult, clip: Buffer): void {
		const error = result.run?.data.resultData.error;
		expect([result.code, error?.message]).toEqual([0, undefined]);
		const submits = sim.requestsTo('submit');
		expect(submits).toHaveLength(1);
		const [taken] = submits;
		const video = (taken.json as { video?: { bytes?: number; sha256?: string } }).video;
		// The simulator decoded the data URI: the same length and the same bytes as the clip.
		expect(video).toEqual(
			expect.objectContaining({ bytes: clip.length, sha256: sha256(clip), dataUri: true }),
		);
		expect(taken.bodyBytes).toBe(Number(taken.headers['content-length']));
		expect(taken.status).toBe(200);
	}

	it('over HTTPS on a slow link: every byte of the clip arrives', async () => {
		const clip = testMp4('over TLS', CLIP_BYTES);

		const result = await submit('direct', clip);

		expectIntact(result, clip);
		expect(proxy.tunnels).toEqual([]);
	});

	it('through a CONNECT proxy (HTTPS_PROXY) on a slow link: every byte of the clip arrives', async () => {
		const clip = testMp4('through a proxy', CLIP_BYTES);

		const result = await submit('proxied', clip);

		expectIntact(result, clip);
		expect(proxy.tunnels).toEqual([`${API_HOST}:443`]);
	});

	it('the same with Node’s default high-water marks raised to 4 MiB in n8n: still intact', async () => {
		const clip = testMp4('high-water marks', CLIP_BYTES);

		const result = await submit('proxied', clip, { NODE_OPTIONS: `--require ${preload}` });

		expect(result.stderr).toContain(`[preload] default high-water mark ${4 * MiB}`);
		expectIntact(result, clip);
		expect(proxy.tunnels).toEqual([`${API_HOST}:443`]);
	});

	it('a certificate for another name: the submit stops before sending anything', async () => {
		const result = await submit('wrongName', testMp4('wrong name', 64 * 1024));

		const error = result.run?.data.resultData.error;
		expect([result.code, error?.message]).toEqual([
			1,
			expect.stringMatching(
				/^Could not reach the OctopusX API at .* \(ERR_TLS_CERT_ALTNAME_INVALID\)$/,
			),
		]);
		// Said to be nothing sent, with the fix; never "may or may not have been created".
		expect(error?.description).toContain('NODE_EXTRA_CA_CERTS');
		expect(error?.description).toContain('Nothing was submitted.');
		expect(proxy.tunnels).toEqual([`${WRONG_HOST}:443`]);
		expect(sim.requests).toEqual([]);
	});
});
