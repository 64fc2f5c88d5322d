import * as workflow from 'n8n-workflow';

import { abortableSleep, abortableSleepFrom } from '../../nodes/OctopusX/transport/abortableSleep';

type SleepExports = Parameters<typeof abortableSleepFrom>[0];

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
	// n8n-workflow before 2.34.0: `sleep(ms)` has no signal, `sleepWithAbort(ms, signal)` does.
	const legacyExports = (): SleepExports & { calls: string[] } => {
		const calls: string[] = [];
		return {
			calls,
			sleep: async (ms: number) => {
				calls.push('sleep');
				await new Promise((resolve) => setTimeout(resolve, ms).unref());
			},
			sleepWithAbort: async (ms: number, signal?: AbortSignal) => {
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

	it('uses sleep where it declares the signal (n8n-workflow 2.34.0 on), even beside a sleepWithAbort', () => {
		const sleep = async (_ms: number, _signal?: AbortSignal) => undefined;
		expect(abortableSleepFrom({ sleep })).toBe(sleep);
		expect(abortableSleepFrom({ sleep, sleepWithAbort: legacyExports().sleepWithAbort })).toBe(
			sleep,
		);
		expect(workflow.sleep).toHaveLength(2);
	});

	it('falls back to sleep where n8n-workflow has no sleepWithAbort', () => {
		const sleep = async (_ms: number) => undefined;
		expect(abortableSleepFrom({ sleep })).toBe(sleep);
	});

	it('ends on abort with the n8n-workflow the tests load', async () => {
		expect(await msToEndAfterAbort(abortableSleep)).toBeLessThan(200);
	});
});
