import { NodeOperationError } from 'n8n-workflow';

import { log } from '../record';
import { slotWaitEnded, slotWaitStarted } from '../record/logLines';
import type { OctopusApi } from '../transport';
import { isCancelled, stoppedError, Wakeup } from '../transport';
import { CONCURRENCY_LIMIT_CODE } from '../transport/apiErrors';
import { AT_ONCE } from '../transport/limit';
import { pollDelayMs } from './pollSchedule';
import type { SlotSettings } from './slotAdmission';
import { SlotAdmission } from './slotAdmission';
import type { TaskStatus } from './taskStatus';
import type { WaitJob } from './waitForTasks';
import { watchTasks } from './waitForTasks';

/** What one submit of one item gave: a task, or a refusal for the key's limit (nothing created). */
export type Attempt<R> = { accepted: R; taskId: string } | 'no slot';

/** Where each item ended: its output, an error, or never sent because no slot freed in time. */
export type Outcome<R> = { value: R } | { error: unknown } | { notSent: NotSent };

export type NotSent = { waitedMs: number; refusals: number };

export interface SubmitItem {
	itemIndex: number;
	/** The size of its submit's body: what a refusal of it would cost. */
	bodyBytes: number;
	/** How often its task is looked at while later items wait for its slot. */
	pollIntervalMs: number;
	/** Set when its task is followed to the end ("Wait for Completion"): the output is then `deliver`'s. */
	follow?: { intervalMs: number; timeoutMs: number };
}

/** A task of the run (plan `j`), watched for its slot (and followed to its end when asked). */
type PipelineJob = WaitJob & { j: number; free: () => void };

export interface SubmitRun<P extends SubmitItem, R> {
	/** The key's limits, for the whole run. */
	slots: SlotSettings;
	/** In item order; sent in that order, each once it may be. */
	plans: P[];
	send(plan: P): Promise<Attempt<R>>;
	/** A followed task's output once it is done (its video downloaded). */
	deliver(plan: P, status: TaskStatus): Promise<R>;
}

/**
 * Submit's pipeline: the items go out in order while keeping to OctopusX's limit of tasks per API
 * key (slotAdmission.ts decides when), and the run's own tasks are watched from the moment they are
 * accepted, so the next item goes out as soon as one finishes. A followed task's output is delivered
 * (its video downloaded) while the others run; the rest are output as submitted. A refused item is
 * not an error: it waits for a slot, and items still unsent when patience runs out come back as
 * `notSent` (nothing was created for them). Stop ends every wait at once; the tasks already created
 * are named in the error. One outcome per plan, in order.
 */
