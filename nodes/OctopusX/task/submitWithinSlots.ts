import type { OctopusApi } from '../transport';
import { Wakeup } from '../transport';
import type { SlotSettings } from './slotAdmission';
import { SlotAdmission } from './slotAdmission';

/** What one submit of one item gave. */
export type Attempt<R> =
	| { accepted: R; taskId: string }
	/** OctopusX refused it because the key runs as many tasks as it may: nothing was created. */
	| { refused: true }
	| { error: unknown };

/** Where each item ended: a task, an error, or never sent because no slot freed in time. */
export type Sent<R> = { accepted: R } | { error: unknown } | { notSent: NotSent };

export interface NotSent {
	waitedMs: number;
	refusals: number;
}

export interface SlotRun<P, R> {
	settings: SlotSettings;
	/** In item order; sent in that order, each once it may be. */
	plans: P[];
	/** At most this many submits on their way at once (each carries an upload). */
	sendingAtOnce: number;
	send(plan: P): Promise<Attempt<R>>;
	/**
	 * Holds the accepted task's slot: resolves when the task no longer counts against the key's
	 * limit as far as the run knows (finished, failed, given up on, or no longer watched).
	 */
	occupy(plan: P, accepted: R, taskId: string): Promise<unknown>;
	/** Told when the next item starts and stops waiting for a slot, for the log. */
	onWait?(event: SlotWaitEvent, plan: P): void;
}

export type SlotWaitEvent =
	| {
			kind: 'started';
			reason: 'own tasks' | 'other holders' | 'max at once';
			waiting: number;
			running: number;
	  }
	| { kind: 'ended'; waitedMs: number; outcome: 'sent' | 'gave up' | 'stopped' };

/** A wait with nothing due sleeps this long at most; it is woken by whatever it waits for. */
const IDLE_MS = 60_000;

/**
 * Submits the plans in order while keeping to OctopusX's limit of tasks per API key (see
 * slotAdmission.ts): a refused item is not an error but waits for a free slot, and items still
 * unsent when patience runs out come back as `notSent` (nothing was created for them). Stop ends a
 * wait at once (the sleep throws). One result per plan, in order.
 */
export async function submitWithinSlots<P, R>(
	api: OctopusApi,
	run: SlotRun<P, R>,
): Promise<Array<Sent<R>>> {
	const admission = new SlotAdmission(run.settings);
	const results: Array<Sent<R> | undefined> = new Array(run.plans.length);
	const queue = run.plans.map((_, j) => j);
	const wakeup = new Wakeup();
	let running = 0;
	let sending = 0;
	/** Since when, and which plan, waits for a slot. */
	let waiting: { since: number; j: number } | undefined;

	const waitEnded = (outcome: 'sent' | 'gave up' | 'stopped') => {
		if (waiting === undefined) return;
		const { since, j } = waiting;
		waiting = undefined;
		run.onWait?.({ kind: 'ended', waitedMs: Date.now() - since, outcome }, run.plans[j]);
	};

	const slotFreed = () => {
		running--;
		admission.finished(Date.now());
		wakeup.wake();
	};

	const attempt = async (j: number) => {
		sending++;
		let outcome: Attempt<R>;
		try {
			outcome = await run.send(run.plans[j]);
		} catch (error) {
			outcome = { error };
		}
		sending--;
		if ('refused' in outcome) {
			admission.refused(Date.now(), running, sending);
			// Back in its place: items keep their order.
			queue.push(j);
			queue.sort((a, b) => a - b);
		} else if ('accepted' in outcome) {
			running++;
			admission.accepted(running);
			waitEnded('sent');
			results[j] = { accepted: outcome.accepted };
			void run.occupy(run.plans[j], outcome.accepted, outcome.taskId).then(slotFreed, slotFreed);
		} else {
			results[j] = { error: outcome.error };
		}
		wakeup.wake();
	};

	const onTheirWay = new Set<Promise<void>>();
	let ended = false;
	try {
		while (queue.length > 0 || sending > 0) {
			if (queue.length === 0 || sending >= run.sendingAtOnce) {
				await wakeup.sleep(api, IDLE_MS);
				continue;
			}
			const now = Date.now();
			const decision = admission.decide(now, running, sending);
			if (decision.kind === 'send') {
				const sent = attempt(queue.shift() as number);
				onTheirWay.add(sent);
				void sent.finally(() => onTheirWay.delete(sent));
				continue;
			}
			if (decision.kind === 'give up') {
				const notSent = { waitedMs: decision.waitedMs, refusals: admission.refusals };
				for (const j of queue) results[j] = { notSent };
				queue.length = 0;
				waitEnded('gave up');
				continue;
			}
			if (waiting === undefined) {
				waiting = { since: now, j: queue[0] };
				run.onWait?.(
					{ kind: 'started', reason: decision.reason, waiting: queue.length, running },
					run.plans[queue[0]],
				);
			}
			await wakeup.sleep(api, decision.until - now);
		}
		ended = true;
	} finally {
		// Stopped (the sleep threw) while an item waited.
		if (!ended) waitEnded('stopped');
		// Stopped: a submit on its way is ended by n8n (the cancel signal); let it settle first.
		await Promise.allSettled([...onTheirWay]);
	}
	return results as Array<Sent<R>>;
}
