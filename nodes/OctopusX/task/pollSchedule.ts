/**
 * When to look at a task again. The first look is immediate, the second after half an interval,
 * then once per interval. A task that takes T seconds so costs at most T / interval + 3 status
 * requests (ceil(T / interval + 0.5) + 1, to be exact), and no gap is longer than the interval, so a
 * finished task is seen within one interval of finishing.
 */
export function pollDelayMs(pollsDone: number, intervalMs: number): number {
	if (pollsDone <= 0) return 0;
	if (pollsDone === 1) return Math.max(250, Math.round(intervalMs / 2));
	return intervalMs;
}
