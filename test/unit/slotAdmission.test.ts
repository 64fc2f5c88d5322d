import { SlotAdmission, probeSpacingMs } from '../../nodes/OctopusX/task/slotAdmission';

const HOUR = 3_600_000;
const WAVE = 5;
const MB = 1e6;
/** A submit with a URL reference; one with a 5 MB clip as a data URI. */
const URL_BODY = 200;
const CLIP_BODY = 6.7 * MB;

const admission = (maxAtOnce = Infinity, patienceMs = HOUR, random = () => 0.5) =>
	new SlotAdmission({ maxAtOnce, patienceMs }, WAVE, random);

describe('probeSpacingMs', () => {
	it('1 s plus 4 s per MB of body: a URL reference about every second, a clip far more rarely', () => {
		// random 0.5: no jitter.
		expect(probeSpacingMs(URL_BODY, 0.5)).toBe(1001);
		expect(probeSpacingMs(CLIP_BODY, 0.5)).toBe(27_800);
		expect(probeSpacingMs(30 * MB, 0.5)).toBe(60_000);
	});

	it('moves each spacing by at most a quarter either way', () => {
		expect(probeSpacingMs(0, 0)).toBe(750);
		expect(probeSpacingMs(0, 0.999999)).toBe(1250);
	});
});

describe('SlotAdmission before anything is known', () => {
	it('sends a wave, and the next only once every submit of it is answered', () => {
		const a = admission();
		for (let sending = 0; sending < WAVE; sending++)
			expect(a.decide(0, 0, sending).kind).toBe('send');
		// Two accepted, three still on their way: no sixth upload yet.
		expect(a.decide(1, 2, 3)).toMatchObject({ kind: 'wait', reason: 'wave' });
		a.accepted(5);
		expect(a.decide(2, 5, 0)).toEqual({ kind: 'send' });
	});

	it('Max Tasks at Once counts tasks running and submits on their way, without waves', () => {
		const a = admission(3);
		expect(a.decide(0, 2, 0).kind).toBe('send');
		expect(a.decide(0, 1, 2)).toMatchObject({ kind: 'wait', reason: 'max at once' });
		expect(a.decide(0, 3, 0)).toMatchObject({ kind: 'wait', until: HOUR });
	});
});

