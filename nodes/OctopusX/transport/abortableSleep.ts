import * as workflow from 'n8n-workflow';

type Sleep = (ms: number, abortSignal?: AbortSignal) => Promise<void>;

/**
 * The wait that ends when the execution is stopped. n8n-workflow's `sleep` takes the signal since 2.34.0
 * (n8n 2.34); before, it was `sleep(ms)`, which ignores one, beside `sleepWithAbort(ms, signal)`, which
 * 2.34.0 removed. Chosen by whether `sleep` itself declares the signal parameter.
 */
export function abortableSleepFrom(exports: { sleep: Sleep; sleepWithAbort?: Sleep }): Sleep {
	return exports.sleep.length < 2 && exports.sleepWithAbort
		? exports.sleepWithAbort
		: exports.sleep;
}

export const abortableSleep: Sleep = abortableSleepFrom(workflow);
