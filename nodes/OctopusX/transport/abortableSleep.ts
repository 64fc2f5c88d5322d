import * as workflow from 'n8n-workflow';

type Sleep = (ms: number, abortSignal?: AbortSignal) => Promise<void>;

/** What n8n-workflow exports for waiting, over the releases the package runs on. */
export interface SleepExports {
	sleep: Sleep;
	/** n8n 1.x and early 2.x only, where `sleep` takes no signal. */
	sleepWithAbort?: Sleep;
}

/**
 * The wait that ends when the execution is stopped. n8n-workflow in n8n 1.x and 2.0 exports `sleep(ms)`,
 * which ignores a signal, beside `sleepWithAbort(ms, signal)`; later releases dropped `sleepWithAbort` and
 * gave `sleep` the signal. Chosen by what the loaded n8n-workflow exports, not by its version.
 */
export function abortableSleepFrom(exports: SleepExports): Sleep {
	return typeof exports.sleepWithAbort === 'function' ? exports.sleepWithAbort : exports.sleep;
}

export const abortableSleep: Sleep = abortableSleepFrom(workflow as unknown as SleepExports);