describe('SlotAdmission after a refusal', () => {
	it('keeps the share the key gave the run: a freed slot is refilled at once, the share not exceeded', () => {
		const a = admission();
		a.refused(1000, 2);
		expect(a.limit).toBe(2);
		expect(a.decide(1000, 2, 0, CLIP_BODY)).toMatchObject({ kind: 'wait', reason: 'own tasks' });
		expect(a.decide(5000, 1, 0, CLIP_BODY)).toEqual({ kind: 'send' });
		a.accepted(2);
		// Long after: what was learned still holds; nothing forgets it.
		expect(a.decide(10 * 60_000, 2, 1, CLIP_BODY).kind).toBe('wait');
		expect(a.limit).toBe(2);
	});

	it('with own tasks running, a probe beyond the share goes only for a slot one of them freed', () => {
		const a = admission();
		a.refused(0, 2);
		// However long it waits: no own task has finished, so no probe (only patience ends the wait).
		expect(a.decide(HOUR / 2, 2, 0, URL_BODY)).toMatchObject({
			kind: 'wait',
			until: HOUR,
			reason: 'own tasks',
		});
		a.finished();
		expect(a.decide(HOUR / 2, 2, 0, URL_BODY)).toEqual({ kind: 'send' });
		// One probe per freed slot: the next waits for another.
		a.refused(HOUR / 2, 2);
		expect(a.decide(HOUR / 2 + 5000, 2, 0, URL_BODY).kind).toBe('wait');
	});

	it('a probe goes alone, once its spacing has passed since the refusal', () => {
		const a = admission();
		a.refused(0, 2);
		a.finished();
		a.finished();
		expect(a.decide(1000, 2, 0, URL_BODY)).toMatchObject({ kind: 'wait', until: 1001 });
		expect(a.decide(1001, 2, 1, URL_BODY)).toMatchObject({ kind: 'wait', until: HOUR });
		expect(a.decide(1001, 2, 0, URL_BODY)).toEqual({ kind: 'send' });
	});

	it('with own tasks running, refused bytes stay within 1 MB plus a quarter of the accepted bytes', () => {
		const a = admission();
		for (let i = 0; i < 3; i++) a.accepted(i + 1, CLIP_BODY);
		a.refused(0, 3, CLIP_BODY);
		a.refused(0, 3, CLIP_BODY);
		a.finished();
		// 13.4 MB refused, 20.1 MB accepted: a refill goes, a probe of one more clip does not.
		expect(a.decide(HOUR / 2, 2, 0, CLIP_BODY)).toEqual({ kind: 'send' });
		expect(a.decide(HOUR / 2, 3, 0, CLIP_BODY)).toMatchObject({ kind: 'wait', until: HOUR });
		// After 12 more accepted clips (100 MB), a clip fits too.
		for (let i = 0; i < 12; i++) a.accepted(3, CLIP_BODY);
		a.finished();
		expect(a.decide(HOUR / 2, 3, 0, CLIP_BODY)).toEqual({ kind: 'send' });
	});

	it('a URL reference is probed sooner than a large upload', () => {
		const a = admission();
		a.refused(0, 0);
		expect(a.decide(0, 0, 0, URL_BODY)).toMatchObject({ kind: 'wait', until: 1001 });
		expect(a.decide(0, 0, 0, CLIP_BODY)).toMatchObject({ kind: 'wait', until: 27_800 });
	});

	it('an accepted probe raises the share, and the next probe may follow at once', () => {
		const a = admission();
		a.refused(0, 1);
		a.finished();
		expect(a.decide(1000, 1, 0, 0)).toEqual({ kind: 'send' });
		a.accepted(2);
		expect(a.limit).toBe(2);
		// The key had a slot free: it may have another.
		expect(a.decide(1001, 2, 0, 0)).toEqual({ kind: 'send' });
		a.refused(1100, 2);
		expect(a.decide(5000, 2, 0, 0).kind).toBe('wait');
	});

	it('refused with none of its own running (other holders): probes one at a time', () => {
		const a = admission();
		a.refused(0, 0);
		expect(a.decide(100, 0, 0)).toEqual({ kind: 'wait', until: 1000, reason: 'other holders' });
		expect(a.decide(1000, 0, 0).kind).toBe('send');
		expect(a.decide(1000, 0, 1).kind).toBe('wait');
		a.accepted(1);
		expect(a.limit).toBe(1);
	});

	it('answers that cross: a refusal while own submits are on their way, then their acceptances', () => {
		const a = admission();
		a.refused(0, 0);
		a.accepted(1);
		a.accepted(2);
		a.accepted(3);
		expect(a.limit).toBe(3);
		a.refused(2, 3);
		expect(a.limit).toBe(3);
	});

	it('Max Tasks at Once below the share: waits for it, no probe', () => {
		const a = admission(2);
		a.refused(0, 3);
		expect(a.decide(HOUR / 2, 2, 0)).toMatchObject({ kind: 'wait', reason: 'max at once' });
	});
});

describe('SlotAdmission patience', () => {
	it('gives up after the patience, counted from the first wait, once no submit is on its way', () => {
		const a = admission(Infinity, 10_000);
		a.refused(1000, 0);
		expect(a.decide(1500, 0, 0).kind).toBe('wait');
		a.refused(4000, 0);
		a.refused(10_000, 0);
		expect(a.decide(10_999, 0, 0, CLIP_BODY).kind).toBe('wait');
		// A submit still on its way: its answer decides, not the patience.
		expect(a.decide(11_000, 0, 1, CLIP_BODY)).toMatchObject({ kind: 'wait', until: Infinity });
		expect(a.decide(11_000, 0, 0, CLIP_BODY)).toEqual({ kind: 'give up', waitedMs: 10_000 });
		expect(a.refusals).toBe(3);
	});

	it('an accepted task starts the patience anew', () => {
		const a = admission(1, 10_000);
		expect(a.decide(0, 1, 0).kind).toBe('wait');
		a.accepted(1);
		expect(a.decide(9000, 1, 0)).toMatchObject({ kind: 'wait', until: 19_000 });
	});

	it('patience 0: the first wait gives up at once', () => {
		const a = admission(Infinity, 0);
		a.refused(0, 1);
		expect(a.decide(0, 1, 0)).toEqual({ kind: 'give up', waitedMs: 0 });
	});
});
