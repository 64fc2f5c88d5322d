/** Repeats a skip notice, and removes everything the suite wrote (OCTOPUSX_E2E_KEEP=1 keeps it). */
import { rmSync } from 'node:fs';

import { skipBanner } from './globalSetup';
import { readState, STATE_ENV } from './state';

export default async function globalTeardown(): Promise<void> {
	if (!process.env[STATE_ENV]) return;
	const { workDir, skipReason } = readState();
	if (skipReason) skipBanner(skipReason);
	if (process.env.OCTOPUSX_E2E_KEEP === '1') {
		process.stderr.write(`\ne2e files kept in ${workDir}\n`);
		return;
	}
	rmSync(workDir, { recursive: true, force: true });
}
