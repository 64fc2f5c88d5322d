import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { abortableSleep } from './abortableSleep';
import type { ErrorContext, Stage } from './apiErrors';
import { errorFromAnswer, octopusError } from './apiErrors';
import type { BodySource, StreamBody } from './requestBody';
import { BodyFailure, isStreamBody } from './requestBody';
import type { Failure, RequestKind } from './retryPolicy';
import { ATTEMPTS, isUnreachable, parseRetryAfter, retryDecision } from './retryPolicy';
import { log } from '../record';
import { rateLimitWaitEnded, rateLimitWaitStarted } from '../record/logLines';

export const CREDENTIAL = 'octopusXApi';

/** Everything a request to OctopusX needs, read once per execution. */
export interface OctopusApi {
	fn: IExecuteFunctions;
	baseUrl: string;
	credentialName: string;
	secret: string;
	signal?: AbortSignal;
}

export interface HttpAnswer {
	status: number;
	headers: IDataObject;
	body: unknown;
}

/** A request that did not get an HTTP answer: refused, reset, timed out, no DNS. */
export interface TransportFailure {
	code: string;
	url: string;
}

/** What one exchange gave: an HTTP answer (any status), or no answer at all. */
export type Exchange = { answer: HttpAnswer } | { failure: TransportFailure };

export async function openApi(fn: IExecuteFunctions): Promise<OctopusApi> {
	const credentials = await fn.getCredentials<{ apiKey?: string; baseUrl?: string }>(CREDENTIAL);
	const baseUrl = String(credentials.baseUrl || 'https://octopusx.ai')
		.trim()
		.replace(/\/+$/, '');
	return {
		fn,
		baseUrl,
		credentialName: fn.getNode().credentials?.[CREDENTIAL]?.name ?? 'OctopusX API',
		secret: String(credentials.apiKey ?? ''),
		signal: fn.getExecutionCancelSignal(),
	};
}

export function errorContext(api: OctopusApi, itemIndex?: number, taskId?: string): ErrorContext {
	return {
		node: api.fn.getNode(),
		baseUrl: api.baseUrl,
		credentialName: api.credentialName,
		secret: api.secret,
		itemIndex,
		taskId,
	};
}

export function isCancelled(api: OctopusApi): boolean {
	return api.signal?.aborted === true;
}

/** Waits, unless the user stops the execution first (then it throws at once). */
export async function pause(api: OctopusApi, ms: number): Promise<void> {
	if (ms <= 0) return;
	await abortableSleep(ms, api.signal);
}

/**
 * A sleep that something else can cut short: a task added to a watch, a slot freed, an upload
 * answered. Stop still ends it at once, as `pause` does.
 */
export class Wakeup {
	private controller = new AbortController();

	/** Ends the current sleep (and only that one) now. */
	wake(): void {
		this.controller.abort();
		this.controller = new AbortController();
	}

	/** Sleeps up to `ms`, or until `wake()`; throws when the execution is stopped. */
	async sleep(api: OctopusApi, ms: number): Promise<void> {
		if (isCancelled(api)) throw stoppedError(api);
		if (ms <= 0) return;
		const woken = this.controller.signal;
		const either = new AbortController();
		const forward = () => either.abort();
		woken.addEventListener('abort', forward, { once: true });
		api.signal?.addEventListener('abort', forward, { once: true });
		try {
			await abortableSleep(ms, either.signal);
		} catch {
			// Cut short: by Stop (an error) or by wake() (a normal return).
			if (isCancelled(api)) throw stoppedError(api);
		} finally {
			woken.removeEventListener('abort', forward);
			api.signal?.removeEventListener('abort', forward);
		}
	}
}

function networkCode(error: unknown): string {
	const seen = new Set<unknown>();
	let e = error as { code?: unknown; cause?: unknown } | undefined;
	while (e && typeof e === 'object' && !seen.has(e)) {
		seen.add(e);
		if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
		e = e.cause as typeof e;
	}
	return 'ECONNFAILED';
}

