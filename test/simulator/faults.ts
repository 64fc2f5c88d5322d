/** Fault selection: queued faults per route first (FIFO), then seeded random ones in soak mode. */
import { apiError, json, type Answer } from './answers';
import { mulberry32, pick } from './random';
import { ROUTES, type Fault, type RandomFaults, type Route } from './types';

export interface ChosenFault {
	fault: Fault;
	/** Recorded in RecordedRequest.faulted. */
	label: string;
}

export function describeFault(f: Fault): string {
	switch (f.kind) {
		case 'status':
			return `status ${f.status}${f.afterCreate ? ' afterCreate' : ''}`;
		case 'reset':
			return `reset${f.afterCreate ? ' afterCreate' : ''}`;
		case 'raw':
			return `raw ${f.status ?? 200}`;
		case 'delay':
			return `delay ${f.ms}ms`;
	}
}

export function checkFault(f: unknown): string | undefined {
	if (typeof f !== 'object' || f === null) return 'fault must be an object';
	const k = (f as Fault).kind;
	if (k === 'status' && typeof (f as { status?: unknown }).status !== 'number')
		return 'status fault needs a numeric status';
	if (k === 'raw' && typeof (f as { body?: unknown }).body !== 'string')
		return 'raw fault needs a string body';
	if (k === 'delay' && typeof (f as { ms?: unknown }).ms !== 'number')
		return 'delay fault needs numeric ms';
	if (!['status', 'reset', 'raw', 'delay'].includes(k)) return `unknown fault kind ${String(k)}`;
	return undefined;
}

export class FaultPlan {
	private readonly queues = new Map<Route, Fault[]>();
	private random?: { rate: number; routes: Set<Route>; rng: () => number };

	constructor(random?: RandomFaults) {
		this.setRandom(random);
	}

	setRandom(random: RandomFaults | undefined): void {
		this.random = random
			? {
					rate: random.rate,
					routes: new Set(random.routes ?? ROUTES),
					rng: mulberry32(random.seed),
				}
			: undefined;
	}

	inject(route: Route, fault: Fault, times = 1): void {
		const q = this.queues.get(route) ?? [];
		for (let i = 0; i < times; i++) q.push(fault);
		this.queues.set(route, q);
	}

	clearQueued(): void {
		this.queues.clear();
	}

	/** The fault for the next request on `route`, if any. */
	next(route: Route): ChosenFault | undefined {
		const queued = this.queues.get(route)?.shift();
		if (queued) return { fault: queued, label: describeFault(queued) };
		const r = this.random;
		if (!r || !r.routes.has(route) || r.rng() >= r.rate) return undefined;
		const fault = randomFault(r.rng, route);
		return { fault, label: `random ${describeFault(fault)}` };
	}
}

function randomFault(rng: () => number, route: Route): Fault {
	const menu =
		route === 'submit'
			? (['429', '500', '502', '503', 'reset', 'status-after', 'reset-after'] as const)
			: (['429', '500', '502', '503', 'reset', 'raw'] as const);
	const choice = pick(rng, menu);
	switch (choice) {
		case '429':
			return rng() < 0.5
				? { kind: 'status', status: 429, retryAfter: 1 }
				: { kind: 'status', status: 429 };
		case 'reset':
			return { kind: 'reset' };
		case 'reset-after':
			return { kind: 'reset', afterCreate: true };
		case 'status-after':
			return { kind: 'status', status: pick(rng, [500, 502, 503]), afterCreate: true };
		case 'raw':
			return {
				kind: 'raw',
				status: 200,
				body: '<html><body>Service temporarily unavailable</body></html>',
				contentType: 'text/html',
			};
		default:
			return { kind: 'status', status: Number(choice) };
	}
}

const DEFAULT_ERRORS: Record<number, [string, string, string]> = {
	400: ['Bad request', 'invalid_request_error', 'bad_request'],
	401: ['Invalid API key provided', 'invalid_request_error', 'invalid_api_key'],
	403: ['Forbidden', 'invalid_request_error', 'forbidden'],
	404: ['Not found', 'invalid_request_error', 'not_found'],
	429: [
		'Rate limit reached for requests. Please try again later.',
		'requests',
		'rate_limit_exceeded',
	],
	500: [
		'The server had an error while processing your request.',
		'server_error',
		'internal_server_error',
	],
	502: [
		'Bad gateway: the upstream service did not answer correctly.',
		'server_error',
		'bad_gateway',
	],
	503: [
		'The service is temporarily overloaded. Please try again later.',
		'server_error',
		'service_unavailable',
	],
	504: ['Gateway timeout.', 'server_error', 'gateway_timeout'],
};

/** The answer of a `status` or `raw` fault. */
export function faultAnswer(f: Fault): Answer {
	if (f.kind === 'raw') {
		let contentType = f.contentType;
		if (!contentType) {
			try {
				JSON.parse(f.body);
				contentType = 'application/json';
			} catch {
				contentType = 'text/plain; charset=utf-8';
			}
		}
		return {
			status: f.status ?? 200,
			headers: { 'content-type': contentType },
			body: Buffer.from(f.body),
		};
	}
	if (f.kind !== 'status') throw new Error(`no answer for a ${f.kind} fault`);
	const headers: Record<string, string | number> = {};
	if (f.retryAfter !== undefined) headers['retry-after'] = f.retryAfter;
	if (f.body !== undefined) {
		if (typeof f.body === 'string') {
			return {
				status: f.status,
				headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
				body: Buffer.from(f.body),
			};
		}
		return json(f.status, f.body, headers);
	}
	const [message, type, code] = DEFAULT_ERRORS[f.status] ?? [
		`Simulated error ${f.status}`,
		f.status >= 500 ? 'server_error' : 'invalid_request_error',
		`http_${f.status}`,
	];
	return apiError(f.status, message, code, null, type, headers);
}
