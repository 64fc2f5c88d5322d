import { useBufferedBody } from '../buffered/bufferedBody';
import { useFreeEncoder } from '../floors/freeEncoder';
import { referenceItems, runStep } from '../engineRun';
import type { Job } from '../jobs';
import { mp4Bytes } from '../media';
import { measureCpu, measurePeak, type MemoryFigures } from '../memory';

type UploadJob = Extract<Job, { scenario: 'uploadMemory' | 'uploadCpu' }>;

export interface UploadMemoryResult {
	memory: MemoryFigures;
	ms: number;
}

function runOnce(job: UploadJob, file: Buffer, items = job.items) {
	const variant = job.variant === 'naive' ? 'naive' : 'node';
	if (job.variant === 'buffered') useBufferedBody();
	if (job.variant === 'freeEncoder') useFreeEncoder();
	return runStep(variant, 'submit', job.sim, referenceItems(file, items), {
		urlReference: job.variant === 'control',
	});
}

/**
 * Target 2: one Submit of `items` references of `fileBytes` each in filesystem mode, in a fresh
 * process, with the simulator in the parent process. The input buffer exists before the measurement
 * starts; storing it in n8n's binary store is part of the run, as it is of the control's.
 */
export async function uploadMemory(job: UploadJob): Promise<UploadMemoryResult> {
	const file = mp4Bytes(job.fileBytes);
	// Warm-up with a small file: n8n's and the node's code loaded and compiled before measuring.
	await runOnce(job, file.subarray(0, 64 * 1024), 1);
	const { result, memory } = await measurePeak(async () => await runOnce(job, file));
	return { memory, ms: result.durationMs };
}

export interface UploadCpuResult {
	/** CPU (user + system) of each measured run, in ms. */
	runsMs: number[];
	/** The median run's user and system parts. */
	userMs: number;
	systemMs: number;
}

/**
 * Target 5: CPU time of this process for a Submit of the reference, in three runs after two
 * warm-ups (no memory sampling here: it costs CPU). The figure is the median run.
 */
export async function uploadCpu(job: UploadJob): Promise<UploadCpuResult> {
	const file = mp4Bytes(job.fileBytes);
	await runOnce(job, file.subarray(0, 64 * 1024), 1);
	await runOnce(job, file.subarray(0, 1024 * 1024), 1);
	const runs: Array<{ userMs: number; systemMs: number }> = [];
	for (let round = 0; round < 3; round++) {
		runs.push(await measureCpu(async () => await runOnce(job, file)));
	}
	const total = (r: { userMs: number; systemMs: number }) => r.userMs + r.systemMs;
	const median = [...runs].sort((a, b) => total(a) - total(b))[1];
	return { runsMs: runs.map(total), userMs: median.userMs, systemMs: median.systemMs };
}
