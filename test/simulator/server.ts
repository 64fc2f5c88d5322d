/**
 * The OctopusX simulator: the API on one listener, the result files on a second one (a CDN with signed
 * URLs), every request recorded, faults injectable, bandwidth throttled per connection.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { apiError, cdnError, json, type Answer } from './answers';
import { chatAnswer, defaultChatScript, type ChatScript } from './chatModel';
import { summariseJson } from './datauri';
import { checkFault, FaultPlan, faultAnswer } from './faults';
import { ResultStore } from './media';
import { mutableOptionsProblem, taskDefaultsProblem } from './options';
import { expiresAtSeconds, isActive, promptOverrides, taskPhase, taskView } from './tasks';
import { Throttle } from './throttle';
import {
	ROUTES,
	type Fault,
	type RecordedRequest,
	type Route,
	type SimTask,
	type SimulatorOptions,
	type TaskDefaults,
} from './types';
import { validateSubmit } from './validate';

const DEFAULT_API_KEY = 'sk-sim-0123456789abcdef';
/** Bodies past this are drained and refused with 413 rather than kept in memory. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Size of the public input videos under the cdn's /public/. */
const SOURCE_BYTES = 64 * 1024;
const MODEL_LIST = {
	object: 'list',
	data: [
		{ id: 'omni-fast-v2v', object: 'model', created: 1735689600, owned_by: 'octopusx' },
		{ id: 'omni-fast', object: 'model', created: 1735689600, owned_by: 'octopusx' },
	],
};

type ServerKind = 'api' | 'cdn';
type Settings = Required<
	Pick<
		SimulatorOptions,
		'host' | 'port' | 'cdnHost' | 'cdnPort' | 'apiKey' | 'taskDurationMs' | 'resultBytes'
	>
> &
	SimulatorOptions;
/** Options that may change while running. */
const MUTABLE_OPTIONS = [
	'throttleBytesPerSec',
	'taskDurationMs',
	'resultBytes',
	'maxConcurrentTasks',
	'randomFaults',
	'log',
] as const;

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function flattenHeaders(h: IncomingMessage['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(h)) {
		if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
	}
	return out;
}

function classify(kind: ServerKind, method: string, pathname: string): Route | 'unknown' {
	const read = method === 'GET' || method === 'HEAD';
	if (kind === 'cdn' && read && /^\/public\/[^/]+\.mp4$/.test(pathname)) return 'source';
	if (kind === 'cdn') return read && /^\/files\/[^/]+$/.test(pathname) ? 'cdn' : 'unknown';
	if (pathname === '/v1/chat/completions' || pathname === '/v1/responses') {
		return method === 'POST' ? 'chat' : 'unknown';
	}
	if (pathname === '/v1/models') return read ? 'models' : 'unknown';
	if (pathname === '/v1/videos') return method === 'POST' ? 'submit' : 'unknown';
	if (/^\/v1\/videos\/[^/]+\/content$/.test(pathname)) return read ? 'content' : 'unknown';
	if (/^\/v1\/videos\/[^/]+$/.test(pathname)) return read ? 'status' : 'unknown';
	return 'unknown';
}

function waitDrain(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = (): void => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

/** One `bytes=` range of a file of `size` bytes; null when unsatisfiable, undefined when absent. */
function parseRange(header: string | undefined, size: number): [number, number] | null | undefined {
	if (!header) return undefined;
	const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!m || (m[1] === '' && m[2] === '')) return null;
	let start: number;
	let end: number;
	if (m[1] === '') {
		start = Math.max(0, size - Number(m[2]));
		end = size - 1;
	} else {
		start = Number(m[1]);
		end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
	}
	return start > end || start >= size ? null : [start, end];
}

export class OctopusSimulator {
	readonly requests: RecordedRequest[] = [];
	readonly tasks = new Map<string, SimTask>();

