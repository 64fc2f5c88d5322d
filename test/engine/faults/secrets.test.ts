import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { runOctopusX } from '../harness';
import {
	expectNoLeak,
	getStatus,
	KEY,
	mp4Bytes,
	run,
	submit,
	videoItem,
	waitUntilDone,
	withSim,
} from './support';

/**
 * The API key goes to the configured base URL and nowhere else. Every run of the fault suite
 * checks it (see `run` in support.ts); these cases aim at the places a key could slip out.
 */
describe('the API key goes to the base URL only', () => {
	test.concurrent('a batch: every API request carries the key, no CDN download does', async () => {
		await withSim(async (sim) => {
			const result = await run(sim, {
				parameters: submit('={{ $json.prompt }}'),
				items: [
					videoItem({ prompt: 'one' }),
					videoItem({ prompt: 'two' }),
					videoItem({ prompt: 'three' }),
				],
				chain: [{ parameters: waitUntilDone() }],
			});

			expect(result.error).toBeUndefined();
			const api = sim.requests.filter((r) => r.server === 'api');
			const cdn = sim.requests.filter((r) => r.server === 'cdn');
			expect(cdn).toHaveLength(3);
			expect(cdn.map((r) => r.headers.authorization)).toEqual([undefined, undefined, undefined]);
			expect(api.length).toBeGreaterThan(3);
			for (const r of api) expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
		});
	});
});

/** A stand-in API whose answers point the download elsewhere, and a file host that records headers. */
interface Seen {
	path: string;
	host?: string;
	authorization?: string;
}
async function listen(
	host: string,
	handle: (
		path: string,
		headers: IncomingHttpHeaders,
	) => { status: number; headers?: Record<string, string>; body?: Buffer | string },
) {
	const seen: Seen[] = [];
	const server: Server = createServer((req, res) => {
		seen.push({
			path: req.url ?? '',
			host: req.headers.host,
			authorization: req.headers.authorization,
		});
		const answer = handle(req.url ?? '', req.headers);
		res.writeHead(answer.status, answer.headers);
		res.end(answer.body);
	});
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	const url = `http://${host}:${(server.address() as AddressInfo).port}`;
	return { seen, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('downloads that lead elsewhere', () => {
	const video = mp4Bytes(20 * 1024);
	const fileHost = (host: string) =>
		listen(host, () => ({ status: 200, headers: { 'content-type': 'video/mp4' }, body: video }));

	/** An API on 127.0.0.1 that reports one finished task whose result is at `videoUrl(api)`. */
	async function fakeApi(
		videoUrl: (apiUrl: string) => string,
		content: (apiUrl: string) => {
			status: number;
			headers?: Record<string, string>;
			body?: Buffer | string;
		},
	) {
		let apiUrl = '';
		const api = await listen('127.0.0.1', (path, headers) => {
			if (headers.authorization !== `Bearer ${KEY}`) return { status: 401, body: '{}' };
			if (path === '/v1/videos/video_elsewhere') {
				return {
					status: 200,
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({
						id: 'video_elsewhere',
						status: 'completed',
						progress: 100,
						video_url: videoUrl(apiUrl),
					}),
				};
			}
			if (path === '/v1/videos/video_elsewhere/content') return content(apiUrl);
			if (path === '/file.mp4')
				return { status: 200, headers: { 'content-type': 'video/mp4' }, body: video };
			return { status: 404, body: '{}' };
		});
		apiUrl = api.url;
		return api;
	}

	async function download(baseUrl: string) {
		const result = await runOctopusX({
			parameters: getStatus('video_elsewhere', { download: true }),
			credentials: { apiKey: KEY, baseUrl },
		});
		expectNoLeak(result, [KEY]);
		expect(result.error).toBeUndefined();
		return result;
	}

	test("a redirect from the API's /content to another host does not take the key along", async () => {
		const files = await fileHost('127.0.0.2');
		const api = await fakeApi(
			() => '',
			() => ({ status: 302, headers: { location: `${files.url}/signed/video.mp4?sig=abc` } }),
		);
		try {
			const result = await download(api.url);
			expect(await result.binary(result.outputs[0][0])).toEqual(video);
			expect(api.seen.map((s) => [s.path, s.authorization])).toEqual([
				['/v1/videos/video_elsewhere', `Bearer ${KEY}`],
				['/v1/videos/video_elsewhere/content', `Bearer ${KEY}`],
			]);
			expect(files.seen).toEqual([
				{ path: '/signed/video.mp4?sig=abc', host: files.url.slice(7), authorization: undefined },
			]);
		} finally {
			await Promise.all([api.close(), files.close()]);
		}
	});

	test('a video_url on the same IP but another port is another origin: no key', async () => {
		const files = await fileHost('127.0.0.1');
		const api = await fakeApi(
			() => `${files.url}/v.mp4`,
			() => ({ status: 500 }),
		);
		try {
			const result = await download(api.url);
			expect(await result.binary(result.outputs[0][0])).toEqual(video);
			expect(files.seen).toEqual([
				{ path: '/v.mp4', host: files.url.slice(7), authorization: undefined },
			]);
		} finally {
			await Promise.all([api.close(), files.close()]);
		}
	});

	test("a video_url that dresses another host up with the API's address as user info: no key", async () => {
		const files = await fileHost('127.0.0.2');
		const api = await fakeApi(
			(apiUrl) => `http://${apiUrl.slice(7)}@${files.url.slice(7)}/v.mp4`,
			() => ({ status: 500 }),
		);
		try {
			const result = await download(api.url);
			expect(await result.binary(result.outputs[0][0])).toEqual(video);
			// The URL's own user info goes as Basic auth (that is what such a URL means); the key does not.
			expect(files.seen).toHaveLength(1);
			const header = files.seen[0].authorization ?? '';
			expect(header).not.toMatch(/^Bearer/);
			expect(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString()).not.toContain(KEY);
		} finally {
			await Promise.all([api.close(), files.close()]);
		}
	});

	test("a video_url on the API's own origin gets the key (it is the API)", async () => {
		const api = await fakeApi(
			(apiUrl) => `${apiUrl}/file.mp4`,
			() => ({ status: 500 }),
		);
		try {
			const result = await download(api.url);
			expect(await result.binary(result.outputs[0][0])).toEqual(video);
			expect(api.seen.find((s) => s.path === '/file.mp4')?.authorization).toBe(`Bearer ${KEY}`);
		} finally {
			await api.close();
		}
	});
});
