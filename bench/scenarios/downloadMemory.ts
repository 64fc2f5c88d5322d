import { binarySizes, runStep, taskItems } from '../engineRun';
import type { Job } from '../jobs';
import { measurePeak, type MemoryFigures } from '../memory';

type DownloadJob = Extract<Job, { scenario: 'downloadMemory' }>;

export interface DownloadMemoryResult {
	memory: MemoryFigures;
	ms: number;
	storedBytes: number;
}

/**
 * Target 3: Wait Until Done on one finished task whose result is `resultBytes`, in filesystem mode,
 * in a fresh process, with the simulator in the parent process.
 */
export async function downloadMemory(job: DownloadJob): Promise<DownloadMemoryResult> {
	const variant = job.variant === 'control' ? 'node' : job.variant;
	const download = job.variant !== 'control';
	const runFor = (id: string) =>
		runStep(variant, 'waitUntilDone', job.sim, taskItems([id]), { intervalS: 1, download });
	await runFor(job.warmUpTaskId);
	const { result, memory } = await measurePeak(async () => await runFor(job.taskId));
	const [stored] = binarySizes(result.outputs[0] ?? []);
	if (download && stored !== job.resultBytes) {
		throw new Error(`stored ${stored} bytes, expected ${job.resultBytes}`);
	}
	return { memory, ms: result.durationMs, storedBytes: download ? stored : 0 };
}
