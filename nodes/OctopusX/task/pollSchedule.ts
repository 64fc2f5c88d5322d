/**
 * When to look at a task again. The first look is immediate, the second after half an interval,
 * then once per interval. A task that takes T seconds so costs at most T / interval + 3 status
 * requests (ceil(T / interval + 0.5) + 1, to be exact; `msUntilDone` may add two), and no gap is
 * longer than the interval, so a finished task is seen within one interval of finishing.
 */
export function pollDelayMs(pollsDone: number, intervalMs: number): number {
	if (pollsDone <= 0) return 0;
	if (pollsDone === 1) return Math.max(250, Math.round(intervalMs / 2));
	return intervalMs;
}

/** A progress figure seen at a time (ms). */
export interface ProgressSeen {
	at: number;
	progress: number;
}

/**
 * When a task whose progress rose from `first` to `last` should reach 100 %, from `last` on;
 * undefined without a rise to go by. Progress is whole percent, so a task showing p % is somewhere
 * from p up to p + 1: this is when even p reaches 100 at the rate seen, the latest the end can be.
 * The watch looks then, at most twice per task, when that is sooner than the next look of the plain
 * schedule: a task's end is seen in tens of milliseconds instead of half an interval on average,
 * for at most two status requests more.
 */
export function msUntilDone(first: ProgressSeen, last: ProgressSeen): number | undefined {
	const rose = last.progress - first.progress;
	if (rose <= 0 || last.progress >= 100) return undefined;
	const msPerPoint = (last.at - first.at) / rose;
	return Math.round((100 - last.progress) * msPerPoint);
}
