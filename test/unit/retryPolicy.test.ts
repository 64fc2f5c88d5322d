import {
	ATTEMPTS,
	backoffMs,
	MAX_RETRY_AFTER_MS,
	parseRetryAfter,
	retryDecision,
} from '../../nodes/OctopusX/transport/retryPolicy';

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-11-25T10:00:00Z');
	it('reads delay-seconds', () => {
		expect(parseRetryAfter('3', now)).toBe(3000);
		expect(parseRetryAfter(' 0 ', now)).toBe(0);
		expect(parseRetryAfter(2, now)).toBe(2000);
	});
	it('reads an HTTP date', () => {
		expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:07 GMT', now)).toBe(7000);
		expect(parseRetryAfter('Wed, 25 Nov 2026 09:59:00 GMT', now)).toBe(0);
	});
	it('ignores what it cannot read and caps what is too long', () => {
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter('', now)).toBeUndefined();
		expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
	});
});

describe('retryDecision', () => {
	it('repeats a submit only where the server surely did not take it', () => {
		expect(retryDecision('submit', { type: 'http', status: 429 }, 1)).toEqual({
			retry: true,
			delayMs: 2000,
		});
		expect(retryDecision('submit', { type: 'network', code: 'ECONNREFUSED' }, 1).retry).toBe(true);
		for (const status of [400, 401, 403, 404, 408, 500, 502, 503, 504]) {
			expect(retryDecision('submit', { type: 'http', status }, 1)).toEqual({ retry: false });
		}
		for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ENOTFOUND', 'EPIPE']) {
			expect(retryDecision('submit', { type: 'network', code }, 1)).toEqual({ retry: false });
		}
		expect(retryDecision('submit', { type: 'malformed' }, 1)).toEqual({ retry: false });
	});

	it('honours Retry-After on a rate-limited submit, and gives up after its attempts', () => {
		expect(retryDecision('submit', { type: 'http', status: 429, retryAfterMs: 7000 }, 1)).toEqual({
			retry: true,
			delayMs: 7000,
		});
		expect(
			retryDecision('submit', { type: 'http', status: 429 }, ATTEMPTS.submitRateLimited),
		).toEqual({
			retry: false,
		});
	});

	it('retries status reads on transient failures, not on refusals', () => {
		for (const status of [429, 500, 502, 503, 504]) {
			expect(retryDecision('status', { type: 'http', status }, 1).retry).toBe(true);
		}
		for (const status of [400, 401, 403, 404]) {
			expect(retryDecision('status', { type: 'http', status }, 1).retry).toBe(false);
		}
		expect(retryDecision('status', { type: 'network', code: 'ECONNRESET' }, 1).retry).toBe(true);
		expect(retryDecision('status', { type: 'malformed' }, ATTEMPTS.statusMalformed - 1).retry).toBe(
			true,
		);
		expect(retryDecision('status', { type: 'malformed' }, ATTEMPTS.statusMalformed).retry).toBe(
			false,
		);
		expect(retryDecision('status', { type: 'http', status: 503 }, ATTEMPTS.status).retry).toBe(
			false,
		);
	});

	it('does not retry a host name that does not resolve: that is a wrong Base URL, not a hiccup', () => {
		for (const kind of ['submit', 'status', 'download'] as const) {
			expect(retryDecision(kind, { type: 'network', code: 'ENOTFOUND' }, 1)).toEqual({
				retry: false,
			});
		}
	});
});

describe('backoffMs', () => {
	it('doubles up to the cap', () => {
		expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, 1000, 30_000))).toEqual([
			1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
		]);
	});
});
