/** What the queue suite's test files share: a cluster over what global setup prepared, and small waits. */
import { join } from 'node:path';

import type { CredentialSeed, WorkflowJson } from '../e2e/n8n';
import { runtime, tarball, workDir } from '../e2e/suite';
import { QueueCluster, type BinaryMode } from './cluster';

export { describeE2E as describeQueue } from '../e2e/suite';

export async function startCluster(options: {
	binaryMode: BinaryMode;
	workers?: number;
	credentials: CredentialSeed[];
	workflows: WorkflowJson[];
}): Promise<QueueCluster> {
	return await QueueCluster.start({
		runtime: runtime(),
		tarball: tarball(),
		parentDir: join(workDir(), 'clusters'),
		concurrency: 1,
		...options,
	});
}

export const sleep = async (ms: number): Promise<void> =>
	await new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds, polling every 100 ms; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(100);
	}
}
