/**
 * When a Submit may send its next item, given OctopusX's limit on how many tasks one API key may run
 * at once. Pure: times and counts in, decisions out; `task/submitPipeline.ts` drives it. A refused
 * submit costs its whole upload, so the run learns what the key gives it and sends beyond that only
 * one probe at a time, when a slot may have freed, and as often as the probe is cheap.
 *
 * - Max Tasks at Once (`maxAtOnce`) caps the run's own unfinished tasks, so a user who knows the
 *   plan's limit never sees a refusal.
 * - Until a refusal, nothing is known: items go out in waves of as many uploads as may be in flight,
 *   the next wave once every submit of the last one is answered, so a refusal is known before more
 *   is put at risk. Max Tasks at Once set: no waves, the run keeps to it.
 * - A refusal teaches the run its share of the key: its own tasks running then (0 when other
 *   executions or apps hold every slot). The share is kept for the whole run; an acceptance beyond
 *   it raises it. Within the share, the next item goes out as soon as an own task finishes.
 * - Beyond the share goes one probe at a time, with nothing else on its way, once `probeSpacingMs`
 *   of its body has passed since the last refusal (a URL reference about a second, a 5 MB clip
 *   half a minute; jittered, so executions sharing a key do not knock in step), and:
 *   - with none of its own tasks running (others hold the key): by that spacing alone;
 *   - with its own tasks running: once per own task that finished (other holders' tasks of the same
 *     kind may have finished with it), and while the bytes of refused submits stay within 1 MB plus
 *     a quarter of the bytes accepted.
 * - Patience: an item that has waited that long with no task of the run accepted ends the wait for
 *   every item not yet sent.
 */

export interface SlotSettings {
	/** The run's own unfinished tasks at most (Infinity: as many as OctopusX accepts). */
	maxAtOnce: number;
	/** How long to wait for a free slot, counted from when the run last got a task accepted. */
	patienceMs: number;
}

export type SlotDecision =
	| { kind: 'send' }
	/** Wait until `until` (ms since the epoch) unless something happens sooner (a task finishing). */
	| { kind: 'wait'; until: number; reason: 'own tasks' | 'other holders' | 'max at once' | 'wave' }
	| { kind: 'give up'; waitedMs: number };

/** A probe beyond the run's share waits 1 s plus 4 s per MB of its body, at most a minute, ±25 %. */
export const PROBE_SPACING = { baseMs: 1000, msPerMB: 4000, capMs: 60_000, jitter: 0.25 } as const;

/** What refused submits may cost a run that has tasks running: 1 MB plus a quarter of what was accepted. */
export const PROBE_BUDGET = { bytes: 1e6, ofAccepted: 0.25 } as const;

/**
 * How long after a refusal a probe of `bodyBytes` may go out (`random` in [0, 1)): while the key
 * stays full, refused probes cost at most about 250 kB a second, whatever the clip.
 */
export function probeSpacingMs(bodyBytes: number, random: number): number {
	const { baseMs, msPerMB, capMs, jitter } = PROBE_SPACING;
	const plain = Math.min(capMs, baseMs + (msPerMB * bodyBytes) / 1e6);
	return Math.round(plain * (1 - jitter + 2 * jitter * random));
}

export class SlotAdmission {
	/** The run's own tasks the key gave it at its last refusal; Infinity until one. */
	private share = Number.POSITIVE_INFINITY;
	private lastRefusalAt = Number.NEGATIVE_INFINITY;
	/** Submits of the current wave sent, while nothing is known of the limit. */
	private wave = 0;
	/** The spacing's jitter for the next probe, drawn at each refusal. */
	private draw = 0.5;
	/** An own task finished since the last probe: a slot of the key may be free. */
	private slotFreed = false;
	private refusedBytes = 0;
	private acceptedBytes = 0;
	/** Since when the next item has been waiting, if it is. */
	private waitingSince: number | undefined;
	/** Refusals received, for the log and the benchmark. */
	refusals = 0;