export async function submitAndFollow<P extends SubmitItem, R>(
	api: OctopusApi,
	run: SubmitRun<P, R>,
): Promise<Array<Outcome<R>>> {
	const admission = new SlotAdmission(run.slots, AT_ONCE.uploads);
	const outcomes: Array<Outcome<R> | Promise<Outcome<R>>> = new Array(run.plans.length);
	const queue = run.plans.map((_, j) => j);
	const wakeup = new Wakeup();
	const submitted: string[] = [];
	let running = 0;
	let sending = 0;
	/** Since when, and which plan, waits for a slot. */
	let waiting: { since: number; j: number } | undefined;

	const watch = watchTasks<PipelineJob, R | undefined>(api, async (job, status) => {
		// Done at OctopusX: its slot is free while the video downloads (if it is followed).
		job.free();
		const plan = run.plans[job.j];
		return plan.follow ? await run.deliver(plan, status) : undefined;
	});
	// Awaited below where it matters; a Stop ends the slot wait and the watch alike.
	watch.ended.catch(() => undefined);

	const waitEnded = (outcome: 'free' | 'gave up' | 'stopped') => {
		if (waiting === undefined) return;
		const { since, j } = waiting;
		waiting = undefined;
		log(api.fn, slotWaitEnded, run.plans[j].itemIndex, undefined, {
			waitedMs: Date.now() - since,
			outcome,
		});
	};

	/** Follows an accepted task; its slot counts as free once, when it is done, fails or is let go. */
	const follow = (j: number, accepted: R, taskId: string): Promise<Outcome<R>> => {
		const { itemIndex, pollIntervalMs, follow: until } = run.plans[j];
		let held = true;
		const free = () => {
			if (!held) return;
			held = false;
			running--;
			admission.finished();
			wakeup.wake();
		};
		const intervalMs = until?.intervalMs ?? pollIntervalMs;
		const settled = watch.add({
			j,
			free,
			itemIndex,
			taskId,
			intervalMs,
			timeoutMs: until?.timeoutMs ?? Number.POSITIVE_INFINITY,
			// Just created: the first look is worth it only once the task may be done.
			firstLookMs: pollDelayMs(1, intervalMs),
			// Only watched for its slot: Wait Until Done logs its end.
			slotOnly: !until,
		});
		return settled.then((result) => {
			free();
			if (!until || !result) return { value: accepted };
			// Followed: its value is what `deliver` made.
			return 'value' in result ? { value: result.value as R } : { error: result.error };
		});
	};

	const attempt = async (j: number) => {
		sending++;
		let sent: Attempt<R> | { error: unknown };
		try {
			sent = await run.send(run.plans[j]);
		} catch (error) {
			sent = { error };
		}
		sending--;
		if (sent === 'no slot') {
			admission.refused(Date.now(), running, run.plans[j].bodyBytes);
			// Back in its place: items keep their order.
			queue.push(j);
			queue.sort((a, b) => a - b);
		} else if ('accepted' in sent) {
			running++;
			admission.accepted(running, run.plans[j].bodyBytes);
			waitEnded('free');
			submitted.push(`item ${run.plans[j].itemIndex}: task ${sent.taskId}`);
			outcomes[j] = follow(j, sent.accepted, sent.taskId);
		} else {
			outcomes[j] = sent;
		}
		wakeup.wake();
	};

	const onTheirWay = new Set<Promise<void>>();
	/** Sends every item once it may be; returns when none is left to send or on its way. */
	const admit = async () => {
		let ended = false;
		try {
			while (queue.length > 0 || sending > 0) {
				if (queue.length === 0 || sending >= AT_ONCE.uploads) {
					await wakeup.sleep(api);
					continue;
				}
				const now = Date.now();
				const decision = admission.decide(now, running, sending, run.plans[queue[0]].bodyBytes);
				if (decision.kind === 'send') {
					const sent = attempt(queue.shift() as number);
					onTheirWay.add(sent);
					void sent.finally(() => onTheirWay.delete(sent));
					continue;
				}
				if (decision.kind === 'give up') {
					const notSent = { waitedMs: decision.waitedMs, refusals: admission.refusals };
					for (const j of queue) outcomes[j] = { notSent };
					queue.length = 0;
					waitEnded('gave up');
					continue;
				}
				if (waiting === undefined && decision.reason !== 'wave') {
					waiting = { since: now, j: queue[0] };
					log(api.fn, slotWaitStarted, run.plans[queue[0]].itemIndex, undefined, {
						runningTasks: running,
						code: decision.reason === 'max at once' ? 'max_tasks_at_once' : CONCURRENCY_LIMIT_CODE,
					});
				}
				await wakeup.sleep(api, decision.until - now);
			}
			ended = true;
		} finally {
			// Stopped (a sleep threw) while an item waited.
			if (!ended) waitEnded('stopped');
			// Stopped: a submit on its way is ended by n8n (the cancel signal); let it settle first.
			await Promise.allSettled([...onTheirWay]);
		}
	};

	try {
		await admit();
		// Every item is sent: only the followed tasks are waited for (a Stop ends the watch); the
		// others are the next node's to follow.
		await Promise.race([watch.ended, Promise.all(outcomes.filter((_, j) => run.plans[j].follow))]);
		watch.abandon();
		return await Promise.all(outcomes);
	} catch (error) {
		watch.abandon();
		// Stopped while waiting, or anything unforeseen: the tasks were paid for and keep running.
		const failure = isCancelled(api)
			? stoppedError(api)
			: new NodeOperationError(api.fn.getNode(), error as Error);
		if (submitted.length > 0) {
			failure.description = `Submitted tasks, which keep running (pick them up with Get Status): ${submitted.join(', ')}.`;
		}
		throw failure;
	}
}
