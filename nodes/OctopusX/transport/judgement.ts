/**
 * Whether to ask OctopusX again: one judgement of every answer, for every kind of request, and the
 * only place that compares status codes. A submit costs money, so it is repeated only where nothing
 * can have been created; reading a status or a file is free and is repeated on what may pass. The
 * same table, cell by cell, is in docs/reliability.md (a test compares them).
 */

/** A submit; a status check inside a wait (ended by its deadline); a one-off Get Status; a download. */
export type RequestKind = 'submit' | 'wait' | 'status' | 'download';

/** What one exchange gave: an HTTP answer (readable: what the caller needs is in it), or none. */
export type Outcome =
	| { status: number; readable: boolean; retryAfterMs?: number; slotRefusal?: boolean }
	| { code: string };

/**
 * Why a request ended without what it asked for; docs/reliability.md says what each tells the user.
 * 'unreachable': no answer (on a submit, before anything reached OctopusX); 'maybe created': a submit
 * that reached OctopusX and got no usable answer; 'answer': the error an answer carries; 'no slot': a
 * submit refused for the key's limit of tasks at once (nothing created, it waits for a slot).
 */
export type FailReason = 'unreachable' | 'maybe created' | 'answer' | 'unreadable' | 'no slot';

export type Verdict =
	| { act: 'accept' }
	/** `rateLimited`: a 429, a limit of the key: every request of the run holds back. */
	| { act: 'again'; delayMs: number; rateLimited?: boolean }
	| { act: 'fail'; reason: FailReason };

/** Attempts of each kind in all, after which a repeatable failure ends the request. */
export const ATTEMPTS = {
	submitRateLimited: 6,
	submitRefused: 3,
	status: 5,
	unreadable: 3,
	download: 3,
} as const;

/** Never wait longer than this for one Retry-After, whatever the server asks. */
export const MAX_RETRY_AFTER_MS = 120_000;

/** Answers that may pass with time. 501 (the server cannot do this) and other 4xx will not. */
const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** No connection was made, for a reason that may pass: nothing reached the server. */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** A certificate this machine does not trust: Node's `ERR_TLS_CERT_…`, OpenSSL's `CERT_…`, `UNABLE_TO_…`. */
export function isCertificateError(code: string): boolean {
	return /CERT|UNABLE_TO/.test(code);
}

/**
 * Nothing was sent, and asking again cannot help: a name that does not resolve, a failed TLS
 * handshake or an untrusted certificate (the request is written only after the handshake).
 */
export function isWrongAddress(code: string): boolean {
	return /^(ENOTFOUND|EPROTO|ERR_TLS_.+|ERR_SSL_.+)$/.test(code) || isCertificateError(code);
}

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

export interface Circumstances {
	/** Failures of this kind in a row, this one included (1: the first try failed). */
	attempt: number;
	/** A wait's poll interval: no gap after a failure is longer. */
	intervalMs?: number;
	/** A wait whose task the API has answered about before (a network failure is then a hiccup). */
	answered?: boolean;
}

/**
 * The verdict on one exchange. "again" is bounded by ATTEMPTS, except in a wait that has had an
 * answer, which its deadline ends.
 */
export function judge(kind: RequestKind, outcome: Outcome, c: Circumstances): Verdict {
	const { attempt } = c;
	const again = (tries: number, base: number, cap: number): Verdict => {
		if (attempt >= tries)
			return { act: 'fail', reason: 'code' in outcome ? 'unreachable' : 'answer' };
		const asked = 'status' in outcome ? outcome.retryAfterMs : undefined;
		// "Retry-After: 0" in a storm of 429s must not become a tight loop.
		const delayMs = asked === undefined ? backoffMs(attempt, base, cap) : Math.max(asked, 250);
		return 'status' in outcome && outcome.status === 429
			? { act: 'again', delayMs, rateLimited: true }
			: { act: 'again', delayMs };
	};
	if ('code' in outcome) {
		if (kind === 'submit') {
			if (REFUSED_CODES.has(outcome.code)) return again(ATTEMPTS.submitRefused, 1000, 4000);
			return {
				act: 'fail',
				reason: isWrongAddress(outcome.code) ? 'unreachable' : 'maybe created',
			};
		}
		const givesUp = isWrongAddress(outcome.code) || attempt >= ATTEMPTS.status;
		if (kind === 'wait' && (c.answered || !givesUp)) {
			return { act: 'again', delayMs: Math.min(c.intervalMs ?? 30_000, backoffMs(attempt)) };
		}
		if (isWrongAddress(outcome.code)) return { act: 'fail', reason: 'unreachable' };
		return again(kind === 'download' ? ATTEMPTS.download : ATTEMPTS.status, 1000, 8000);
	}

	if (outcome.status >= 200 && outcome.status < 300) {
		if (outcome.readable) return { act: 'accept' };
		if (kind === 'submit' || kind === 'download') return { act: 'fail', reason: 'unreadable' };
		const verdict = again(ATTEMPTS.unreadable, 1000, 8000);
		return verdict.act === 'fail' ? { act: 'fail', reason: 'unreadable' } : verdict;
	}
	if (kind === 'submit') {
		if (outcome.status === 429 && outcome.slotRefusal) return { act: 'fail', reason: 'no slot' };
		// Refused: nothing was created.
		if (outcome.status === 429) return again(ATTEMPTS.submitRateLimited, 2000, 60_000);
		// Taken or not, nobody can tell.
		if (outcome.status >= 500 && TRANSIENT_STATUS.has(outcome.status)) {
			return { act: 'fail', reason: 'maybe created' };
		}
		return { act: 'fail', reason: 'answer' };
	}
	if (!TRANSIENT_STATUS.has(outcome.status)) return { act: 'fail', reason: 'answer' };
	if (kind === 'wait') return again(Infinity, 1000, Math.max(c.intervalMs ?? 0, 30_000));
	return again(kind === 'download' ? ATTEMPTS.download : ATTEMPTS.status, 1000, 30_000);
}