	private readonly settings: Settings;
	private readonly faults: FaultPlan;
	private readonly throttle: Throttle;
	private readonly media: ResultStore;
	private readonly signingKey = randomBytes(32);
	private readonly apiServer: Server;
	private readonly cdnServer: Server;
	private readonly sockets = new Set<Socket>();
	private readonly inFlight = new Map<Route | 'unknown' | 'all', number>();
	private readonly maxima = new Map<Route | 'unknown' | 'all', number>();
	private taskDefaults: Partial<TaskDefaults> = {};
	private chatScript: ChatScript = defaultChatScript('');
	private seq = 0;
	private urls = { api: '', cdn: '' };
	private stopping?: Promise<void>;

	private constructor(options: SimulatorOptions) {
		this.settings = {
			...options,
			host: options.host ?? '127.0.0.1',
			port: options.port ?? 0,
			cdnHost: options.cdnHost ?? '127.0.0.2',
			cdnPort: options.cdnPort ?? 0,
			apiKey: options.apiKey ?? DEFAULT_API_KEY,
			taskDurationMs: options.taskDurationMs ?? 1500,
			resultBytes: options.resultBytes ?? 256 * 1024,
		};
		this.media = new ResultStore(options.resultVideo);
		this.faults = new FaultPlan(options.randomFaults);
		this.throttle = new Throttle(() => this.settings.throttleBytesPerSec);
		this.apiServer = this.makeServer('api');
		this.cdnServer = this.makeServer('cdn');
	}

	static async start(options: SimulatorOptions = {}): Promise<OctopusSimulator> {
		const sim = new OctopusSimulator(options);
		try {
			const api = await sim.listen(sim.apiServer, sim.settings.host, sim.settings.port);
			const cdn = await sim.listen(sim.cdnServer, sim.settings.cdnHost, sim.settings.cdnPort);
			sim.urls = { api: `http://${api}`, cdn: `http://${cdn}` };
			sim.chatScript = defaultChatScript(sim.urls.cdn);
		} catch (err) {
			await sim.stop();
			throw err;
		}
		return sim;
	}

	/** 'http://127.0.0.1:PORT' */
	get baseUrl(): string {
		return this.urls.api;
	}

	/** 'http://127.0.0.2:PORT' */
	get cdnBaseUrl(): string {
		return this.urls.cdn;
	}

	get apiKey(): string {
		return this.settings.apiKey;
	}

	/** Queues a fault for the next `times` requests on `route` (FIFO). */
	inject(route: Route, fault: Fault, times = 1): void {
		this.faults.inject(route, fault, times);
	}

	/** Outcome, duration and result style of the tasks created from now on (prompt markers still win). */
	setTaskDefaults(p: Partial<TaskDefaults>): void {
		this.taskDefaults = { ...this.taskDefaults, ...p };
	}

	/** The exact bytes the cdn and /content serve for that task. */
	resultFor(taskId: string): Buffer {
		const task = this.tasks.get(taskId);
		if (!task) throw new Error(`No simulated task ${taskId}`);
		return this.media.whole(task.id, task.resultBytes);
	}

	requestsTo(route: Route): RecordedRequest[] {
		return this.requests.filter((r) => r.route === route);
	}

	/** The most requests seen in flight at once, on `route` or overall. */
	maxInFlight(route?: Route): number {
		return this.maxima.get(route ?? 'all') ?? 0;
	}

	/** Forgets requests, tasks, queued faults, in-flight maxima and task defaults; keeps the options. */
	reset(): void {
		this.requests.length = 0;
		this.tasks.clear();
		this.media.clear();
		this.faults.clearQueued();
		this.faults.setRandom(this.settings.randomFaults);
		this.taskDefaults = {};
		this.chatScript = defaultChatScript(this.cdnBaseUrl);
		this.seq = 0;
		this.maxima.clear();
		for (const [k, v] of this.inFlight) this.maxima.set(k, v);
	}

