import type { NodeApiError } from 'n8n-workflow';

import type { OctopusApi } from '../transport';
import { errorContext, pause, sendOnce, unreachable } from '../transport';
import { errorFromAnswer, octopusError, unreadableStatusError } from '../transport/apiErrors';
import { createLimiter, AT_ONCE } from '../transport/limit';
import { ATTEMPTS, backoffMs, parseRetryAfter, retryDecision } from '../transport/retryPolicy';
import { pollDelayMs } from './pollSchedule';
import type { TaskStatus } from './taskStatus';
import { readTaskStatus } from './taskStatus';

export interface WaitJob {
	itemIndex: number;
	taskId: string;
	intervalMs: number;
	timeoutMs: number;
}

type Settled<T> = { value: T } | { error: NodeApiError };

interface Tracked<J extends WaitJob> {
	job: J;
	deadline: number;
	nextAt: number;
	polls: number;
	failuresInARow: number;
	malformedInARow: number;
	lastFailure?: string;
	last?: TaskStatus;
}

function describe(status: TaskStatus | undefined): string {
	if (!status) return 'no status seen yet';
	return `last status '${status.status}'${status.progress === undefined ? '' : `, progress ${status.progress}%`}`;
}

/**
 * Follows many tasks at once and hands each finished one to `onDone` (which may download it) while
 * the others are still being polled. One schedule for all: it sleeps until the next task is due,
 * never after the last one is done, and wakes at once when the user stops the execution.
 */
export async function waitForTasks<J extends WaitJob, T>(
	api: OctopusApi,
	jobs: J[],
	onDone: (job: J, status: TaskStatus) => Promise<T>,
): Promise<Array<Settled<T>>> {
	const start = Date.now();
	const results: Array<Settled<T> | undefined> = new Array(jobs.length);
	const tracked: Array<Tracked<J>> = jobs.map((job) => ({
		job,
		deadline: start + job.timeoutMs,
		nextAt: start,
		polls: 0,
		failuresInARow: 0,
		malformedInARow: 0,
	}));
	const pending = new Set(tracked.keys());
	const finishing: Array<Promise<void>> = [];
	const checkLimit = createLimiter(AT_ONCE.statusChecks);
	const downloadLimit = createLimiter(AT_ONCE.downloads);

	const settle = (k: number, result: Settled<T>) => {
		results[k] = result;
		pending.delete(k);
	};

	const timeoutError = (t: Tracked<J>) =>
		octopusError(
			errorContext(api, t.job.itemIndex, t.job.taskId),
			`Task ${t.job.taskId} is not done after ${Math.round(t.job.timeoutMs / 1000)} s (${describe(t.last)})`,
			`The task may still finish: OctopusX keeps working on it. Pick it up later with the Get Status operation and task ID ${t.job.taskId}, or raise 'Timeout' in the options.${t.lastFailure ? ` The last status checks failed (${t.lastFailure}).` : ''}`,
		);

	// A rate limit is per key: after a 429 no task looks again before this, including tasks whose
	// check was already on its way when the 429 came.
	let quietUntil = 0;

	/** Schedules the next look, or gives up when the deadline has passed. */
	const later = (k: number, t: Tracked<J>, delayMs: number) => {
		const now = Date.now();
		if (now >= t.deadline) return settle(k, { error: timeoutError(t) });
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
		if ('failure' in exchange) {
			t.failuresInARow++;
			t.lastFailure = exchange.failure.code;
			// Until the API has answered once, a failure to reach it is most likely a wrong Base URL:
			// Get Status's retry policy applies, not the whole timeout.
			const failure = { type: 'network' as const, code: exchange.failure.code };
			if (!t.last && !retryDecision('status', failure, t.failuresInARow).retry) {
				return settle(k, {
					error: unreachable(api, 'status', exchange.failure, errorContext(api, itemIndex, taskId)),
				});
			}
			return later(k, t, Math.min(intervalMs, backoffMs(t.failuresInARow)));
		}
		const answer = exchange.answer;

		if (answer.status === 429 || answer.status === 408 || answer.status >= 500) {
			t.failuresInARow++;
			t.lastFailure = `HTTP ${answer.status}`;
			const asked = parseRetryAfter(answer.headers['retry-after'], Date.now());
			// "Retry-After: 0" in a storm of 429s must not turn polling into a tight loop (as in retryDecision).
			const delay =
				asked === undefined
					? backoffMs(t.failuresInARow, 1000, Math.max(intervalMs, 30_000))
					: Math.max(asked, 250);
			if (answer.status === 429) {
				// A rate limit is per key: every task waits, not just the one that was told.
				quietUntil = Math.max(quietUntil, Date.now() + delay);
				for (const other of pending) {
					const o = tracked[other];
					o.nextAt = Math.min(Math.max(o.nextAt, quietUntil), o.deadline);
				}
			}
			return later(k, t, delay);
		}
		if (answer.status < 200 || answer.status >= 300) {
			return settle(k, {
				error: errorFromAnswer(
					errorContext(api, itemIndex, taskId),
					'status',
					answer.status,
					answer.body,
				),
			});
		}

		const status = readTaskStatus(answer.body, taskId);
		if (!status) {
			t.malformedInARow++;
			if (t.malformedInARow >= ATTEMPTS.statusMalformed) {
				return settle(k, {
					error: unreadableStatusError(
						errorContext(api, itemIndex, taskId),
						answer.body,
						t.malformedInARow,
					),
				});
			}
			return later(k, t, 1000);
		}

		t.failuresInARow = 0;
		t.malformedInARow = 0;
		t.lastFailure = undefined;
		t.last = status;
		t.polls++;
		if (status.state === 'succeeded') {
			pending.delete(k);
			finishing.push(
				downloadLimit(async () => onDone(t.job, status)).then(
					(value) => settle(k, { value }),
					(error: NodeApiError) => settle(k, { error }),
				),
			);
			return;
		}
		if (status.state === 'failed') {
			return settle(k, {
				error: octopusError(
					errorContext(api, itemIndex, taskId),
					`Task ${taskId} ${status.status}${status.errorMessage ? `: ${status.errorMessage}` : ''}${status.errorCode ? ` [${status.errorCode}]` : ''}`,
					`OctopusX ended the task with status '${status.status}'. Check the prompt and the reference video, then submit again.`,
					{ api: { message: status.errorMessage, code: status.errorCode } },
				),
			});
		}
		later(k, t, pollDelayMs(t.polls, intervalMs));
	};

	while (pending.size > 0) {
		const now = Date.now();
		const due = [...pending].filter((k) => tracked[k].nextAt <= now);
		if (due.length === 0) {
			const next = Math.min(...[...pending].map((k) => tracked[k].nextAt));
			await pause(api, next - now);
			continue;
		}
		await Promise.all(due.map(async (k) => checkLimit(async () => check(k))));
	}
	await Promise.all(finishing);
	return results as Array<Settled<T>>;
}
