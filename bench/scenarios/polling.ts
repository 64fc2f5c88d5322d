import { OctopusSimulator } from '../../test/simulator';
import { createTasks, runStep, sleep, taskItems } from '../engineRun';
import type { Job } from '../jobs';

type PollingJob = Extract<Job, { scenario: 'polling' }>;

export interface PollingResult {
	taskMs: number;
	intervalS: number;
	statusRequests: number;
	/** From the task's end to the status request that saw it done. */
	seenAfterMs: number;
	retryAfter: {
		succeeded: boolean;
		error?: string;
		/** After each rate-limited answer, how long until the next status request arrived. */
		gapsMs: number[];
		statusRequests: number;
	};
}

/**
 * Target 4: how many status requests one task of `taskMs` costs with a poll interval of `intervalS`,
 * how soon its end is seen, and what rate-limited answers with Retry-After do to the poller.
 */
export async function polling(job: PollingJob): Promise<PollingResult> {
	const sim = await OctopusSimulator.start({ taskDurationMs: 50 });
	try {
		const warm = await createTasks(sim, 1);
		await sleep(100);
		await runStep(job.variant, 'waitUntilDone', sim, taskItems(warm), {
			intervalS: 1,
			download: false,
		});
		sim.reset();

		sim.setOptions({ taskDurationMs: job.taskMs });
		const [id] = await createTasks(sim, 1);
		await runStep(job.variant, 'waitUntilDone', sim, taskItems([id]), {
			intervalS: job.intervalS,
			download: false,
		});
		const task = sim.tasks.get(id)!;
		const doneAt = task.createdAt + task.durationMs;
		const polls = sim.requestsTo('status');
		const seeing = polls.filter((r) => r.at >= doneAt).sort((a, b) => a.at - b.at)[0];

		sim.reset();
		// The rate limit lifts by itself after the Retry-Afters: the task needs no longer than that.
		sim.setOptions({ taskDurationMs: job.retryAfterS * 1000 });
		const [limited] = await createTasks(sim, 1);
		sim.inject(
			'status',
			{ kind: 'status', status: 429, retryAfter: job.retryAfterS },
			job.retryAfterTimes,
		);
		let succeeded = true;
		let error: string | undefined;
		try {
			await runStep(job.variant, 'waitUntilDone', sim, taskItems([limited]), {
				intervalS: job.intervalS,
				download: false,
			});
		} catch (e) {
			succeeded = false;
			error = (e as Error).message;
		}
		const seen = sim.requestsTo('status').sort((a, b) => a.at - b.at);
		const gapsMs = seen.flatMap((r, i) =>
			r.status === 429 && seen[i + 1] ? [seen[i + 1].at - r.at] : [],
		);
		return {
			taskMs: job.taskMs,
			intervalS: job.intervalS,
			statusRequests: polls.length,
			seenAfterMs: seeing ? seeing.at - doneAt : Number.NaN,
			retryAfter: { succeeded, error, gapsMs, statusRequests: seen.length },
		};
	} finally {
		await sim.stop();
	}
}