	constructor(
		private readonly settings: SlotSettings,
		/** Submits in flight at most: the size of a wave. */
		private readonly waveSize: number,
		private readonly random: () => number = Math.random,
	) {}

	/** How many own tasks may be unfinished at once without a probe. */
	get limit(): number {
		return Math.min(this.settings.maxAtOnce, this.share);
	}

	/**
	 * Whether the next item, of `bodyBytes`, may be sent now. `running`: the run's accepted tasks not
	 * yet known to be finished; `sending`: its submits on their way.
	 */
	decide(now: number, running: number, sending: number, bodyBytes = 0): SlotDecision {
		const held = running + sending;
		const probeAt = this.lastRefusalAt + probeSpacingMs(bodyBytes, this.draw);
		const beyondShare = held >= this.share && held < this.settings.maxAtOnce;
		// Beyond the share: one probe, alone, once its spacing has passed; with own tasks running, only
		// for a slot one of them freed, and within the budget.
		const stalled = running === 0;
		const affordable =
			this.refusedBytes + bodyBytes <=
			PROBE_BUDGET.bytes + PROBE_BUDGET.ofAccepted * this.acceptedBytes;
		const mayProbe = stalled || (this.slotFreed && affordable);
		const probe = beyondShare && sending === 0 && mayProbe && now >= probeAt;
		// Nothing known: the next wave once the last one is answered (an answer wakes the wait).
		if (sending === 0) this.wave = 0;
		const unknown = this.limit === Number.POSITIVE_INFINITY;
		if (unknown && this.wave >= this.waveSize)
			return { kind: 'wait', until: Infinity, reason: 'wave' };
		if (held < this.limit || probe) {
			if (unknown) this.wave++;
			if (held >= this.limit) this.slotFreed = false;
			return { kind: 'send' };
		}
		// A submit still on its way may end the wait (accepted: it counts; refused: it teaches).
		if (this.waitingSince === undefined) this.waitingSince = now;
		const waitedMs = now - this.waitingSince;
		const outOfPatience = waitedMs >= this.settings.patienceMs;
		if (outOfPatience && sending === 0) return { kind: 'give up', waitedMs };
		// Out of patience with a submit still on its way: its answer decides (it wakes the wait).
		const patienceEnds = outOfPatience
			? Number.POSITIVE_INFINITY
			: this.waitingSince + this.settings.patienceMs;
		if (!beyondShare) return { kind: 'wait', until: patienceEnds, reason: 'max at once' };
		const reason = stalled ? 'other holders' : 'own tasks';
		// A finishing own task wakes the wait; only a probe that may go is waited for by the clock.
		const until = sending > 0 || !mayProbe ? patienceEnds : Math.min(probeAt, patienceEnds);
		return { kind: 'wait', until, reason };
	}

	/** OctopusX took a task (a submit of `bodyBytes`); `running` counts it. */
	accepted(running: number, bodyBytes = 0): void {
		this.waitingSince = undefined;
		this.acceptedBytes += bodyBytes;
		// Accepted beyond the share (a probe, or answers out of order): the key gives more, and may have
		// more free: the next probe may follow.
		if (running <= this.share || !Number.isFinite(this.share)) return;
		this.share = running;
		this.slotFreed = true;
	}

	/** One of the run's own tasks finished: a slot of the key may be free beyond the run's share. */
	finished(): void {
		this.slotFreed = true;
	}

	/**
	 * OctopusX refused a submit of `bodyBytes` for concurrency while `running` of the run's own tasks
	 * were unfinished.
	 */
	refused(now: number, running: number, bodyBytes = 0): void {
		this.refusals++;
		this.refusedBytes += bodyBytes;
		this.lastRefusalAt = now;
		this.draw = this.random();
		if (this.waitingSince === undefined) this.waitingSince = now;
		// What the key gave this run when it said no; submits still on their way raise it if accepted.
		this.share = running;
	}
}
