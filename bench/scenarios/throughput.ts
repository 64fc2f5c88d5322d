import { OctopusSimulator } from '../../test/simulator';
import { binarySizes, createTasks, referenceItems, runStep, sleep, taskItems } from '../engineRun';
import type { Job } from '../jobs';
import { mp4Bytes } from '../media';

type ThroughputJob = Extract<Job, { scenario: 'throughput' }>;

export interface ThroughputResult {
	ms: number;
	items: number;
	/** The most requests of this direction the simulator saw in flight at once. */
	maxInFlight: number;
	/** Bytes the simulator received (uploads) or the node stored (downloads), in total. */
	bytes: number;
}

/**
 * Target 1b: 20 uploads (Submit) or 20 downloads (Wait Until Done on finished tasks) with the
 * simulator holding every connection to `bytesPerSec` in each direction.
 */
export async function throughput(job: ThroughputJob): Promise<ThroughputResult> {
	const sim = await OctopusSimulator.start({ taskDurationMs: 50, resultBytes: 64 * 1024 });
	try {
		const file = mp4Bytes(job.direction === 'upload' ? job.fileBytes : 64 * 1024);
		// Warm-up, unthrottled and small: compiles the code paths the measured run takes.
		const warmIds = await createTasks(sim, 1);
		await sleep(100);
		await runStep(job.variant, 'waitUntilDone', sim, taskItems(warmIds), { intervalS: 1 });
		await runStep(job.variant, 'submit', sim, referenceItems(file.subarray(0, 64 * 1024), 1));
		sim.reset();

		if (job.direction === 'upload') {
			sim.setOptions({ throttleBytesPerSec: job.bytesPerSec });
			const result = await runStep(job.variant, 'submit', sim, referenceItems(file, job.items));
			const submits = sim.requestsTo('submit').filter((r) => r.status === 200);
			if (submits.length !== job.items)
				throw new Error(`${submits.length} of ${job.items} submits accepted`);
			return {
				ms: result.durationMs,
				items: job.items,
				maxInFlight: sim.maxInFlight('submit'),
				bytes: submits.reduce((sum, r) => sum + r.bodyBytes, 0),
			};
		}

		sim.setOptions({ resultBytes: job.fileBytes });
		const ids = await createTasks(sim, job.items);
		await sleep(100);
		sim.setOptions({ throttleBytesPerSec: job.bytesPerSec });
		const result = await runStep(job.variant, 'waitUntilDone', sim, taskItems(ids), {
			intervalS: 1,
		});
		const sizes = binarySizes(result.outputs[0] ?? []);
		if (sizes.length !== job.items || sizes.some((size) => size !== job.fileBytes)) {
			throw new Error(
				`expected ${job.items} videos of ${job.fileBytes} bytes, got ${sizes.join(', ')}`,
			);
		}
		return {
			ms: result.durationMs,
			items: job.items,
			maxInFlight: sim.maxInFlight('cdn'),
			bytes: sizes.reduce((a, b) => a + b, 0),
		};
	} finally {
		await sim.stop();
	}
}
