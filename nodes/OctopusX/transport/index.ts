import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	NodeApiError,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { abortableSleep } from './abortableSleep';
import type { ErrorContext } from './apiErrors';
import {
	CONCURRENCY_LIMIT_CODE,
	errorFromAnswer,
	octopusError,
	readApiError,
	unreadableStatusError,
} from './apiErrors';
import type { FailReason, Outcome, RequestKind } from './judgement';
import { ATTEMPTS, isCertificateError, isWrongAddress, judge, parseRetryAfter } from './judgement';
import type { BodySource, StreamBody } from './requestBody';
import { BodyFailure, isStreamBody } from './requestBody';
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

/** What one exchange gave: an HTTP answer (any status), or none (refused, reset, timed out, no DNS). */
export type Exchange = { answer: HttpAnswer } | { failure: { code: string } };

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

	/**
	 * Sleeps up to `ms`, or until `wake()`; throws when the execution is stopped. With nothing due,
	 * a minute at most: whatever is awaited wakes it sooner.
	 */
	async sleep(api: OctopusApi, ms = 60_000): Promise<void> {
		if (isCancelled(api)) throw stoppedError(api);
		if (ms <= 0) return;
		const woken = this.controller.signal;
		ms = Math.min(ms, 60_000);
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
		const code = e.code;
		// ECONNRESET, ERR_TLS_CERT_ALTNAME_INVALID, and OpenSSL's CERT_HAS_EXPIRED and the like.
		if (typeof code === 'string' && (/^E[A-Z_]+$/.test(code) || isWrongAddress(code))) return code;
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
		return { failure: { code: networkCode(error) } };
	} finally {
		// Answered before the body was read to its end (an early 4xx), or failed: close the file.
		streamed?.stream.destroy();
	}
}

/**
 * What judgement.ts needs of an exchange. `readable`: a 2xx holds what the caller needs (a task id,
 * a status, a video).
 */
export function outcomeOf(exchange: Exchange, readable: (answer: HttpAnswer) => boolean): Outcome {
	if ('failure' in exchange) return { code: exchange.failure.code };
	const { status, headers, body } = exchange.answer;
	return {
		status,
		readable: readable(exchange.answer),
		retryAfterMs: parseRetryAfter(headers['retry-after'], Date.now()),
		slotRefusal: readApiError(body).code === CONCURRENCY_LIMIT_CODE,
	};
}

/** A short account of a failed exchange, for messages: `ECONNRESET`, `HTTP 503`. */
export function failureText(exchange: Exchange): string {
	if ('failure' in exchange) return exchange.failure.code;
	const { status } = exchange.answer;
	return status < 300 ? 'unreadable answers' : `HTTP ${status}`;
}

const MAYBE_CREATED =
	'so it was NOT sent again (a second submit could be charged twice). Before running this item again, check your OctopusX task list or usage for a task created just now with this prompt.';

/** The error a request to the API ends in, for the reason judgement.ts gave; `attempt`: tries made. */
export function failureError(
	api: OctopusApi,
	kind: RequestKind,
	reason: FailReason,
	exchange: Exchange,
	ctx: ErrorContext,
	attempt: number,
): NodeApiError {
	const submit = kind === 'submit';
	if ('failure' in exchange) {
		const { code } = exchange.failure;
		if (reason === 'maybe created') {
			return octopusError(
				ctx,
				`The connection to OctopusX broke during the submit (${code}): the task may or may not have been created`,
				`The request was sent but no answer came back, ${MAYBE_CREATED}`,
			);
		}
		const checkUrl = `Check the Base URL '${api.baseUrl}' in the credential '${api.credentialName}'`;
		let fix = `${checkUrl} and this machine's network (and proxy, if n8n uses one).`;
		if (isCertificateError(code)) {
			fix = `The secure connection failed before anything was sent: this machine does not trust the certificate it was shown. Behind a proxy or gateway with its own certificate authority, give n8n that CA's file with NODE_EXTRA_CA_CERTS; through an HTTPS proxy, use a host name in the Base URL, not an IP address.`;
		} else if (isWrongAddress(code) && code !== 'ENOTFOUND') {
			fix = `The secure connection failed before anything was sent. ${checkUrl}: https:// for OctopusX, and a proxy (HTTPS_PROXY) that passes TLS through.`;
		}
		return octopusError(
			ctx,
			`Could not reach the OctopusX API at ${api.baseUrl} (${code})${ctx.taskId ? ` (task ${ctx.taskId})` : ''}`,
			`${fix} ${submit ? 'Nothing was submitted.' : 'The task is unaffected: check it again later with Get Status.'}`,
		);
	}
	const { status, body } = exchange.answer;
	if (reason === 'maybe created') {
		return octopusError(
			ctx,
			`OctopusX answered HTTP ${status} to the submit: the task may or may not have been created`,
			`A server error during a submit does not say whether the task was taken, ${MAYBE_CREATED}`,
			{ httpCode: status },
		);
	}
	if (reason === 'unreadable' && submit) {
		return octopusError(
			ctx,
			'OctopusX accepted the submit but its answer has no task id',
			`The task was probably created and may be charged. Do not submit this item again before checking your OctopusX task list. The answer was: ${JSON.stringify(body).slice(0, 300)}`,
		);
	}
	if (reason === 'unreadable') return unreadableStatusError(ctx, body, attempt);
	return errorFromAnswer(ctx, submit, status, body);
}

/**
 * Sends a request to the OctopusX API and acts on judgement.ts's verdict: returns the accepted
 * answer, waits and asks again, or throws the error that says what happened and what to do. A submit
 * refused for the key's limit of tasks at once comes back as 'no slot' (nothing was created).
 */
export async function callApi(
	api: OctopusApi,
	kind: RequestKind,
	options: Omit<SendOptions, 'authenticated'> & { taskId?: string },
	readable: (answer: HttpAnswer) => boolean,
): Promise<HttpAnswer | 'no slot'> {
	const ctx = errorContext(api, options.itemIndex, options.taskId);
	for (let attempt = 1; ; attempt++) {
		const exchange = await sendOnce(api, { ...options, authenticated: true });
		const verdict = judge(kind, outcomeOf(exchange, readable), { attempt });
		if (verdict.act === 'accept') return (exchange as { answer: HttpAnswer }).answer;
		if (verdict.act === 'fail') {
			if (verdict.reason === 'no slot') return 'no slot';
			throw failureError(api, kind, verdict.reason, exchange, ctx, attempt);
		}
		const request = kind === 'submit' ? 'submit' : 'status checks';
		const itemIndex = options.itemIndex ?? 0;
		const since = Date.now();
		if (verdict.rateLimited) {
			log(api.fn, rateLimitWaitStarted, itemIndex, options.taskId, {
				request,
				waitMs: verdict.delayMs,
				attempt,
				maxAttempts: kind === 'submit' ? ATTEMPTS.submitRateLimited : ATTEMPTS.status,
			});
		}
		await pause(api, verdict.delayMs);
		if (verdict.rateLimited) {
			log(api.fn, rateLimitWaitEnded, itemIndex, options.taskId, {
				request,
				waitedMs: Date.now() - since,
			});
		}
	}
}
