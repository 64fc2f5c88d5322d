import * as workflow from 'n8n-workflow';

import {
	abortableSleep,
	abortableSleepFrom,
	type SleepExports,
} from '../../nodes/OctopusX/transport/abortableSleep';

/** How long a wait takes to end after its signal fires, for a wait of 60 s. */
async function msToEndAfterAbort(sleep: SleepExports['sleep']): Promise<number> {
	const controller = new AbortController();
	const waiting = sleep(60_000, controller.signal).catch(() => undefined);
	await new Promise((resolve) => setTimeout(resolve, 20));
	const aborted = Date.now();
	controller.abort();
	const ended = await Promise.race([
		waiting.then(() => Date.now() - aborted),
		new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 1000).unref()),
	]);
	return ended;
}

describe('abortableSleep', () => {
	// n8n-workflow 1.x and 2.0: `sleep(ms)` has no signal, `sleepWithAbort(ms, signal)` does.
	const legacyExports = (): SleepExports & { calls: string[] } => {
		const calls: string[] = [];
		return {
			calls,
			sleep: async (ms) => {
				calls.push('sleep');
				await new Promise((resolve) => setTimeout(resolve, ms).unref());
			},
			sleepWithAbort: async (ms, signal) => {
				calls.push('sleepWithAbort');
				await workflow.sleep(ms, signal);
			},
		};
	};

	it('uses sleepWithAbort where n8n-workflow still has it (n8n 1.x), so Stop ends the wait', async () => {
		const legacy = legacyExports();
		expect(await msToEndAfterAbort(abortableSleepFrom(legacy))).toBeLessThan(200);
		expect(legacy.calls).toEqual(['sleepWithAbort']);
	});

	it('uses sleep where it takes the signal and sleepWithAbort is gone (n8n 2.41)', () => {
		const sleep = jest.fn(async () => undefined);
		expect(abortableSleepFrom({ sleep })).toBe(sleep);
	});

	it('ends on abort with the n8n-workflow the tests load', async () => {
		expect(await msToEndAfterAbort(abortableSleep)).toBeLessThan(200);
	});
});