	/** Changes throttle, duration, resultBytes, maxConcurrentTasks, randomFaults or log; throws if invalid. */
	setOptions(p: Partial<SimulatorOptions>): void {
		const problem = mutableOptionsProblem(p as Record<string, unknown>);
		if (problem) throw new Error(`Invalid simulator options: ${problem}`);
		const s = this.settings as unknown as Record<string, unknown>;
		for (const key of MUTABLE_OPTIONS) {
			if (!(key in p)) continue;
			const value = (p as Record<string, unknown>)[key];
			if (key === 'taskDurationMs' || key === 'resultBytes') {
				if (typeof value === 'number') s[key] = value;
			} else {
				s[key] = value ?? undefined;
			}
			if (key === 'randomFaults') this.faults.setRandom(this.settings.randomFaults);
		}
	}

	stop(): Promise<void> {
		this.stopping ??= (async () => {
			const closed = [this.apiServer, this.cdnServer].map(
				(srv) =>
					new Promise<void>((resolve) => (srv.listening ? srv.close(() => resolve()) : resolve())),
			);
			for (const s of this.sockets) s.destroy();
			await Promise.all(closed);
		})();
		return this.stopping;
	}

	private listen(server: Server, host: string, port: number): Promise<string> {
		return new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, host, () => {
				server.off('error', reject);
				const a = server.address() as AddressInfo;
				resolve(`${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
			});
		});
	}

	private makeServer(kind: ServerKind): Server {
		const server = createServer((req, res) => {
			this.handle(kind, req, res).catch(() => res.destroy());
		});
		// Slow throttled uploads must not be cut by Node's default 5 min request timeout.
		server.requestTimeout = 0;
		server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		return server;
	}

	private logLine(line: string): void {
		try {
			this.settings.log?.(line);
		} catch {
			// A failing logger must not take the server down.
		}
	}

	private enter(route: Route | 'unknown'): void {
		for (const k of [route, 'all'] as const) {
			const n = (this.inFlight.get(k) ?? 0) + 1;
			this.inFlight.set(k, n);
			if (n > (this.maxima.get(k) ?? 0)) this.maxima.set(k, n);
		}
	}

	private leave(route: Route | 'unknown'): void {
		for (const k of [route, 'all'] as const) this.inFlight.set(k, (this.inFlight.get(k) ?? 1) - 1);
	}

	private async handle(kind: ServerKind, req: IncomingMessage, res: ServerResponse): Promise<void> {
		const method = req.method ?? 'GET';
		const path = req.url ?? '/';
		const pathname = path.split('?')[0];
		if (kind === 'api' && pathname.startsWith('/__sim/')) {
			await this.control(req, res, method, path).catch(() => res.destroy());
			return;
		}
		const route = classify(kind, method, pathname);
		const rec: RecordedRequest = {
			seq: ++this.seq,
			at: Date.now(),
			server: kind,
			method,
			path,
			route,
			headers: flattenHeaders(req.headers),
			bodyBytes: 0,
			status: 0,
		};
		const started = performance.now();
		this.enter(route);
		let finished = false;
		// Recorded as soon as the answer is handed over (or the connection is gone), so a test sees it
		// by the time its client does.
		const finish = (): void => {
			if (finished) return;
			finished = true;
			rec.endAt = Date.now();
			this.leave(route);
			rec.status = res.headersSent ? res.statusCode : 0;
			this.requests.push(rec);
			this.logLine(
				`${kind} ${method} ${path.length > 140 ? `${path.slice(0, 140)}…` : path} -> ${rec.status} ` +
					`${Math.round(performance.now() - started)}ms in=${rec.bodyBytes}B` +
					(rec.faulted ? ` fault=${rec.faulted}` : ''),
			);
		};
		res.once('finish', finish);
		res.once('close', finish);
		const reset = (): void => {
			finish();
			req.socket.destroy();
		};

		try {
			const chosen = route === 'unknown' ? undefined : this.faults.next(route);
			const fault = chosen?.fault;
			if (chosen) rec.faulted = chosen.label;
			if (fault?.kind === 'reset' && !fault.afterCreate) {
				reset();
				return;
			}
			if (fault?.kind === 'delay') {
				await sleep(fault.ms);
				if (res.destroyed) return;
			}
			let body = await this.readBody(req, rec);
			if (body === undefined || res.destroyed) return;
			// afterCreate faults let a submit create its task first; elsewhere they act at once.
			const afterCreate =
				route === 'submit' &&
				(fault?.kind === 'status' || fault?.kind === 'reset') &&
				fault.afterCreate;
			if (fault && fault.kind !== 'delay' && !afterCreate) {
				if (fault.kind === 'reset') reset();
				else await this.send(req, res, faultAnswer(fault), true);
				return;
			}
			let parsed: unknown;
			let parsedOk = false;
			if (body !== 'too-large' && body.length > 0) {
				try {
					parsed = JSON.parse(body.toString('utf8'));
					parsedOk = true;
				} catch {
					// Recorded without json; a submit answers 400.
				}
			}
			const tooLarge = body === 'too-large';
			// A 21 MB upload must not stay referenced while the answer is written.
			body = undefined;
			if (parsedOk) {
				rec.json = summariseJson(parsed);
				parsed = undefined;
			}
			const answer = tooLarge
				? apiError(413, 'Request body too large.', 'request_too_large')
				: this.answer(kind, route, req, pathname, path, rec, parsedOk);
			if (afterCreate && fault) {
				if (fault.kind === 'reset') reset();
				else await this.send(req, res, faultAnswer(fault), true);
				return;
			}
			await this.send(req, res, answer, true);
		} catch (err) {
			if (!res.headersSent) {
				await this.send(
					req,
					res,
					apiError(500, `Simulator error: ${String(err)}`, 'simulator_error', null, 'server_error'),
					false,
				);
			} else {
				res.destroy();
			}
		}
	}

	private answer(
		kind: ServerKind,
		route: Route | 'unknown',
		req: IncomingMessage,
		pathname: string,
		path: string,
		rec: RecordedRequest,
		parsedOk: boolean,
	): Answer {
		if (route === 'source') return this.publicSource(pathname);
		if (kind === 'cdn') return this.cdnFile(req, pathname, path);
		if (route === 'chat') return this.chat(req, pathname, rec, parsedOk);
		if (!this.authorised(req)) {
			return apiError(401, 'Invalid API key provided', 'invalid_api_key');
		}
		switch (route) {
			case 'models':
				return json(200, MODEL_LIST);
			case 'submit':
				return this.submit(req, rec, parsedOk);
			case 'status': {
				const task = this.taskFromPath(pathname);
				return task
					? json(
							200,
							taskView(task, Date.now(), (t) => this.resultUrl(t)),
						)
					: this.notFound(pathname);
			}
			case 'content': {
				const task = this.taskFromPath(pathname.replace(/\/content$/, ''));
				if (!task) return this.notFound(pathname.replace(/\/content$/, ''));
				const { phase } = taskPhase(task, Date.now());
				if (phase !== 'completed') {
					const word = (taskView(task, Date.now(), () => '') as { status: string }).status;
					return apiError(
						409,
						`Task ${task.id} has no content: its status is ${word}`,
						'task_not_completed',
					);
				}
				return this.fileAnswer(req, task);
			}
			default:
				return apiError(404, `Invalid URL (${req.method} ${pathname})`, null);
		}
	}

	private authorised(req: IncomingMessage): boolean {
		const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
		if (!m) return false;
		const given = Buffer.from(m[1].trim());
		const want = Buffer.from(this.settings.apiKey);
		return given.length === want.length && timingSafeEqual(given, want);
	}

	private taskFromPath(pathname: string): SimTask | undefined {
		let id: string;
		try {
			id = decodeURIComponent(pathname.slice('/v1/videos/'.length));
		} catch {
			return undefined;
		}
		return this.tasks.get(id);
	}

	private notFound(pathname: string): Answer {
		let id = pathname.slice('/v1/videos/'.length);
		try {
			id = decodeURIComponent(id);
		} catch {
			// Shown as received.
		}
		return apiError(404, `Task ${id} not found`, 'task_not_found', 'task_id');
	}

	private submit(req: IncomingMessage, rec: RecordedRequest, parsedOk: boolean): Answer {
		const contentType = req.headers['content-type'] ?? '';
		if (!/^application\/json\b/i.test(contentType)) {
			return apiError(
				400,
				`Invalid Content-Type header (${contentType || 'none'}), expected application/json.`,
				'invalid_content_type',
			);
		}
		if (!parsedOk) {
			return apiError(
				400,
				'We could not parse the JSON body of your request. The body must be valid JSON.',
				'invalid_json',
			);
		}
		const valid = validateSubmit(rec.json);
		if ('status' in valid) return valid;
		const now = Date.now();
		const limit = this.settings.maxConcurrentTasks;
		if (limit !== undefined && limit !== null) {
			let active = 0;
			for (const t of this.tasks.values()) if (isActive(t, now)) active++;
			if (active >= limit) {
				return apiError(
					429,
					`Too many concurrent tasks for this API key (limit ${limit}). Wait for a task to finish.`,
					'token_concurrency_limit_reached',
					null,
					'rate_limit_error',
				);
			}
		}
		const over = promptOverrides(valid.prompt);
		const id = `video_${randomBytes(12).toString('hex')}`;
		const task: SimTask = {
			id,
			model: valid.model,
			prompt: valid.prompt,
			createdAt: now,
			outcome: over.outcome ?? this.taskDefaults.outcome ?? 'complete',
			durationMs: over.durationMs ?? this.taskDefaults.durationMs ?? this.settings.taskDurationMs,
			resultStyle: over.resultStyle ?? this.taskDefaults.resultStyle ?? 'video_url',
			referenceSha256: valid.reference?.data?.sha256,
			referenceBytes: valid.reference?.data?.bytes,
			resultBytes: this.settings.resultVideo?.length ?? this.settings.resultBytes,
			request: rec.json,
		};
		this.tasks.set(id, task);
		return json(200, {
			id,
			task_id: id,
			object: 'video',
			model: task.model,
			status: 'queued',
			progress: 0,
			created_at: Math.floor(now / 1000),
			video_url: '',
		});
	}

	private sign(id: string, expires: number): string {
		return createHmac('sha256', this.signingKey)
			.update(`${id}.${expires}`)
			.digest('hex')
			.slice(0, 32);
	}

	private resultUrl(task: SimTask): string {
		const expires = expiresAtSeconds(task);
		return `${this.cdnBaseUrl}/files/${task.id}.mp4?sig=${this.sign(task.id, expires)}&expires=${expires}`;
	}

	/**
	 * The OpenAI-compatible chat model: any bearer key is accepted (the test reads it from the record),
	 * the answer follows the script (see chatModel.ts).
	 */
	private chat(
		req: IncomingMessage,
		pathname: string,
		rec: RecordedRequest,
		parsedOk: boolean,
	): Answer {
		if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? '')) {
			return apiError(401, 'You did not provide an API key.', 'invalid_api_key');
		}
		if (!parsedOk || typeof rec.json !== 'object' || rec.json === null) {
			return apiError(400, 'The body must be a JSON object.', 'invalid_body');
		}
		const api = pathname === '/v1/responses' ? 'responses' : 'chat';
		const result = chatAnswer(api, rec.json as Record<string, unknown>, this.chatScript);
		return 'error' in result
			? apiError(400, result.error, 'unsupported')
			: json(200, result.answer);
	}

	/** A public input video (no signature needed), as a user's storage would serve it to OctopusX. */
	private publicSource(pathname: string): Answer {
		const name = pathname.slice('/public/'.length);
		const size = SOURCE_BYTES;
		return {
			status: 200,
			headers: { 'content-type': 'video/mp4', 'accept-ranges': 'bytes' },
			stream: { size, chunkAt: this.media.source(`public/${name}`, size) },
		};
	}

	/** Changes what the chat model sends: tool arguments by name, or the final message's prefix. */
	setChatScript(script: Partial<ChatScript>): void {
		this.chatScript = {
			...this.chatScript,
			...script,
			toolArguments: script.toolArguments ?? this.chatScript.toolArguments,
		};
	}

	/** The chat requests' bodies, in order of arrival. */
	chatRequests(): Array<Record<string, unknown>> {
		return this.requestsTo('chat')
			.sort((a, b) => a.seq - b.seq)
			.map((r) => r.json as Record<string, unknown>);
	}

	/** Behaves like an object store behind a signed URL. */
	private cdnFile(req: IncomingMessage, pathname: string, path: string): Answer {
		if (req.headers.authorization) {
			// Object stores refuse a second credential next to a signed URL; a leaked API key shows here.
			return cdnError(
				400,
				'InvalidArgument',
				'Only one auth mechanism allowed; the signed URL or the Authorization header should be specified',
			);
		}
		const query = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
		const sig = query.get('sig');
		const expires = Number(query.get('expires'));
		const id = pathname.slice('/files/'.length).replace(/\.mp4$/, '');
		if (!sig || !Number.isInteger(expires)) {
			return cdnError(403, 'AccessDenied', 'Query-string authentication requires sig and expires');
		}
		if (sig !== this.sign(id, expires)) {
			return cdnError(
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match',
			);
		}
		if (expires * 1000 < Date.now()) return cdnError(403, 'AccessDenied', 'Request has expired');
		const task = this.tasks.get(id);
		if (!task || taskPhase(task, Date.now()).phase !== 'completed') {
			return cdnError(404, 'NoSuchKey', 'The specified key does not exist.');
		}
		return this.fileAnswer(req, task);
	}

	private fileAnswer(req: IncomingMessage, task: SimTask): Answer {
		const size = task.resultBytes;
		const source = this.media.source(task.id, size);
		const headers: Record<string, string | number> = {
			'content-type': 'video/mp4',
			'accept-ranges': 'bytes',
			'last-modified': new Date(task.createdAt + task.durationMs).toUTCString(),
		};
		const range = parseRange(req.headers.range, size);
		if (range === null) {
			return {
				status: 416,
				headers: { ...headers, 'content-range': `bytes */${size}` },
				body: Buffer.alloc(0),
			};
		}
		if (range) {
			const [start, end] = range;
			return {
				status: 206,
				headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` },
				stream: {
					size: end - start + 1,
					chunkAt: (o, l) => source(start + o, Math.min(l, end + 1 - start - o)),
				},
			};
		}
		return { status: 200, headers, stream: { size, chunkAt: source } };
	}

	/** Reads the whole body, throttled; 'too-large' past the cap, undefined if the client left. */
	private readBody(
		req: IncomingMessage,
		rec?: RecordedRequest,
		throttled = true,
	): Promise<Buffer | 'too-large' | undefined> {
		return new Promise((resolve) => {
			const chunks: Buffer[] = [];
			let total = 0;
			let tooLarge = false;
			const bucket = this.throttle.for(req.socket).read;
			req.on('data', (chunk: Buffer) => {
				total += chunk.length;
				if (rec) rec.bodyBytes = total;
				if (total > MAX_BODY_BYTES) {
					tooLarge = true;
					chunks.length = 0;
				} else {
					chunks.push(chunk);
				}
				const wait = throttled ? bucket.take(chunk.length) : 0;
				if (wait > 0) {
					req.pause();
					setTimeout(() => req.resume(), wait).unref();
				}
			});
			if (req.destroyed && !req.complete) {
				resolve(undefined);
				return;
			}
			req.on('end', () => {
				if (rec) rec.bodyAt = Date.now();
				const whole = tooLarge ? 'too-large' : Buffer.concat(chunks, total);
				chunks.length = 0;
				// The last chunk is only "received" once the bucket has paid for it.
				const owed = throttled ? bucket.take(0) : 0;
				if (owed > 0) setTimeout(() => resolve(whole), owed).unref();
				else resolve(whole);
			});
			req.on('error', () => resolve(undefined));
			req.on('close', () => {
				if (!req.complete) resolve(undefined);
			});
		});
	}

	private async send(
		req: IncomingMessage,
		res: ServerResponse,
		answer: Answer,
		throttled: boolean,
	): Promise<void> {
		if (res.destroyed) return;
		const size = answer.body?.length ?? answer.stream?.size ?? 0;
		res.writeHead(answer.status, { ...answer.headers, 'content-length': size });
		if (req.method === 'HEAD' || size === 0) {
			res.end();
			return;
		}
		const body = answer.body;
		const chunkAt = body
			? (o: number, l: number) => body.subarray(o, o + l)
			: answer.stream!.chunkAt;
		const bucket = this.throttle.for(req.socket).write;
		for (let offset = 0; offset < size;) {
			if (res.destroyed) return;
			const len = Math.min(throttled ? this.throttle.chunkSize() : 256 * 1024, size - offset);
			const wait = throttled ? bucket.take(len) : 0;
			if (wait > 0) {
				await sleep(wait);
				if (res.destroyed) return;
			}
			const chunk = chunkAt(offset, len);
			offset += len;
			if (!res.write(chunk)) await waitDrain(res);
		}
		res.end();
	}

	/** `/__sim/*`: control over HTTP for tests that run n8n as another process. Not recorded. */
	private async control(
		req: IncomingMessage,
		res: ServerResponse,
		method: string,
		path: string,
	): Promise<void> {
		const url = new URL(path, 'http://sim');
		const body = await this.readBody(req, undefined, false);
		if (body === undefined) return;
		let input: Record<string, unknown> = {};
		if (body !== 'too-large' && body.length > 0) {
			try {
				input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
			} catch {
				await this.send(req, res, json(400, { error: 'body must be JSON' }), false);
				return;
			}
		}
		const ok = json(200, { ok: true });
		const bad = (message: string): Answer => json(400, { error: message });
		let answer: Answer;
		const p = url.pathname;
		if (method === 'GET' && p === '/__sim/requests') answer = json(200, this.requests);
		else if (method === 'GET' && p === '/__sim/tasks') answer = json(200, [...this.tasks.values()]);
		else if (method === 'GET' && p === '/__sim/info') {
			answer = json(200, {
				baseUrl: this.baseUrl,
				cdnBaseUrl: this.cdnBaseUrl,
				apiKey: this.apiKey,
			});
		} else if (method === 'GET' && p === '/__sim/max-in-flight') {
			const route = url.searchParams.get('route') as Route | null;
			answer = json(200, { maxInFlight: this.maxInFlight(route ?? undefined) });
		} else if (method === 'POST' && p === '/__sim/inject') {
			const route = input.route as Route;
			const problem = ROUTES.includes(route)
				? checkFault(input.fault)
				: `unknown route ${String(route)}`;
			const times = input.times === undefined ? 1 : Number(input.times);
			if (problem) answer = bad(problem);
			else if (!Number.isInteger(times) || times < 1)
				answer = bad('times must be a positive integer');
			else {
				this.inject(route, input.fault as Fault, times);
				answer = ok;
			}
		} else if (method === 'POST' && p === '/__sim/reset') {
			this.reset();
			answer = ok;
		} else if (method === 'POST' && p === '/__sim/options') {
			const problem = mutableOptionsProblem(input);
			if (problem) answer = bad(problem);
			else {
				this.setOptions(input as Partial<SimulatorOptions>);
				answer = ok;
			}
		} else if (method === 'POST' && p === '/__sim/task-defaults') {
			const problem = taskDefaultsProblem(input);
			if (problem) answer = bad(problem);
			else {
				this.setTaskDefaults(input as Partial<TaskDefaults>);
				answer = ok;
			}
		} else if (method === 'GET' && p.startsWith('/__sim/result/')) {
			const task = this.tasks.get(decodeURIComponent(p.slice('/__sim/result/'.length)));
			answer = task
				? {
						status: 200,
						headers: { 'content-type': 'video/mp4' },
						stream: {
							size: task.resultBytes,
							chunkAt: this.media.source(task.id, task.resultBytes),
						},
					}
				: json(404, { error: 'no such task' });
		} else answer = json(404, { error: `unknown control route ${method} ${p}` });
		await this.send(req, res, answer, false);
	}
}
