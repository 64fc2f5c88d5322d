import type { NodeApiError } from 'n8n-workflow';

import { log, msSinceCreated } from '../record';
import type { LineOrigin, LogLine } from '../record/logLines';
import {
	rateLimitWaitEnded,
	rateLimitWaitStarted,
	taskFailed,
	taskNotFollowed,
	taskPolled,
	taskTimedOut,
} from '../record/logLines';
import type { OctopusApi } from '../transport';
import { errorContext, failureError, failureText, outcomeOf, sendOnce, Wakeup } from '../transport';
import { octopusError } from '../transport/apiErrors';
import { judge } from '../transport/judgement';
import { createLimiter, AT_ONCE } from '../transport/limit';
import type { ProgressSeen } from './pollSchedule';
import { msUntilDone, pollDelayMs } from './pollSchedule';
import type { TaskStatus } from './taskStatus';
import { readTaskStatus } from './taskStatus';

export interface WaitJob {
	itemIndex: number;
	taskId: string;
	intervalMs: number;
	timeoutMs: number;
	/** Milliseconds before the first look (default 0: at once). */
	firstLookMs?: number;
	/**
	 * Watched only to know when its slot frees (Submit without "Wait for Completion"): whoever
	 * follows it to its end logs that end, so the log keeps one end line per task.
	 */
	slotOnly?: boolean;
}

export type Settled<T> = { value: T } | { error: NodeApiError };

interface Tracked<J extends WaitJob> {
	job: J;
	deadline: number;
	nextAt: number;
	polls: number;
	failuresInARow: number;
	lastFailure?: string;
	last?: TaskStatus;
	/** The first progress above 0 seen, for when the task should be done. */
	rising?: ProgressSeen;
	/** Looks moved earlier by that (two at most), and when the plain schedule would have looked. */
	movedEarlier: number;
	plainAt?: number;
}

/** Tasks being followed, to which more can be added while the others are polled. */
export interface TaskWatch<J extends WaitJob, T> {
	/** Follows one more task; resolves when it is settled, or with undefined when the watch is abandoned. */
	add(job: J): Promise<Settled<T> | undefined>;
	/** No more tasks will be added: the watch ends when the last one is settled. */
	close(): void;
	/** Stops looking at once; tasks not settled yet resolve with undefined (they keep running at OctopusX). */
	abandon(): void;
	/** Settles when the watch has ended (or rejects when the execution was stopped). */
	ended: Promise<void>;
}

/**
 * Follows many tasks at once and hands each finished one to `onDone` (which may download it) while
 * the others are still being polled. One schedule for all: it sleeps until the next task is due,
 * never after the last one is done, wakes when a task is added, and at once when the user stops the
 * execution. Tasks may be added while it runs (a Submit that sends the next item as soon as a slot
 * frees), so the schedule is kept per task.
 */
