import { msUntilDone, pollDelayMs } from '../../nodes/OctopusX/task/pollSchedule';

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

describe('msUntilDone', () => {
	it('extends the rise of the progress to 100 %, from the last whole percent: the latest the end can be', () => {
		// 20 % → 60 % in 4 s: 100 ms a point; 60 % is at least 60, so at most 40 points to go.
		expect(msUntilDone({ at: 1000, progress: 20 }, { at: 5000, progress: 60 })).toBe(4000);
		expect(msUntilDone({ at: 0, progress: 1 }, { at: 1000, progress: 99 })).toBe(10);
	});

	it('says nothing without a rise to go by', () => {
		expect(msUntilDone({ at: 0, progress: 40 }, { at: 1000, progress: 40 })).toBeUndefined();
		expect(msUntilDone({ at: 0, progress: 50 }, { at: 1000, progress: 30 })).toBeUndefined();
		expect(msUntilDone({ at: 0, progress: 50 }, { at: 1000, progress: 100 })).toBeUndefined();
	});
});
