import { OctopusSimulator } from '../../test/simulator';
import { binarySizes, referenceItems, runStep } from '../engineRun';
import type { Job } from '../jobs';
import { mp4Bytes } from '../media';

type BatchJob = Extract<Job, { scenario: 'batch' }>;

export interface BatchResult {
	oneMs: number;
	allMs: number;
	items: number;
	statusRequests: number;
	maxStatusInFlight: number;
}

/**
 * Target 1a: Submit → Wait Until Done for N items against the same for one item, every task taking
 * `taskMs` on the simulator. The simulator runs in this process; nothing is throttled.
 */
export async function batch(job: BatchJob): Promise<BatchResult> {
	const sim = await OctopusSimulator.start({
		taskDurationMs: job.taskMs,
		resultBytes: job.resultBytes,
	});
	try {
		const reference = mp4Bytes(job.referenceBytes);
		const run = async (count: number) => {
			const result = await runStep(
				job.variant,
				'submitAndWait',
				sim,
				referenceItems(reference, count),
				{
					intervalS: job.intervalS,
				},
			);
			const sizes = binarySizes(result.outputs[0] ?? []);
			if (sizes.length !== count || sizes.some((size) => size !== job.resultBytes)) {
				throw new Error(
					`${job.variant}: expected ${count} videos of ${job.resultBytes} bytes, got ${sizes.join(', ')}`,
				);
			}
			return result.durationMs;
		};
		// Loads and compiles everything once, so neither measured run pays for a cold start.
		sim.setOptions({ taskDurationMs: 50 });
		await run(1);
		sim.setOptions({ taskDurationMs: job.taskMs });
		sim.reset();
		const oneMs = await run(1);
		sim.reset();
		const allMs = await run(job.items);
		return {
			oneMs,
			allMs,
			items: job.items,
			statusRequests: sim.requestsTo('status').length,
			maxStatusInFlight: sim.maxInFlight('status'),
		};
	} finally {
		await sim.stop();
	}
}
