import {
	FORGET_AFTER_MS,
	SlotAdmission,
	foreignBackoffMs,
} from '../../nodes/OctopusX/task/slotAdmission';

const HOUR = 3_600_000;

describe('foreignBackoffMs', () => {
	it('starts at 3 s, doubles, and stops at a minute', () => {
		// random 0.5: no jitter.
		expect([1, 2, 3, 4, 5, 6, 9].map((n) => foreignBackoffMs(n, 0.5))).toEqual([
			3000, 6000, 12_000, 24_000, 48_000, 60_000, 60_000,
		]);
	});

	it('moves each wait by at most a quarter either way', () => {
		expect(foreignBackoffMs(1, 0)).toBe(2250);
		expect(foreignBackoffMs(1, 0.999999)).toBe(3750);
		expect(foreignBackoffMs(8, 0)).toBe(45_000);
	});
});

describe('SlotAdmission', () => {
	it('sends freely until OctopusX refuses', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: HOUR });
		expect(a.decide(0, 0, 0)).toEqual({ kind: 'send' });
		expect(a.decide(0, 40, 4)).toEqual({ kind: 'send' });
	});

	it('Max Tasks at Once counts tasks running and submits on their way', () => {
		const a = new SlotAdmission({ maxAtOnce: 3, patienceMs: HOUR });
		expect(a.decide(0, 2, 0).kind).toBe('send');
		expect(a.decide(0, 1, 2)).toMatchObject({ kind: 'wait', reason: 'max at once' });
		expect(a.decide(0, 3, 0)).toMatchObject({ kind: 'wait', until: HOUR });
	});

	it('refused with own tasks running: waits for one of them, not for a timer', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: HOUR });
		a.refused(1000, 2);
		expect(a.limit).toBe(2);
		// No retry time: only a finishing task (or patience) ends the wait.
		expect(a.decide(1000, 2, 0)).toEqual({ kind: 'wait', until: 1000 + HOUR, reason: 'own tasks' });
		a.finished(5000);
		expect(a.decide(5000, 1, 0)).toEqual({ kind: 'send' });
		// The learned limit holds for the next one.
		a.accepted(2);
		expect(a.decide(5001, 2, 0).kind).toBe('wait');
	});

	it('an acceptance beyond the learned limit raises it (answers arrive out of order)', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: HOUR });
		a.refused(0, 1);
		a.accepted(3);
		expect(a.limit).toBe(3);
	});

	it('forgets the learned limit when a task finishes long after the last refusal', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: HOUR });
		a.refused(0, 2);
		a.finished(FORGET_AFTER_MS - 1);
		expect(a.limit).toBe(2);
		a.finished(FORGET_AFTER_MS);
		expect(a.limit).toBe(Infinity);
	});

	it('refused with none of its own running: backs off with jitter, 3 s then doubling', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: HOUR }, () => 0.5);
		a.refused(0, 0);
		expect(a.decide(100, 0, 0)).toEqual({ kind: 'wait', until: 3000, reason: 'other holders' });
		expect(a.decide(3000, 0, 0)).toEqual({ kind: 'send' });
		a.refused(3100, 0);
		expect(a.decide(3100, 0, 0)).toMatchObject({ until: 9100 });
		// A task accepted resets the backoff.
		a.accepted(1);
		a.finished(10_000);
		a.refused(20_000, 0);
		expect(a.decide(20_000, 0, 0)).toMatchObject({ until: 23_000 });
	});

	it('gives up after the patience, counted from the first wait, once no submit is on its way', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: 10_000 }, () => 0.5);
		a.refused(1000, 0);
		expect(a.decide(3999, 0, 0).kind).toBe('wait');
		a.refused(4000, 0);
		a.refused(10_000, 0);
		expect(a.decide(10_999, 0, 0).kind).toBe('wait');
		// A submit still on its way: its answer decides, not the patience.
		expect(a.decide(11_000, 0, 1)).toMatchObject({ kind: 'wait', until: Infinity });
		expect(a.decide(11_000, 0, 0)).toEqual({ kind: 'give up', waitedMs: 10_000 });
		expect(a.refusals).toBe(3);
	});

	it('an accepted task starts the patience anew', () => {
		const a = new SlotAdmission({ maxAtOnce: 1, patienceMs: 10_000 });
		expect(a.decide(0, 1, 0).kind).toBe('wait');
		a.accepted(1);
		expect(a.decide(9000, 1, 0)).toMatchObject({ kind: 'wait', until: 19_000 });
	});

	it('patience 0: the first wait gives up at once', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: 0 });
		a.refused(0, 1);
		expect(a.decide(0, 1, 0)).toEqual({ kind: 'give up', waitedMs: 0 });
	});
});

describe('SlotAdmission while other holders fill the key', () => {
	it('sends one submit at a time until one is accepted', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: HOUR }, () => 0.5);
		a.refused(0, 0);
		expect(a.decide(3000, 0, 0).kind).toBe('send');
		expect(a.decide(3000, 0, 1).kind).toBe('wait');
		a.accepted(1);
		expect(a.decide(3100, 1, 1).kind).toBe('send');
	});
});

describe('SlotAdmission when answers cross', () => {
	it('a refusal while own submits are on their way is not taken for other holders', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: HOUR });
		// Five uploads went out at once; the first answer is a refusal.
		a.refused(0, 0, 4);
		expect(a.decide(1, 0, 4)).toMatchObject({ kind: 'wait', reason: 'own tasks' });
		a.accepted(1);
		a.accepted(2);
		a.accepted(3);
		a.refused(2, 3, 0);
		expect(a.limit).toBe(3);
		expect(a.decide(3, 3, 0)).toMatchObject({ kind: 'wait', reason: 'own tasks' });
	});

	it('when every submit on its way was refused too, it backs off as for other holders', () => {
		const a = new SlotAdmission({ maxAtOnce: Infinity, patienceMs: HOUR }, () => 0.5);
		a.refused(0, 0, 1);
		a.refused(10, 0, 0);
		expect(a.limit).toBe(Infinity);
		expect(a.decide(10, 0, 0)).toEqual({ kind: 'wait', until: 3010, reason: 'other holders' });
		expect(a.decide(3010, 0, 0)).toEqual({ kind: 'send' });
	});
});