export interface SendOptions {
	method: IHttpRequestMethods;
	/** Absolute URL, or a path under the base URL. */
	url: string;
	/** A function opens a fresh body for every attempt (a stream can be sent only once). */
	body?: Buffer | IDataObject | BodySource;
	/** Sends the API key. Only ever true for URLs on the base URL's origin. */
	authenticated: boolean;
	stream?: boolean;
	timeoutMs?: number;
	/** The item the request is for, named in an error about its body. */
	itemIndex?: number;
}

/** Whether a URL is on the same origin as the configured base URL (the only place the key may go). */
export function isOnApiOrigin(api: OctopusApi, url: string): boolean {
	try {
		return new URL(url).origin === new URL(api.baseUrl).origin;
	} catch {
		return false;
	}
}

/** The error for a stopped execution: the user pressed Stop, nothing else is to be done. */
export function stoppedError(api: OctopusApi): NodeOperationError {
	return new NodeOperationError(api.fn.getNode(), 'The execution was stopped');
}

/** One HTTP exchange. Any status is an answer; a failure to get one is returned, not thrown. */
export async function sendOnce(api: OctopusApi, options: SendOptions): Promise<Exchange> {
	const url = /^https?:\/\//i.test(options.url) ? options.url : `${api.baseUrl}${options.url}`;
	if (options.authenticated && !isOnApiOrigin(api, url)) {
		// Guards the rule that the key goes to the configured base URL only; no code path should get here.
		throw new NodeOperationError(
			api.fn.getNode(),
			`Refusing to send the API key to ${new URL(url).origin}`,
		);
	}
	const request: IHttpRequestOptions = {
		method: options.method,
		url,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A redirect to another host must not carry the key there.
		sendCredentialsOnCrossOriginRedirect: false,
		timeout: options.timeoutMs ?? 60_000,
		abortSignal: api.signal,
	};
	const body = typeof options.body === 'function' ? await options.body() : options.body;
	const cutOff = (failure: BodyFailure) =>
		octopusError(errorContext(api, options.itemIndex), failure.message, failure.description);
	if (body instanceof BodyFailure) throw cutOff(body);
	let streamed: StreamBody | undefined;
	if (isStreamBody(body)) {
		streamed = body;
		// n8n's HTTP helpers hand a non-empty object body to axios as it is: a stream is streamed.
		request.body = body.stream as unknown as IDataObject;
		request.headers = {
			'Content-Type': 'application/json',
			Accept: 'application/json',
			'Content-Length': String(body.length),
		};
		// Following redirects keeps every byte written, to send them again after a 307: the whole body.
		request.disableFollowRedirect = true;
	} else if (Buffer.isBuffer(body)) {
		request.body = body;
		request.headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
	} else if (body) {
		request.body = body;
		request.json = true;
	} else if (!options.stream) {
		request.headers = { Accept: 'application/json' };
	}
	if (options.stream) request.encoding = 'stream';

	try {
		const answer = (
			options.authenticated
				? await api.fn.helpers.httpRequestWithAuthentication.call(api.fn, CREDENTIAL, request)
				: await api.fn.helpers.httpRequest(request)
		) as { statusCode: number; headers: IDataObject; body: unknown };
		return {
			answer: { status: answer.statusCode, headers: answer.headers ?? {}, body: answer.body },
		};
	} catch (error) {
		if (isCancelled(api)) throw stoppedError(api);
		// The body cut the request off itself: no network failure, and nothing to try again.
		const failure = streamed?.failure();
		if (failure) throw cutOff(failure);
		return { failure: { code: networkCode(error), url } };
	} finally {
		// Answered before the body was read to its end (an early 4xx), or failed: close the file.
		streamed?.stream.destroy();
	}
}

function failureOf(answer: HttpAnswer): Failure {
	return {
		type: 'http',
		status: answer.status,
		retryAfterMs: parseRetryAfter(answer.headers['retry-after'], Date.now()),
	};
}

