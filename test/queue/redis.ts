/**
 * A private redis-server for one test run: a spare port on 127.0.0.1, persistence off. On a machine
 * without it, `ensureRedisServer()` installs Debian's package with apt-get (as root).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../e2e/n8n';

const REDIS = 'redis-server';

function installed(): boolean {
	return spawnSync(REDIS, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Makes sure `redis-server` is on PATH; throws with the reason when it cannot be installed. */
export function ensureRedisServer(): void {
	if (installed()) return;
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
		throw new Error(
			'redis-server is missing and only root can install it (apt-get install redis-server)',
		);
	}
	process.stderr.write('[queue] redis-server is missing: apt-get install -y redis-server\n');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const apt = (args: string[]) =>
		execFileSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
	apt(['update']);
	apt(['install', '-y', '--no-install-recommends', 'redis-server']);
	if (!installed()) throw new Error('apt-get installed redis-server, but it does not run');
}

export class PrivateRedis {
	private output = '';
	private exited = false;

	private constructor(
		private readonly child: ChildProcess,
		readonly port: number,
		readonly dir: string,
	) {
		child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.output += s));
		child.once('exit', () => (this.exited = true));
	}

	static async start(): Promise<PrivateRedis> {
		const port = await freePort();
		const dir = mkdtempSync(join(tmpdir(), 'octopusx-redis-'));
		const child = spawn(
			REDIS,
			[
				'--port',
				String(port),
				'--bind',
				'127.0.0.1',
				'--save',
				'',
				'--appendonly',
				'no',
				'--dir',
				dir,
				'--daemonize',
				'no',
			],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		const redis = new PrivateRedis(child, port, dir);
		const deadline = Date.now() + 30_000;
		while (!redis.output.includes('Ready to accept connections')) {
			if (redis.exited || Date.now() > deadline) {
				await redis.stop();
				throw new Error(`redis-server did not start on port ${port}:\n${redis.output}`);
			}
			await new Promise((r) => setTimeout(r, 100));
		}
		return redis;
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	env(): Record<string, string> {
		return { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(this.port) };
	}

	async stop(): Promise<void> {
		if (!this.exited) {
			const gone = new Promise((r) => this.child.once('exit', r));
			this.child.kill('SIGKILL');
			await gone;
		}
		rmSync(this.dir, { recursive: true, force: true });
	}
}
