import { pollDelayMs } from '../../nodes/OctopusX/task/pollSchedule';

/** How many status requests a task of `taskMs` costs with this schedule (requests take no time here). */
function requestsFor(taskMs: number, intervalMs: number): { count: number; seenLateBy: number } {
	let t = 0;
	let count = 0;
	for (;;) {
		t += pollDelayMs(count, intervalMs);
		count++;
		if (t >= taskMs) return { count, seenLateBy: t - taskMs };
	}
}

describe('pollDelayMs', () => {
	it('looks at once, then after half an interval, then every interval', () => {
		expect([0, 1, 2, 3, 10].map((n) => pollDelayMs(n, 10_000))).toEqual([
			0, 5000, 10_000, 10_000, 10_000,
		]);
	});

	it('costs at most T / interval + 3 requests and sees a finished task within one interval', () => {
		for (const intervalMs of [1000, 5000, 10_000, 60_000]) {
			for (let taskMs = 0; taskMs <= 20 * intervalMs; taskMs += intervalMs / 7) {
				const { count, seenLateBy } = requestsFor(taskMs, intervalMs);
				expect(count).toBeLessThanOrEqual(taskMs / intervalMs + 3);
				expect(seenLateBy).toBeLessThanOrEqual(intervalMs);
			}
		}
	});
});
