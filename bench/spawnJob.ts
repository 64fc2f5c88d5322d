import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { RESULT_MARK, type Job } from './jobs';

const REPO_ROOT = resolve(__dirname, '..');
const TIME = '/usr/bin/time';

export const hasGnuTime = existsSync(TIME);

/** Measurement processes still running; each leads its own process group (time and its node). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of running) {
		try {
			if (child.pid) process.kill(-child.pid, 'SIGTERM');
		} catch {
			// already gone
		}
	}
});

/** The Node that runs the measurements: this one, or OCTOPUSX_BENCH_NODE. */
export function measurementNode(): string {
	return process.env.OCTOPUSX_BENCH_NODE || process.execPath;
}

export interface JobOutcome<T> {
	result: T;
	/** The whole process's maximum resident set size, from `/usr/bin/time -v`; undefined without it. */
	maxRssBytes?: number;
}

/**
 * Runs one job in a fresh Node process (tsx, --expose-gc), each with its own n8n user folder and
 * temporary folder under `scratch`, wrapped in `/usr/bin/time -v` where that exists.
 */
export function spawnJob<T>(job: Job, scratch: string): Promise<JobOutcome<T>> {
	const home = mkdtempSync(join(scratch, 'job-'));
	const node = [
		measurementNode(),
		'--expose-gc',
		'--import',
		'tsx',
		join(__dirname, 'child.ts'),
		JSON.stringify(job),
	];
	const [command, ...args] = hasGnuTime ? [TIME, '-v', ...node] : node;
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, {
			cwd: REPO_ROOT,
			env: { ...process.env, N8N_USER_FOLDER: home, TMPDIR: home },
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		running.add(child);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.on('error', reject);
		child.on('close', (code) => {
			running.delete(child);
			const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
			if (code !== 0 || !line) {
				reject(
					new Error(
						`${job.scenario} (${'variant' in job ? job.variant : ''}) failed with exit code ${code}:\n${stderr.slice(-3000)}`,
					),
				);
				return;
			}
			const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
			resolvePromise({
				result: JSON.parse(line.slice(RESULT_MARK.length)) as T,
				maxRssBytes: rss ? Number(rss[1]) * 1024 : undefined,
			});
		});
	});
}