export function watchTasks<J extends WaitJob, T>(
	api: OctopusApi,
	onDone: (job: J, status: TaskStatus) => Promise<T>,
): TaskWatch<J, T> {
	const tracked: Array<Tracked<J>> = [];
	const answers: Array<(result: Settled<T> | undefined) => void> = [];
	const pending = new Set<number>();
	const finishing: Array<Promise<void>> = [];
	const checkLimit = createLimiter(AT_ONCE.statusChecks);
	const downloadLimit = createLimiter(AT_ONCE.downloads);
	const wakeup = new Wakeup();
	let closed = false;
	let abandoned = false;

	const settle = (k: number, result: Settled<T>) => {
		pending.delete(k);
		if (!abandoned) answers[k](result);
	};
	/** Writes a task's end to the log, unless the task is only watched for its slot. */
	const logEnd = <F>(k: number, make: (origin: LineOrigin, facts: F) => LogLine, facts: F) => {
		const { itemIndex, taskId, slotOnly } = tracked[k].job;
		if (!slotOnly) log(api.fn, make, itemIndex, taskId, facts);
	};
	/** Ends a task in an error; a failed task and a timeout have log lines of their own. */
	const settleError = (k: number, error: NodeApiError) => {
		logEnd(k, taskNotFollowed, { reason: error.message });
		settle(k, { error });
	};

	const timeoutError = (t: Tracked<J>, s = t.last) =>
		octopusError(
			errorContext(api, t.job.itemIndex, t.job.taskId),
			`Task ${t.job.taskId} is not done after ${Math.round(t.job.timeoutMs / 1000)} s (${s ? `last status '${s.status}'${s.progress === undefined ? '' : `, progress ${s.progress}%`}` : 'no status seen yet'})`,
			`The task may still finish: OctopusX keeps working on it. Pick it up later with the Get Status operation and task ID ${t.job.taskId}, or raise 'Timeout' in the options.${t.lastFailure ? ` The last status checks failed (${t.lastFailure}).` : ''}`,
		);

	// A rate limit is per key: after a 429 no task looks again before this, including tasks whose
	// check was already on its way when the 429 came.
	let quietUntil = 0;
	/** The rate-limit wait under way, for its "ended" line. */
	let quiet: { since: number; itemIndex: number; taskId: string } | undefined;

	/** Schedules the next look, or gives up when the deadline has passed. */
	const later = (k: number, t: Tracked<J>, delayMs: number) => {
		const now = Date.now();
		if (now >= t.deadline) {
			logEnd(k, taskTimedOut, {
				timeoutMs: t.job.timeoutMs,
				lastStatus: t.last?.status,
				progress: t.last?.progress,
			});
			return settle(k, { error: timeoutError(t) });
		}
		// The last look happens at the deadline, so a task finishing just before it is still seen.
		t.nextAt = Math.min(Math.max(now + delayMs, quietUntil), t.deadline);
	};

	const check = async (k: number) => {
		const t = tracked[k];
		const { taskId, itemIndex, intervalMs } = t.job;
		const exchange = await sendOnce(api, {
			method: 'GET',
			url: `/v1/videos/${encodeURIComponent(taskId)}`,
			authenticated: true,
			timeoutMs: 30_000,
		});
		const read = 'answer' in exchange ? readTaskStatus(exchange.answer.body, taskId) : undefined;
		const attempt = t.failuresInARow + 1;
		// Until the API has answered once, a failure to reach it is most likely a wrong Base URL.
		const verdict = judge(
			'wait',
			outcomeOf(exchange, () => read !== undefined),
			{
				attempt,
				intervalMs,
				answered: t.last !== undefined,
			},
		);
		if (verdict.act === 'fail') {
			const ctx = errorContext(api, itemIndex, taskId);
			return settleError(k, failureError(api, 'wait', verdict.reason, exchange, ctx, attempt));
		}
		if (verdict.act === 'again') {
			t.failuresInARow = attempt;
			t.lastFailure = failureText(exchange);
			if (verdict.rateLimited) {
				if (!quiet) {
					quiet = { since: Date.now(), itemIndex, taskId };
					log(api.fn, rateLimitWaitStarted, itemIndex, taskId, {
						request: 'status checks',
						waitMs: verdict.delayMs,
					});
				}
				// A rate limit is per key: every task waits, not just the one that was told.
				quietUntil = Math.max(quietUntil, Date.now() + verdict.delayMs);
				for (const other of pending) {
					const o = tracked[other];
					o.nextAt = Math.min(Math.max(o.nextAt, quietUntil), o.deadline);
				}
			}
			return later(k, t, verdict.delayMs);
		}
		const status = read as TaskStatus; // an accepted answer is a readable one
		t.failuresInARow = 0;
		t.lastFailure = undefined;
		t.last = status;
		t.polls++;
		log(api.fn, taskPolled, itemIndex, taskId, {
			status: status.status,
			progress: status.progress,
			poll: t.polls,
		});
		if (status.state === 'succeeded') {
			pending.delete(k);
			finishing.push(
				downloadLimit(async () => onDone(t.job, status)).then(
					(value) => settle(k, { value }),
					(error: NodeApiError) => settleError(k, error),
				),
			);
			return;
		}
		if (status.state === 'failed') {
			logEnd(k, taskFailed, {
				status: status.status,
				code: status.errorCode,
				msFromSubmit: msSinceCreated(status.json),
			});
			return settle(k, {
				error: octopusError(
					errorContext(api, itemIndex, taskId),
					`Task ${taskId} ${status.status}${status.errorMessage ? `: ${status.errorMessage}` : ''}${status.errorCode ? ` [${status.errorCode}]` : ''}`,
					`OctopusX ended the task with status '${status.status}'. Check the prompt and the reference video, then submit again.`,
					{ api: { message: status.errorMessage, code: status.errorCode } },
				),
			});
		}
		later(k, t, nextLookMs(t, status, intervalMs));
	};

	const loop = async () => {
		while (!abandoned && (pending.size > 0 || !closed)) {
			const now = Date.now();
			if (quiet && now >= quietUntil) {
				log(api.fn, rateLimitWaitEnded, quiet.itemIndex, quiet.taskId, {
					request: 'status checks',
					waitedMs: now - quiet.since,
				});
				quiet = undefined;
			}
			const due = [...pending].filter((k) => tracked[k].nextAt <= now);
			if (due.length === 0) {
				// With nothing to follow yet, sleep until a task is added (or the watch is closed).
				const next = Math.min(...[...pending].map((k) => tracked[k].nextAt));
				await wakeup.sleep(api, pending.size === 0 ? undefined : next - now);
				continue;
			}
			await Promise.all(due.map(async (k) => checkLimit(async () => check(k))));
		}
		await Promise.all(finishing);
	};
	const ended = loop();

	return {
		add(job: J) {
			const k = tracked.length;
			const now = Date.now();
			tracked.push({
				job,
				deadline: now + job.timeoutMs,
				nextAt: now + (job.firstLookMs ?? 0),
				polls: 0,
				failuresInARow: 0,
				movedEarlier: 0,
			});
			const answer = new Promise<Settled<T> | undefined>((resolve) => answers.push(resolve));
			pending.add(k);
			wakeup.wake();
			return answer;
		},
		close() {
			closed = true;
			wakeup.wake();
		},
		abandon() {
			abandoned = true;
			for (const k of pending) answers[k](undefined);
			pending.clear();
			wakeup.wake();
		},
		ended,
	};
}

