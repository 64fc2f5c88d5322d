/**
 * Every cell of the answer table: each kind of request against each outcome, rendered as a reader
 * reads it, and compared with the table in docs/reliability.md, so the docs cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Outcome, RequestKind } from '../../nodes/OctopusX/transport/judgement';
import {
	judge,
	MAX_RETRY_AFTER_MS,
	parseRetryAfter,
} from '../../nodes/OctopusX/transport/judgement';

const KINDS: RequestKind[] = ['submit', 'wait', 'status', 'download'];
/** The poll interval the table's wait column assumes (the default). */
const INTERVAL_MS = 10_000;

const answer = (status: number, extra: Partial<Outcome> = {}): Outcome => ({
	status,
	readable: true,
	...extra,
});
const codes = (...list: string[]): Outcome[] => list.map((code) => ({ code }));

/** The table's rows: a name, and the outcomes that must all be judged alike. */
const ROWS: Array<[string, Outcome[]]> = [
	['2xx, readable', [answer(200), answer(201)]],
	['2xx, unreadable', [answer(200, { readable: false })]],
	['408', [answer(408)]],
	['425', [answer(425)]],
	['429 `token_concurrency_limit_reached`', [answer(429, { slotRefusal: true })]],
	['429, `Retry-After: 7`', [answer(429, { retryAfterMs: 7000 })]],
	['429, no `Retry-After`', [answer(429)]],
	['500', [answer(500)]],
	['501', [answer(501)]],
	['502, 503, 504', [answer(502), answer(503), answer(504)]],
	['other 4xx', [400, 401, 403, 404, 409, 413, 422].map((s) => answer(s))],
	['ECONNREFUSED', codes('ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH')],
	['ECONNRESET', codes('ECONNRESET', 'EPIPE', 'ECONNABORTED')],
	['ETIMEDOUT', codes('ETIMEDOUT')],
	['ENOTFOUND', codes('ENOTFOUND')],
	['EAI_AGAIN', codes('EAI_AGAIN')],
	[
		'TLS handshake or certificate',
		codes(
			'ERR_TLS_CERT_ALTNAME_INVALID',
			'CERT_HAS_EXPIRED',
			'DEPTH_ZERO_SELF_SIGNED_CERT',
			'SELF_SIGNED_CERT_IN_CHAIN',
			'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
			'EPROTO',
		),
	],
];

const seconds = (ms: number) => String(ms / 1000);

/** The verdicts on the same outcome, failure after failure, in words. */
function render(kind: RequestKind, outcome: Outcome, answered?: boolean): string {
	const delays: number[] = [];
	for (let attempt = 1; attempt <= 12; attempt++) {
		const verdict = judge(kind, outcome, { attempt, intervalMs: INTERVAL_MS, answered });
		if (verdict.act === 'accept') return 'accept';
		if (verdict.act === 'fail') {
			const fail = `fail: ${verdict.reason}`;
			return delays.length ? `again ${delays.map(seconds).join(', ')} s, then ${fail}` : fail;
		}
		delays.push(verdict.delayMs);
	}
	// Never gives up: the wait's deadline ends it. Shown up to where the delays settle.
	const settled = delays.findIndex((d, i) => d === delays[i + 1]);
	return `again ${delays
		.slice(0, settled + 1)
		.map(seconds)
		.join(', ')} s … until the timeout`;
}

function cell(kind: RequestKind, outcome: Outcome): string {
	if (kind !== 'wait') return render(kind, outcome);
	const before = render(kind, outcome, false);
	const after = render(kind, outcome, true);
	return before === after ? before : `before an answer: ${before}; after: ${after}`;
}

/** The table in docs/reliability.md under "Every answer, judged", as rows of cells. */
function documentedTable(): Map<string, string[]> {
	const docs = readFileSync(join(__dirname, '../../docs/reliability.md'), 'utf8');
	const section = (docs.split('\n## Every answer, judged\n')[1] ?? '').split('\n## ')[0];
	const rows = section
		.split('\n')
		.filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
		.slice(1)
		.map((line) =>
			line
				.slice(1, -1)
				.split('|')
				.map((c) => c.trim()),
		);
	return new Map(rows.map(([name, ...cells]) => [name, cells]));
}

describe('the answer table', () => {
	const documented = documentedTable();

	it('has one documented row per outcome, and no other', () => {
		expect([...documented.keys()]).toEqual(ROWS.map(([name]) => name));
	});

	describe.each(ROWS)('%s', (name, outcomes) => {
		it.each(KINDS)('%s: as documented, for every variant of the outcome', (kind) => {
			const documentedCell = documented.get(name)?.[KINDS.indexOf(kind)];
			for (const outcome of outcomes) expect(cell(kind, outcome)).toBe(documentedCell);
		});
	});
});

/** Failures before a connection existed, the only ones a submit may repeat. */
const NOT_CONNECTED = ['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];

describe('judge', () => {
	it('never repeats a submit that may have reached OctopusX', () => {
		for (const [, outcomes] of ROWS) {
			for (const outcome of outcomes) {
				const verdict = judge('submit', outcome, { attempt: 1 });
				if (verdict.act !== 'again') continue;
				// No connection was made: nothing can have reached OctopusX.
				const harmless =
					'code' in outcome ? NOT_CONNECTED.includes(outcome.code) : outcome.status === 429;
				expect(harmless).toBe(true);
			}
		}
	});

	it('keeps the wait under its poll interval after a network failure, and a 429 holds every task back', () => {
		const net = judge(
			'wait',
			{ code: 'ECONNRESET' },
			{ attempt: 9, intervalMs: 3000, answered: true },
		);
		expect(net).toEqual({ act: 'again', delayMs: 3000 });
		expect(judge('wait', answer(429), { attempt: 1, intervalMs: 3000 })).toEqual({
			act: 'again',
			delayMs: 1000,
			rateLimited: true,
		});
		expect(judge('status', answer(503), { attempt: 1 })).toEqual({ act: 'again', delayMs: 1000 });
	});

	it('does not let "Retry-After: 0" become a tight loop', () => {
		expect(judge('status', answer(429, { retryAfterMs: 0 }), { attempt: 1 })).toMatchObject({
			delayMs: 250,
		});
	});
});

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
