/**
 * What a queue cluster started, written down as it starts, so that the suite's global teardown can
 * stop it even when the test process died before its own clean-up (a crash, a timeout, Ctrl-C).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

import { stopPostgresIn } from './postgres';

export const LEFTOVERS_ENV = 'OCTOPUSX_QUEUE_LEFTOVERS';

export interface Leftover {
	/** A process group (an n8n process and its task runner). */
	pgid?: number;
	/** A single process (redis-server). */
	pid?: number;
	/** Text in the process's command line or environment that proves it is still ours. */
	marker?: string;
	/** A private Postgres's folder. */
	postgresDir?: string;
}

export function recordLeftover(leftover: Leftover): void {
	const file = process.env[LEFTOVERS_ENV];
	if (file) appendFileSync(file, `${JSON.stringify(leftover)}\n`);
}

/** True when process `pid` runs and carries `marker`: a recycled process id is left alone. */
function stillOurs(pid: number, marker: string | undefined): boolean {
	if (!marker) return false;
	try {
		const seen = ['cmdline', 'environ'].map((f) => readFileSync(`/proc/${pid}/${f}`, 'latin1'));
		return seen.some((text) => text.includes(marker));
	} catch {
		return false;
	}
}

function signal(target: number, sig: NodeJS.Signals): void {
	try {
		process.kill(target, sig);
	} catch {
		// gone already
	}
}

/** Stops everything listed in `file` that still runs; returns how many entries it had. */
export function stopLeftovers(file: string): number {
	if (!existsSync(file)) return 0;
	const entries = readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as Leftover);
	for (const entry of entries) {
		if (entry.pgid && stillOurs(entry.pgid, entry.marker)) signal(-entry.pgid, 'SIGKILL');
		if (entry.pid && stillOurs(entry.pid, entry.marker)) signal(entry.pid, 'SIGKILL');
		if (entry.postgresDir && existsSync(entry.postgresDir)) stopPostgresIn(entry.postgresDir);
	}
	return entries.length;
}