/** The plain schedule, or sooner once (see `msUntilDone`) when the progress says the task ends before. */
function nextLookMs<J extends WaitJob>(t: Tracked<J>, status: TaskStatus, intervalMs: number) {
	const now = Date.now();
	// After the look moved earlier: the next is where the plain schedule would have looked.
	const plain =
		t.plainAt === undefined ? pollDelayMs(t.polls, intervalMs) : Math.max(0, t.plainAt - now);
	t.plainAt = undefined;
	const progress = status.progress ?? 0;
	if (t.movedEarlier >= 2 || progress <= 0) return plain;
	const seen = { at: now, progress };
	t.rising ??= seen;
	const untilDone = msUntilDone(t.rising, seen);
	if (untilDone === undefined || untilDone >= plain) return plain;
	t.movedEarlier++;
	t.plainAt = now + plain;
	return untilDone;
}

/**
 * Follows the given tasks together until each is settled: one result per job, in order.
 */
export async function waitForTasks<J extends WaitJob, T>(
	api: OctopusApi,
	jobs: J[],
	onDone: (job: J, status: TaskStatus) => Promise<T>,
): Promise<Array<Settled<T>>> {
	const watch = watchTasks(api, onDone);
	const results = jobs.map(async (job) => watch.add(job));
	watch.close();
	await watch.ended;
	return (await Promise.all(results)) as Array<Settled<T>>;
}
