import { createHash } from 'node:crypto';

import { OctopusSimulator, playableMp4, type RecordedRequest } from './index';

const MiB = 1024 * 1024;

function mp4DataUri(bytes: number, fill = 7): string {
	const buf = Buffer.alloc(bytes, fill);
	buf.write('\0\0\0\x18ftypisom', 0, 'latin1');
	return `data:video/mp4;base64,${buf.toString('base64')}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('OctopusSimulator', () => {
	let sim: OctopusSimulator;
	const auth = (): Record<string, string> => ({ authorization: `Bearer ${sim.apiKey}` });
	const jsonHeaders = (): Record<string, string> => ({
		...auth(),
		'content-type': 'application/json',
	});

	async function submit(body: Record<string, unknown>): Promise<Response> {
		return fetch(`${sim.baseUrl}/v1/videos`, {
			method: 'POST',
			headers: jsonHeaders(),
			body: JSON.stringify(body),
		});
	}
	async function submitOk(
		prompt = 'make it rain',
		extra: Record<string, unknown> = {},
	): Promise<string> {
		const res = await submit({ model: 'omni-fast-v2v', prompt, video: mp4DataUri(1000), ...extra });
		expect(res.status).toBe(200);
		return ((await res.json()) as { id: string }).id;
	}
	async function status(id: string): Promise<Record<string, unknown>> {
		const res = await fetch(`${sim.baseUrl}/v1/videos/${id}`, { headers: auth() });
		return (await res.json()) as Record<string, unknown>;
	}

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 300, resultBytes: 64 * 1024 });
	});
	afterAll(() => sim.stop());
	beforeEach(() => {
		sim.reset();
		sim.setOptions({
			throttleBytesPerSec: undefined,
			maxConcurrentTasks: undefined,
			randomFaults: undefined,
		});
	});

	it('refuses a missing or wrong API key with an OpenAI-style 401', async () => {
		for (const headers of [{}, { authorization: 'Bearer sk-wrong' }] as Record<string, string>[]) {
			const res = await fetch(`${sim.baseUrl}/v1/models`, { headers });
			expect(res.status).toBe(401);
			expect(await res.json()).toEqual({
				error: {
					message: 'Invalid API key provided',
					type: 'invalid_request_error',
					param: null,
					code: 'invalid_api_key',
				},
			});
		}
	});

	it('lists the models', async () => {
		const res = await fetch(`${sim.baseUrl}/v1/models`, { headers: auth() });
		const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
		expect(body.object).toBe('list');
		expect(body.data.map((m) => m.id)).toEqual(['omni-fast-v2v', 'omni-fast']);
		expect(sim.requestsTo('models')).toHaveLength(1);
	});

	it('runs a task from submit to a cdn download equal to resultFor', async () => {
		const uri = mp4DataUri(5000);
		const res = await submit({ model: 'omni-fast-v2v', prompt: 'rain', video: uri, seconds: '8' });
		const created = (await res.json()) as Record<string, unknown>;
		expect(created).toMatchObject({
			object: 'video',
			status: 'queued',
			progress: 0,
			video_url: '',
		});
		const id = created.id as string;
		expect(id).toMatch(/^video_[0-9a-f]{24}$/);
		expect(created.task_id).toBe(id);

		const decoded = Buffer.from(uri.split(',')[1], 'base64');
		const sha = createHash('sha256').update(decoded).digest('hex');
		expect(sim.tasks.get(id)).toMatchObject({ referenceBytes: 5000, referenceSha256: sha });
		expect(sim.requestsTo('submit')[0].json).toMatchObject({
			video: { dataUri: true, mime: 'video/mp4', bytes: 5000, sha256: sha },
		});

		expect((await status(id)).status).toBe('queued');
		await sleep(150);
		const running = await status(id);
		expect(running.status).toBe('in_progress');
		expect(running.progress).toBeGreaterThanOrEqual(1);
		expect(running.progress).toBeLessThanOrEqual(99);
		await sleep(200);
		const done = await status(id);
		expect(done).toMatchObject({ status: 'completed', progress: 100 });
		expect(typeof done.completed_at).toBe('number');
		expect(typeof done.expires_at).toBe('number');
		const url = done.video_url as string;
		expect(url.startsWith(`${sim.cdnBaseUrl}/files/${id}.mp4?sig=`)).toBe(true);

		const file = await fetch(url);
		expect(file.headers.get('content-type')).toBe('video/mp4');
		const bytes = Buffer.from(await file.arrayBuffer());
		expect(bytes.equals(sim.resultFor(id))).toBe(true);
		expect(bytes.length).toBe(64 * 1024);
		expect(bytes.subarray(4, 12).toString('latin1')).toBe('ftypisom');
		expect(sim.requestsTo('cdn')[0].headers.authorization).toBeUndefined();

		const content = await fetch(`${sim.baseUrl}/v1/videos/${id}/content`, { headers: auth() });
		expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);

		expect((await fetch(url.replace(/sig=./, 'sig=x'))).status).toBe(403);
		expect((await fetch(url, { headers: auth() })).status).toBe(400);
	});

	it('gives every task its own result and streams large ones whole', async () => {
		sim.setOptions({ resultBytes: 6 * MiB + 3 });
		sim.setTaskDefaults({ durationMs: 0 });
		const a = await submitOk();
		const b = await submitOk();
		const body = (await status(a)) as { video_url: string };
		const got = Buffer.from(await (await fetch(body.video_url)).arrayBuffer());
		expect(got.length).toBe(6 * MiB + 3);
		expect(got.equals(sim.resultFor(a))).toBe(true);
		expect(sim.resultFor(a).subarray(64, 1064).equals(sim.resultFor(b).subarray(64, 1064))).toBe(
			false,
		);
		const range = await fetch(body.video_url, { headers: { range: 'bytes=100-199' } });
		expect(range.status).toBe(206);
		expect(Buffer.from(await range.arrayBuffer()).equals(got.subarray(100, 200))).toBe(true);
		sim.setOptions({ resultBytes: 64 * 1024 });
	});

	it('answers 404 for an unknown task and 409 for content not ready', async () => {
		const missing = await fetch(`${sim.baseUrl}/v1/videos/video_x`, { headers: auth() });
		expect(missing.status).toBe(404);
		expect(await missing.json()).toMatchObject({
			error: { message: 'Task video_x not found', code: 'task_not_found' },
		});
		const id = await submitOk();
		expect(
			(await fetch(`${sim.baseUrl}/v1/videos/${id}/content`, { headers: auth() })).status,
		).toBe(409);
	});

	it('accepts a 15 MiB reference and refuses 15 MiB + 1 byte', async () => {
		const ok = await submit({ model: 'omni-fast-v2v', prompt: 'p', video: mp4DataUri(15 * MiB) });
		expect(ok.status).toBe(200);
		const tooBig = await submit({
			model: 'omni-fast-v2v',
			prompt: 'p',
			video: mp4DataUri(15 * MiB + 1),
		});
		expect(tooBig.status).toBe(413);
		expect(await tooBig.json()).toMatchObject({
			error: {
				message: expect.stringContaining('Reference video must be at most 15MB'),
				param: 'video',
			},
		});
		expect(sim.tasks.size).toBe(1);
		expect(sim.requestsTo('submit')[1].bodyBytes).toBeGreaterThan(20 * 1000 * 1000);
	});

	it.each([
		[{ model: 'sora', prompt: 'p', video: 'https://e.com/a.mp4' }, 'model'],
		[{ model: 'omni-fast-v2v', prompt: '', video: 'https://e.com/a.mp4' }, 'prompt'],
		[{ model: 'omni-fast-v2v', prompt: 'p' }, 'video'],
		[
			{
				model: 'omni-fast-v2v',
				prompt: 'p',
				video: 'https://e.com/a',
				input_video: 'https://e.com/b',
			},
			'input_video',
		],
		[{ model: 'omni-fast-v2v', prompt: 'p', video_url: 'ftp://e.com/a.mp4' }, 'video_url'],
		[{ model: 'omni-fast-v2v', prompt: 'p', video: 'data:video/webm;base64,AAAA' }, 'video'],
		[{ model: 'omni-fast-v2v', prompt: 'p', video: 'https://e.com/a', seconds: 8 }, 'seconds'],
		[{ model: 'omni-fast-v2v', prompt: 'p', video: 'https://e.com/a', seconds: '31' }, 'seconds'],
		[
			{ model: 'omni-fast-v2v', prompt: 'p', video: 'https://e.com/a', aspect_ratio: '4:3' },
			'aspect_ratio',
		],
		[
			{ model: 'omni-fast-v2v', prompt: 'p', video: 'https://e.com/a', resolution: '8k' },
			'resolution',
		],
		[{ model: 'omni-fast', prompt: 'p', images: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'images'],
		[{ model: 'omni-fast', prompt: 'p', video: 'https://e.com/a' }, 'video'],
		[{ model: 'omni-fast', prompt: 'p', colour: 'red' }, 'colour'],
	])('refuses an invalid submit %j naming param %s', async (body, param) => {
		const res = await submit(body);
		expect(res.status).toBe(400);
		const err = ((await res.json()) as { error: { param: string; message: string; type: string } })
			.error;
		expect(err.param).toBe(param);
		expect(err.type).toBe('invalid_request_error');
		expect(sim.tasks.size).toBe(0);
	});

	it('accepts omni-fast without a reference and a URL reference for v2v', async () => {
		expect(
			(await submit({ model: 'omni-fast', prompt: 'p', images: ['https://e.com/1.png'] })).status,
		).toBe(200);
		expect(
			(await submit({ model: 'omni-fast-v2v', prompt: 'p', input_video: 'https://e.com/a.mp4' }))
				.status,
		).toBe(200);
		expect([...sim.tasks.values()].every((t) => t.referenceSha256 === undefined)).toBe(true);
	});

	it('answers a queued 429 with Retry-After, once, then normally', async () => {
		sim.inject('submit', { kind: 'status', status: 429, retryAfter: 2 });
		const limited = await submit({ model: 'omni-fast', prompt: 'p' });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('2');
		expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
		expect(sim.tasks.size).toBe(0);
		expect((await submit({ model: 'omni-fast', prompt: 'p' })).status).toBe(200);
		expect(sim.requestsTo('submit').map((r) => [r.status, r.faulted])).toEqual([
			[429, 'status 429'],
			[200, undefined],
		]);
	});

	it('creates the task before an afterCreate 500', async () => {
		sim.inject('submit', { kind: 'status', status: 500, afterCreate: true });
		const res = await submit({ model: 'omni-fast', prompt: 'p' });
		expect(res.status).toBe(500);
		expect(sim.tasks.size).toBe(1);
	});

	it('resets the connection, with or without creating the task', async () => {
		sim.inject('submit', { kind: 'reset' });
		sim.inject('submit', { kind: 'reset', afterCreate: true });
		await expect(submit({ model: 'omni-fast', prompt: 'p' })).rejects.toThrow();
		expect(sim.tasks.size).toBe(0);
		await expect(submit({ model: 'omni-fast', prompt: 'p' })).rejects.toThrow();
		expect(sim.tasks.size).toBe(1);
		expect(sim.requestsTo('submit').map((r) => [r.status, r.faulted])).toEqual([
			[0, 'reset'],
			[0, 'reset afterCreate'],
		]);
	});

	it('serves raw bodies and delays', async () => {
		const id = await submitOk();
		sim.inject('status', { kind: 'raw', body: 'not json' });
		sim.inject('status', { kind: 'delay', ms: 300 });
		const raw = await fetch(`${sim.baseUrl}/v1/videos/${id}`, { headers: auth() });
		expect(raw.status).toBe(200);
		expect(await raw.text()).toBe('not json');
		const t0 = Date.now();
		expect((await status(id)).id).toBe(id);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
	});

	it('lets the prompt pick the outcome and the duration', async () => {
		const fail = await submitOk('x [sim:fail] [sim:seconds=0.1]');
		const cancel = await submitOk('x [sim:cancel] [sim:ms=100]');
		const never = await submitOk('x [sim:never] [sim:ms=100]');
		await sleep(150);
		expect(await status(fail)).toMatchObject({
			status: 'failed',
			error: {
				message: 'Generation failed: the reference video could not be decoded',
				code: 'generation_failed',
			},
		});
		expect(await status(cancel)).toMatchObject({
			status: 'cancelled',
			error: { code: 'task_cancelled' },
		});
		expect(await status(never)).toMatchObject({ status: 'in_progress', progress: 99 });
		expect(sim.tasks.get(fail)).toMatchObject({ outcome: 'fail', durationMs: 100 });
	});

	it('answers in the data_array style', async () => {
		const id = await submitOk('x [sim:data-array] [sim:ms=200]');
		await sleep(100);
		expect((await status(id)).status).toBe('processing');
		await sleep(150);
		const done = await status(id);
		expect(done.status).toBe('succeeded');
		expect(done.video_url).toBeUndefined();
		const url = (done.data as { url: string }[])[0].url;
		expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(sim.resultFor(id))).toBe(
			true,
		);
	});

	it('limits concurrent tasks per key', async () => {
		sim.setOptions({ maxConcurrentTasks: 1 });
		await submitOk('[sim:ms=200]');
		const refused = await submit({ model: 'omni-fast', prompt: 'p' });
		expect(refused.status).toBe(429);
		expect(await refused.json()).toMatchObject({
			error: { code: 'token_concurrency_limit_reached' },
		});
		// Unlike a request-rate limit, it says nothing of when to come back: a task must finish first.
		expect(refused.headers.get('retry-after')).toBeNull();
		await sleep(220);
		expect((await submit({ model: 'omni-fast', prompt: 'p' })).status).toBe(200);
	});

	it('tells a request-rate 429 (with Retry-After) from the concurrency limit', async () => {
		sim.inject('submit', { kind: 'status', status: 429, retryAfter: 2 });
		const limited = await submit({ model: 'omni-fast', prompt: 'p' });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('2');
		const body = (await limited.json()) as { error: { code: string } };
		expect(body.error.code).not.toBe('token_concurrency_limit_reached');
		expect(sim.tasks.size).toBe(0);
	});

	it('throttles downloads and each upload connection on its own', async () => {
		sim.setOptions({ resultBytes: 200 * 1000, throttleBytesPerSec: 100 * 1000 });
		sim.setTaskDefaults({ durationMs: 0 });
		const id = await submitOk();
		const url = ((await status(id)) as { video_url: string }).video_url;
		const timed = async <T>(p: Promise<T>): Promise<[T, number]> => {
			const t0 = Date.now();
			const value = await p;
			return [value, Date.now() - t0];
		};
		const uploads = Array.from({ length: 5 }, () =>
			timed(submit({ model: 'omni-fast-v2v', prompt: 'p', video: mp4DataUri(75 * 1000) })),
		);
		const [[file, downloadMs], ...answers] = await Promise.all([
			timed(fetch(url).then((r) => r.arrayBuffer())),
			...uploads,
		]);
		expect(file.byteLength).toBe(200 * 1000);
		// 200 KB at 100 KB/s is about 2 s; each 100 KB upload about 1 s, in parallel rather than 5 s in a row.
		expect(downloadMs).toBeGreaterThanOrEqual(1500);
		expect(downloadMs).toBeLessThan(3500);
		for (const [res, ms] of answers) {
			expect(res.status).toBe(200);
			expect(ms).toBeGreaterThanOrEqual(700);
			expect(ms).toBeLessThan(2500);
		}
		const up = sim.requestsTo('submit').slice(1);
		expect(up.every((r) => r.bodyBytes > 100 * 1000)).toBe(true);
		sim.setOptions({ resultBytes: 64 * 1024 });
	});

	it('tracks the most requests in flight', async () => {
		const id = await submitOk();
		sim.inject('status', { kind: 'delay', ms: 200 }, 4);
		await Promise.all(Array.from({ length: 4 }, () => status(id)));
		expect(sim.maxInFlight('status')).toBe(4);
		expect(sim.maxInFlight()).toBeGreaterThanOrEqual(4);
		expect(sim.maxInFlight('submit')).toBe(1);
	});

	it('draws reproducible random faults from the seed', async () => {
		const run = async (): Promise<(string | undefined)[]> => {
			sim.reset();
			sim.setOptions({ randomFaults: { rate: 0.5, seed: 42, routes: ['models'] } });
			for (let i = 0; i < 12; i++) {
				await fetch(`${sim.baseUrl}/v1/models`, { headers: auth() }).catch(() => undefined);
			}
			return [...sim.requests].sort((a, b) => a.seq - b.seq).map((r: RecordedRequest) => r.faulted);
		};
		const first = await run();
		expect(first.filter(Boolean).length).toBeGreaterThan(0);
		expect(first.some((f) => f === undefined)).toBe(true);
		expect(await run()).toEqual(first);
	});

	it('is controlled over HTTP under /__sim', async () => {
		const inject = await fetch(`${sim.baseUrl}/__sim/inject`, {
			method: 'POST',
			body: JSON.stringify({ route: 'models', fault: { kind: 'status', status: 503 }, times: 2 }),
		});
		expect(inject.status).toBe(200);
		for (const want of [503, 503, 200]) {
			expect((await fetch(`${sim.baseUrl}/v1/models`, { headers: auth() })).status).toBe(want);
		}
		const id = await submitOk();
		const recorded = (await (
			await fetch(`${sim.baseUrl}/__sim/requests`)
		).json()) as RecordedRequest[];
		expect(recorded.map((r) => r.route)).toEqual(['models', 'models', 'models', 'submit']);
		const tasks = (await (await fetch(`${sim.baseUrl}/__sim/tasks`)).json()) as { id: string }[];
		expect(tasks.map((t) => t.id)).toEqual([id]);
		const result = Buffer.from(
			await (await fetch(`${sim.baseUrl}/__sim/result/${id}`)).arrayBuffer(),
		);
		expect(result.equals(sim.resultFor(id))).toBe(true);
		const post = (route: string, body: unknown): Promise<Response> =>
			fetch(`${sim.baseUrl}/__sim/${route}`, { method: 'POST', body: JSON.stringify(body) });
		expect((await post('options', { randomFaults: { rate: 'often', seed: 1 } })).status).toBe(400);
		expect((await post('task-defaults', { outcome: 'explode' })).status).toBe(400);
		expect((await post('inject', { route: 'nowhere', fault: { kind: 'reset' } })).status).toBe(400);
		expect(
			(await post('options', { throttleBytesPerSec: null, maxConcurrentTasks: 3 })).status,
		).toBe(200);
		expect((await post('reset', {})).status).toBe(200);
		expect(sim.requests).toHaveLength(0);
		expect(sim.tasks.size).toBe(0);
	});
});

describe('OctopusSimulator with a playable result video (the dev editor)', () => {
	it('serves the same real MP4 for every task, from the cdn and /content, with ranges', async () => {
		const video = playableMp4();
		// A real file: ftyp, then the movie header before the media data (it starts playing at once).
		expect(video.length).toBeLessThan(8 * 1024);
		expect(video.subarray(4, 8).toString('latin1')).toBe('ftyp');
		expect(video.indexOf('moov')).toBeLessThan(video.indexOf('mdat'));
		expect(video.includes('avc1')).toBe(true);

		const sim = await OctopusSimulator.start({ taskDurationMs: 0, resultVideo: video });
		try {
			const headers = { authorization: `Bearer ${sim.apiKey}` };
			const ids: string[] = [];
			for (const prompt of ['one', 'two']) {
				const created = await fetch(`${sim.baseUrl}/v1/videos`, {
					method: 'POST',
					headers: { ...headers, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'omni-fast', prompt, seconds: '8' }),
				});
				ids.push(((await created.json()) as { id: string }).id);
			}
			for (const id of ids) {
				const done = (await (
					await fetch(`${sim.baseUrl}/v1/videos/${id}`, { headers })
				).json()) as { status: string; video_url: string };
				expect(done.status).toBe('completed');
				const file = Buffer.from(await (await fetch(done.video_url)).arrayBuffer());
				expect(file.equals(video)).toBe(true);
				const content = await fetch(`${sim.baseUrl}/v1/videos/${id}/content`, { headers });
				expect(Buffer.from(await content.arrayBuffer()).equals(video)).toBe(true);
				// A browser's <video> asks for ranges.
				const part = await fetch(done.video_url, { headers: { range: 'bytes=100-199' } });
				expect(part.status).toBe(206);
				expect(Buffer.from(await part.arrayBuffer()).equals(video.subarray(100, 200))).toBe(true);
				expect(sim.resultFor(id).equals(video)).toBe(true);
			}
		} finally {
			await sim.stop();
		}
	});
});
