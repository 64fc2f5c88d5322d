/**
 * What the node repeats and what it never repeats. A submit is paid for, so it is repeated only where
 * the server surely did not take it: a 429 (refused, nothing created) or a refused connection
 * (nothing reached the server). Reading a status or a result file is free and is repeated on any
 * transient failure.
 */

export type RequestKind = 'submit' | 'status' | 'download';

export type Failure =
	| { type: 'http'; status: number; retryAfterMs?: number }
	| { type: 'network'; code: string }
	/** A 2xx answer the node cannot read (not JSON, or JSON without the fields it needs). */
	| { type: 'malformed' };

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/** How many attempts each kind of request gets, in total, per failure class. */
export const ATTEMPTS = {
	submitRateLimited: 6,
	submitConnectionRefused: 3,
	status: 5,
	statusMalformed: 3,
	download: 3,
} as const;

/** Never wait longer than this for one Retry-After, whatever the server asks. */
export const MAX_RETRY_AFTER_MS = 120_000;

const TRANSIENT_HTTP = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Errors where the request never reached the server: safe to send again, even a submit. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED']);

/** Exponential backoff: base, 2 × base, 4 × base ... capped. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 30_000): number {
	return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Retry-After is either delay-seconds or an HTTP date. Returns milliseconds, or undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (text === '') return undefined;
	let ms: number;
	if (/^\d+(\.\d+)?$/.test(text)) {
		ms = Number(text) * 1000;
	} else {
		const date = Date.parse(text);
		if (Number.isNaN(date)) return undefined;
		ms = date - nowMs;
	}
	return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

/**
 * Whether to try again after `attempt` failed attempts (1 = the first try failed), and after how long.
 * A server's Retry-After wins over the backoff when it asks for more.
 */
export function retryDecision(kind: RequestKind, failure: Failure, attempt: number): RetryDecision {
	const wait = (base: number, cap: number) => {
		const backoff = backoffMs(attempt, base, cap);
		const asked = failure.type === 'http' ? failure.retryAfterMs : undefined;
		return { retry: true as const, delayMs: asked === undefined ? backoff : Math.max(asked, 250) };
	};

	// A name that does not resolve is a wrong Base URL, not a hiccup: asking again cannot help.
	if (failure.type === 'network' && failure.code === 'ENOTFOUND') return { retry: false };

	if (kind === 'submit') {
		if (failure.type === 'http' && failure.status === 429) {
			return attempt < ATTEMPTS.submitRateLimited ? wait(2000, 60_000) : { retry: false };
		}
		if (failure.type === 'network' && NOT_SENT_CODES.has(failure.code)) {
			return attempt < ATTEMPTS.submitConnectionRefused ? wait(1000, 4000) : { retry: false };
		}
		return { retry: false };
	}

	const limit =
		kind === 'download'
			? ATTEMPTS.download
			: failure.type === 'malformed'
				? ATTEMPTS.statusMalformed
				: ATTEMPTS.status;
	if (attempt >= limit) return { retry: false };
	if (failure.type === 'malformed' || failure.type === 'network') return wait(1000, 8000);
	if (TRANSIENT_HTTP.has(failure.status)) return wait(1000, 30_000);
	return { retry: false };
}

/** A DNS failure or a refused connection means the base URL is wrong or the service is down. */
export function isUnreachable(code: string): boolean {
	return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code);
}
