/**
 * Finds (and installs on first use) the real n8n the end-to-end suites and `npm run dev` drive, through
 * scripts/n8n-runtime.sh, which caches each n8n version with the Node it needs outside the repo.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The version `npm run test:e2e` and `npm run dev` run; the matrix runs others through OCTOPUSX_N8N_VERSION. */
export const DEFAULT_N8N_VERSION = '2.41.1';
export const N8N_VERSION_ENV = 'OCTOPUSX_N8N_VERSION';

export interface N8nRuntime {
	/** The Node binary n8n runs on (Node 20 for n8n 1.x and 2.0-2.9, Node 24 after). */
	node: string;
	/** `node -v` of it, e.g. `v20.20.2`. */
	nodeVersion: string;
	/** n8n's bin script, run as `node <n8n> <command>`. */
	n8n: string;
	n8nVersion: string;
	/** The cache folder holding both. */
	dir: string;
}

export const REPO_ROOT = join(__dirname, '..', '..');
const SCRIPT = join(REPO_ROOT, 'scripts', 'n8n-runtime.sh');

/** The n8n version asked for: `version`, else OCTOPUSX_N8N_VERSION, else today's. */
export function wantedVersion(version?: string): string {
	return version ?? process.env[N8N_VERSION_ENV] ?? DEFAULT_N8N_VERSION;
}

/**
 * Runs the runtime script for `version` (see wantedVersion), its progress going on to this process's
 * stderr. Rejects with the reason (the script's last lines) when n8n cannot be provided: no registry, no
 * compiler, no disk...
 */
export async function ensureRuntime(version?: string): Promise<N8nRuntime> {
	const child = spawn('bash', [SCRIPT, wantedVersion(version), '--json'], {
		cwd: REPO_ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let tail: string[] = [];
	child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
	child.stderr.setEncoding('utf8').on('data', (s: string) => {
		process.stderr.write(s);
		tail = [...tail, ...s.split('\n').filter((l) => l.trim() && !/^npm warn/.test(l))].slice(-8);
	});
	// The first install takes about five minutes; give up long after.
	const timer = setTimeout(() => child.kill('SIGTERM'), 20 * 60 * 1000);
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
		(resolve, reject) => {
			child.once('error', reject);
			child.once('close', (c, s) => resolve([c, s]));
		},
	).finally(() => clearTimeout(timer));
	if (code !== 0) {
		throw new Error(`scripts/n8n-runtime.sh exited with ${code ?? signal}: ${tail.join(' | ')}`);
	}
	const line = stdout.trim().split('\n').pop() ?? '';
	try {
		return JSON.parse(line) as N8nRuntime;
	} catch {
		throw new Error(
			`scripts/n8n-runtime.sh printed no runtime description, only: ${stdout.slice(0, 500)}`,
		);
	}
}
