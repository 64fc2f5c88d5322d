/**
 * One measurement process: runs the job given as its argument and prints the result on one line
 * after RESULT_MARK. The orchestrator (run.ts) starts a fresh one per measurement.
 */
import { RESULT_MARK, type Job } from './jobs';
import { batch } from './scenarios/batch';
import { downloadMemory } from './scenarios/downloadMemory';
import { encodeCpu } from './scenarios/encodeCpu';
import { polling } from './scenarios/polling';
import { throughput } from './scenarios/throughput';
import { uploadCpu, uploadMemory } from './scenarios/uploadMemory';

async function run(job: Job): Promise<unknown> {
	switch (job.scenario) {
		case 'batch':
			return await batch(job);
		case 'throughput':
			return await throughput(job);
		case 'polling':
			return await polling(job);
		case 'uploadMemory':
			return await uploadMemory(job);
		case 'uploadCpu':
			return await uploadCpu(job);
		case 'downloadMemory':
			return await downloadMemory(job);
		case 'encodeCpu':
			return await encodeCpu(job);
	}
}

run(JSON.parse(process.argv[2]) as Job).then(
	(result) => {
		process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
		process.exit(0);
	},
	(error: unknown) => {
		process.stderr.write(
			`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		process.exit(1);
	},
);
