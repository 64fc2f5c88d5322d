/**
 * When a Submit may send its next item, given OctopusX's limit on how many tasks one API key may run
 * at once. Pure: times and counts in, decisions out; `task/submitPipeline.ts` drives it.
 *
 * - Max Tasks at Once (`maxAtOnce`) caps the run's own unfinished tasks, so a user who knows the
 *   plan's limit never sees a refusal.
 * - A refusal while the run has tasks of its own running teaches a limit (how many of them were
 *   running): nothing more is sent until one of them finishes, so the next item goes out as soon as
 *   a slot frees, not on a timer. The lesson is forgotten when a task finishes 30 s or more after
 *   the last refusal, in case other holders of the key have finished meanwhile.
 * - A refusal with none of its own running means other executions or apps hold the key's slots:
 *   the next try comes after a jittered backoff (3 s, doubling, at most a minute), one submit at a
 *   time until one is accepted.
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
	| { kind: 'wait'; until: number; reason: 'own tasks' | 'other holders' | 'max at once' }
	| { kind: 'give up'; waitedMs: number };

export const FOREIGN_BACKOFF = { baseMs: 3000, capMs: 60_000, jitter: 0.25 } as const;

/** A learned limit is forgotten when a task finishes this long after the last refusal. */
export const FORGET_AFTER_MS = 30_000;

/**
 * The n-th backoff (1-based) while other holders keep the key full: 3 s, 6 s, 12 s ... capped at a
 * minute, each moved by up to ±25 % (`random` in [0, 1)) so several executions do not retry in step.
 */
export function foreignBackoffMs(attempt: number, random: number): number {
	const { baseMs, capMs, jitter } = FOREIGN_BACKOFF;
	const plain = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
	return Math.round(plain * (1 - jitter + 2 * jitter * random));
}

export class SlotAdmission {
	/** The run's own tasks the key seemed to hold at its last refusal; Infinity when not known. */
	private learned = Number.POSITIVE_INFINITY;
	private lastRefusalAt = Number.NEGATIVE_INFINITY;
	private foreignRefusals = 0;
	private retryAt = 0;
	/** Since when the next item has been waiting, if it is. */
	private waitingSince: number | undefined;
	/** Refusals received, for the log and the benchmark. */
	refusals = 0;

	constructor(
		private readonly settings: SlotSettings,
		private readonly random: () => number = Math.random,
	) {}

	/** How many own tasks may be unfinished at once right now. */
	get limit(): number {
		return Math.min(this.settings.maxAtOnce, this.learned);
	}

	/**
	 * Whether the next item may be sent now. `running`: the run's accepted tasks not yet known to
	 * be finished; `sending`: its submits on their way.
	 */
	decide(now: number, running: number, sending: number): SlotDecision {
		const underLimit = running + sending < this.limit;
		// While other holders fill the key, one submit at a time finds out whether a slot is free.
		const probing = this.foreignRefusals > 0 && sending > 0;
		if (underLimit && !probing && now >= this.retryAt) return { kind: 'send' };
		// A submit still on its way may end the wait (accepted: it counts; refused: it teaches).
		if (this.waitingSince === undefined) this.waitingSince = now;
		const waitedMs = now - this.waitingSince;
		const outOfPatience = waitedMs >= this.settings.patienceMs;
		if (outOfPatience && sending === 0) return { kind: 'give up', waitedMs };
		// Out of patience with a submit still on its way: its answer decides (it wakes the wait).
		const patienceEnds = outOfPatience
			? Number.POSITIVE_INFINITY
			: this.waitingSince + this.settings.patienceMs;
		if (!underLimit) {
			const reason = this.settings.maxAtOnce <= this.learned ? 'max at once' : 'own tasks';
			return { kind: 'wait', until: patienceEnds, reason };
		}
		const until = probing ? patienceEnds : Math.min(this.retryAt, patienceEnds);
		return { kind: 'wait', until, reason: 'other holders' };
	}

	/** OctopusX took a task; `running` counts it. */
	accepted(running: number): void {
		this.waitingSince = undefined;
		this.foreignRefusals = 0;
		this.retryAt = 0;
		// Accepted beyond what was learned (answers can arrive out of order): the key holds more.
		if (Number.isFinite(this.learned)) this.learned = Math.max(this.learned, running);
	}

	/**
	 * OctopusX refused a submit for concurrency while `running` of the run's own tasks were
	 * unfinished and `sending` other submits of the run were still on their way.
	 */
	refused(now: number, running: number, sending = 0): void {
		this.refusals++;
		this.lastRefusalAt = now;
		if (this.waitingSince === undefined) this.waitingSince = now;
		if (running + sending > 0) {
			// The key holds (or is about to hold) tasks of this run: as many as are running, raised by
			// each acceptance still to come.
			this.learned = running;
			this.foreignRefusals = 0;
			this.retryAt = 0;
		} else {
			// Nothing of this run holds a slot: what it learned of its own share no longer applies.
			this.learned = Number.POSITIVE_INFINITY;
			this.foreignRefusals++;
			this.retryAt = now + foreignBackoffMs(this.foreignRefusals, this.random());
		}
	}

	/** One of the run's own tasks finished (or stopped being followed): its slot is free. */
	finished(now: number): void {
		if (now - this.lastRefusalAt >= FORGET_AFTER_MS) this.learned = Number.POSITIVE_INFINITY;
	}
}
