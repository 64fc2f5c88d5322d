/**
 * A private PostgreSQL 15 for one test run: its own data folder in a temporary folder, a spare port on
 * 127.0.0.1, trust authentication, durability off (the data is thrown away). Postgres refuses to run
 * as root, so as root its commands run as the `postgres` user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../e2e/n8n';

export const PG_BIN = process.env.OCTOPUSX_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const USER = 'n8n';
const DATABASE = 'n8n';

function asRoot(): boolean {
	return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Runs a Postgres server binary, as `postgres` when we are root. */
function pgCommand(binary: string, args: string[]): string {
	const file = join(PG_BIN, binary);
	if (!asRoot()) return execFileSync(file, args, { encoding: 'utf8', stdio: 'pipe' });
	const quoted = [file, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
	return execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], {
		encoding: 'utf8',
		stdio: 'pipe',
	});
}

/** Why Postgres cannot be started here, or undefined. */
export function postgresProblem(): string | undefined {
	if (!existsSync(join(PG_BIN, 'initdb'))) {
		return `no PostgreSQL server binaries in ${PG_BIN} (Debian: apt-get install postgresql-15, or set OCTOPUSX_PG_BIN)`;
	}
	return undefined;
}

export interface PostgresEnv {
	DB_TYPE: string;
	DB_POSTGRESDB_HOST: string;
	DB_POSTGRESDB_PORT: string;
	DB_POSTGRESDB_DATABASE: string;
	DB_POSTGRESDB_USER: string;
	DB_POSTGRESDB_PASSWORD: string;
}

export class PrivatePostgres {
	private stopped = false;

	private constructor(
		readonly dir: string,
		readonly port: number,
	) {}

	static async start(): Promise<PrivatePostgres> {
		const problem = postgresProblem();
		if (problem) throw new Error(problem);
		// Not under the suite's work folder: mkdtemp makes folders only their owner may enter.
		const dir = mkdtempSync(join(tmpdir(), 'octopusx-pg-'));
		if (asRoot()) {
			const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
			const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
			chownSync(dir, uid, gid);
		}
		const port = await freePort();
		const pg = new PrivatePostgres(dir, port);
		try {
			pgCommand('initdb', [
				'-D',
				pg.dataDir,
				'-U',
				USER,
				'--auth=trust',
				'-E',
				'UTF8',
				'--no-sync',
			]);
			const serverOptions = [
				`-p ${port}`,
				'-c listen_addresses=127.0.0.1',
				`-k ${dir}`,
				'-c fsync=off',
				'-c synchronous_commit=off',
				'-c full_page_writes=off',
			].join(' ');
			pgCommand('pg_ctl', [
				'-D',
				pg.dataDir,
				'-l',
				join(dir, 'server.log'),
				'-o',
				serverOptions,
				'-w',
				'-t',
				'60',
				'start',
			]);
			pg.sql(`CREATE DATABASE ${DATABASE}`, 'postgres');
		} catch (error) {
			await pg.stop();
			throw error;
		}
		return pg;
	}

	private get dataDir(): string {
		return join(this.dir, 'data');
	}

	/** What every n8n process needs to use this database. */
	env(): PostgresEnv {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: DATABASE,
			DB_POSTGRESDB_USER: USER,
			DB_POSTGRESDB_PASSWORD: '',
		};
	}

	/** Runs `query` through psql; the rows, one a line, fields separated by `|`. */
	sql(query: string, database = DATABASE): string {
		return execFileSync(
			join(PG_BIN, 'psql'),
			['-h', '127.0.0.1', '-p', String(this.port), '-U', USER, '-d', database, '-XAt', '-c', query],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
		).trim();
	}

	/** Rows of `query` as arrays of fields. */
	rows(query: string): string[][] {
		const out = this.sql(query);
		return out === '' ? [] : out.split('\n').map((line) => line.split('|'));
	}

	/** Stops the server (no waiting for clients) and removes its folder. */
	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		stopPostgresIn(this.dir);
	}
}

/** Stops a private Postgres left in `dir` (see PrivatePostgres.dir), if it runs, and removes `dir`. */
export function stopPostgresIn(dir: string): void {
	const dataDir = join(dir, 'data');
	if (existsSync(join(dataDir, 'postmaster.pid'))) {
		try {
			pgCommand('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
		} catch {
			// already stopped
		}
	}
	rmSync(dir, { recursive: true, force: true });
}
