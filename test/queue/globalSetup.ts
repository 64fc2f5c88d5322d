/**
 * The queue suite's one-time set-up: what the end-to-end suite prepares (n8n runtime, packed package),
 * plus redis-server (installed with apt-get where missing) and PostgreSQL's server binaries. Outside
 * CI a missing piece skips the suite loudly, as the end-to-end suite does; under CI it fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import e2eGlobalSetup, { skipBanner } from '../e2e/globalSetup';
import { readState, STATE_ENV } from '../e2e/state';
import { LEFTOVERS_ENV } from './leftovers';
import { postgresProblem } from './postgres';
import { ensureRedisServer } from './redis';

function serversProblem(): string | undefined {
	const pg = postgresProblem();
	if (pg) return pg;
	try {
		ensureRedisServer();
	} catch (error) {
		return (error as Error).message;
	}
	return undefined;
}

export default async function globalSetup(): Promise<void> {
	await e2eGlobalSetup();
	const state = readState();
	process.env[LEFTOVERS_ENV] = join(state.workDir, 'queue-leftovers.jsonl');
	if (state.skipReason) return;
	const problem = serversProblem();
	if (!problem) return;
	if (process.env.CI === 'true') {
		throw new Error(`CI must run the queue-mode suite, but: ${problem}`);
	}
	const file = process.env[STATE_ENV] as string;
	const skipReason = `the queue-mode servers are not available: ${problem}`;
	writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), skipReason }));
	skipBanner(skipReason);
}