/** The error for a request that got no answer: what could not be reached, and what that means. */
export function unreachable(
	api: OctopusApi,
	stage: Stage,
	failure: TransportFailure,
	ctx: ErrorContext,
) {
	const host = (() => {
		try {
			return new URL(failure.url).origin;
		} catch {
			return failure.url;
		}
	})();
	const onApi = host === api.baseUrl || failure.url.startsWith(api.baseUrl);
	const where = onApi ? `the OctopusX API at ${api.baseUrl}` : host;
	if (stage === 'submit' && !isUnreachable(failure.code)) {
		return octopusError(
			ctx,
			`The connection to OctopusX broke during the submit (${failure.code}): the task may or may not have been created`,
			`The request was sent but no answer came back, so it was NOT sent again (a second submit could be charged twice). Before running this item again, check your OctopusX task list or usage for a task created just now with this prompt.`,
		);
	}
	return octopusError(
		ctx,
		`Could not reach ${where} (${failure.code})${ctx.taskId ? ` (task ${ctx.taskId})` : ''}`,
		onApi
			? `Check the Base URL '${api.baseUrl}' in the credential '${api.credentialName}' and this machine's network. ${stage === 'submit' ? 'Nothing was submitted.' : 'The task is unaffected: check it again later with Get Status.'}`
			: 'The result file could not be fetched. The task is unaffected: run Get Status with Download on later.',
	);
}

/**
 * Sends a request to the OctopusX API with the retry policy of its kind and returns the 2xx answer.
 * Anything else ends in an error that says what happened and what to do.
 */
export async function callApi(
	api: OctopusApi,
	kind: RequestKind,
	options: Omit<SendOptions, 'authenticated'> & {
		itemIndex?: number;
		taskId?: string;
		/** Error answers the caller handles itself: returned as they are, never retried here. */
		passThrough?: (answer: HttpAnswer) => boolean;
	},
	accept: (answer: HttpAnswer) => boolean = () => true,
): Promise<HttpAnswer> {
	const ctx = errorContext(api, options.itemIndex, options.taskId);
	const stage: Stage = kind;
	for (let attempt = 1; ; attempt++) {
		let failure: Failure;
		let answer: HttpAnswer | undefined;
		let transport: TransportFailure | undefined;
		const exchange = await sendOnce(api, { ...options, authenticated: true });
		if ('failure' in exchange) {
			transport = exchange.failure;
			failure = { type: 'network', code: transport.code };
		} else {
			answer = exchange.answer;
			if (answer.status >= 200 && answer.status < 300) {
				if (accept(answer)) return answer;
				failure = { type: 'malformed' };
			} else if (options.passThrough?.(answer)) {
				return answer;
			} else {
				failure = failureOf(answer);
			}
		}

		const decision = retryDecision(kind, failure, attempt);
		if (decision.retry) {
			const rateLimited = failure.type === 'http' && failure.status === 429;
			const request = kind === 'submit' ? 'submit' : 'status checks';
			const itemIndex = options.itemIndex ?? 0;
			const since = Date.now();
			if (rateLimited) {
				log(api.fn, rateLimitWaitStarted, itemIndex, options.taskId, {
					request,
					waitMs: decision.delayMs,
					attempt,
					maxAttempts: kind === 'submit' ? ATTEMPTS.submitRateLimited : ATTEMPTS.status,
				});
			}
			await pause(api, decision.delayMs);
			if (rateLimited) {
				log(api.fn, rateLimitWaitEnded, itemIndex, options.taskId, {
					request,
					waitedMs: Date.now() - since,
				});
			}
			continue;
		}
		if (transport) throw unreachable(api, stage, transport, ctx);
		if (failure.type === 'malformed') return answer as HttpAnswer; // the caller says what was wrong
		if (kind === 'submit' && failure.type === 'http' && failure.status >= 500) {
			throw octopusError(
				ctx,
				`OctopusX answered HTTP ${failure.status} to the submit: the task may or may not have been created`,
				'A server error during a submit does not say whether the task was taken, so it was NOT sent again (a second submit could be charged twice). Before running this item again, check your OctopusX task list or usage for a task created just now with this prompt.',
				{ httpCode: failure.status },
			);
		}
		throw errorFromAnswer(ctx, stage, (answer as HttpAnswer).status, (answer as HttpAnswer).body);
	}
}

/** Lets an unwanted streamed body go, so its socket is freed. */
export function drain(body: unknown): void {
	const stream = body as { resume?: () => void; destroy?: () => void } | undefined;
	stream?.destroy?.();
}
