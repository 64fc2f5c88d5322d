/**
 * n8n in queue mode on one machine, as it runs spread over several: a private Postgres and Redis, one
 * `n8n start` main and `n8n worker`s, each n8n process with its own user folder (and so its own disk
 * for binaries) holding the installed package tarball. Everything is started on spare loopback ports
 * and stopped by `stop()`; what is still running when the test process dies is listed in a file that
 * the suite's global teardown reads (see leftovers.ts).
 */
import { join } from 'node:path';

import { N8nInstance, type CredentialSeed, type RunningN8n, type WorkflowJson } from '../e2e/n8n';
import { installPackage } from '../e2e/package';
import type { N8nRuntime } from '../e2e/runtime';
import { recordLeftover } from './leftovers';
import { PrivatePostgres } from './postgres';
import { PrivateRedis } from './redis';

export type BinaryMode = 'database' | 'filesystem';

export interface ClusterOptions {
	runtime: N8nRuntime;
	/** The packed package, installed into every n8n process's own user folder. */
	tarball: string;
	/** More packages to install beside it (the benchmark's naive baseline). */
	extraTarballs?: string[];
	/** Where the n8n instances' folders go. */
	parentDir: string;
	workers?: number;
	/** Jobs each worker runs at once (`n8n worker --concurrency`). */
	concurrency?: number;
	/** N8N_DEFAULT_BINARY_DATA_MODE of every process. */
	binaryMode: BinaryMode;
	credentials: CredentialSeed[];
	/** Imported before main starts; those with `active: true` are then activated through main's REST API. */
	workflows: WorkflowJson[];
	/** Extra environment for every n8n process. */
	env?: Record<string, string>;
}

export interface WorkerProcess {
	name: string;
	instance: N8nInstance;
	process: RunningN8n;
}

export interface ExecutionRow {
	id: string;
	status: string;
	workflowId: string;
}

/** Short job locks, so that a killed worker's job is noticed in seconds rather than a minute. */
export const FAST_LOCKS = {
	QUEUE_WORKER_LOCK_DURATION: '6000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '1500',
	QUEUE_WORKER_STALLED_INTERVAL: '3000',
};

export class QueueCluster {
	readonly workers: WorkerProcess[] = [];
	main!: RunningN8n;
	mainInstance!: N8nInstance;

	private constructor(
		readonly postgres: PrivatePostgres,
		readonly redis: PrivateRedis,
		private readonly options: ClusterOptions,
	) {}

	static async start(options: ClusterOptions): Promise<QueueCluster> {
		const [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
		recordLeftover({ postgresDir: postgres.dir });
		recordLeftover({ pid: redis.pid, marker: redis.dir });
		const cluster = new QueueCluster(postgres, redis, options);
		try {
			await cluster.startN8n();
		} catch (error) {
			await cluster.stop();
			throw error;
		}
		return cluster;
	}

	/** The environment every n8n process of the cluster shares. */
	queueEnv(): Record<string, string> {
		return {
			...this.postgres.env(),
			...this.redis.env(),
			EXECUTIONS_MODE: 'queue',
			N8N_DEFAULT_BINARY_DATA_MODE: this.options.binaryMode,
			...FAST_LOCKS,
			...this.options.env,
		};
	}

	private newInstance(name: string): N8nInstance {
		const instance = N8nInstance.create({
			runtime: this.options.runtime,
			parentDir: join(this.options.parentDir, name),
			env: this.queueEnv(),
		});
		for (const tarball of [this.options.tarball, ...(this.options.extraTarballs ?? [])]) {
			installPackage(tarball, instance.userFolder);
		}
		return instance;
	}

	private async startN8n(): Promise<void> {
		this.mainInstance = this.newInstance('main');
		// The first command migrates the database: run it before any other process touches it.
		await this.mainInstance.importCredentials(this.options.credentials);
		await this.mainInstance.importWorkflows(this.options.workflows);
		this.main = await this.mainInstance.start();
		recordLeftover({ pgid: this.main.pid, marker: this.mainInstance.userFolder });
		await this.main.setupOwner();
		for (const workflow of this.options.workflows.filter((w) => w.active === true)) {
			await this.activate(workflow.id);
		}
		const count = this.options.workers ?? 2;
		await Promise.all(
			Array.from({ length: count }, async (_, i) => await this.startWorker(`worker-${i + 1}`)),
		);
	}

	/** Publishes the workflow's current version, as the editor's toggle does; main registers its webhooks. */
	async activate(workflowId: string): Promise<void> {
		const got = await this.main.request('GET', `/rest/workflows/${workflowId}`);
		const versionId = (got.body as { data?: { versionId?: string } }).data?.versionId;
		if (got.status !== 200 || !versionId) {
			throw new Error(
				`GET workflow ${workflowId} answered ${got.status}: ${got.text.slice(0, 500)}`,
			);
		}
		const answer = await this.main.request('POST', `/rest/workflows/${workflowId}/activate`, {
			versionId,
		});
		if (answer.status !== 200) {
			throw new Error(
				`activating ${workflowId} answered ${answer.status}: ${answer.text.slice(0, 500)}`,
			);
		}
	}

	/** Starts a worker (again, under the same name, after a crash), by default of the cluster's concurrency. */
	async startWorker(
		name: string,
		concurrency = this.options.concurrency ?? 1,
	): Promise<WorkerProcess> {
		const existing = this.workers.find((w) => w.name === name);
		const instance = existing?.instance ?? this.newInstance(name);
		const process = await instance.startWorker({ concurrency });
		recordLeftover({ pgid: process.pid, marker: instance.userFolder });
		const worker = { name, instance, process };
		if (existing) this.workers.splice(this.workers.indexOf(existing), 1, worker);
		else this.workers.push(worker);
		return worker;
	}

	/** Stops a worker the normal way (SIGTERM), keeping its user folder for a later start. */
	async stopWorker(name: string): Promise<void> {
		await this.workers.find((w) => w.name === name)?.process.stop();
	}

	/** A production webhook of an active workflow: `/webhook/<path>` on main. */
	async webhook(path: string, init: RequestInit = {}): Promise<Response> {
		return await fetch(`${this.main.baseUrl}/webhook/${path}`, { method: 'POST', ...init });
	}

	executions(workflowId: string): ExecutionRow[] {
		return this.postgres
			.rows(
				`SELECT id, status, "workflowId" FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`,
			)
			.map(([id, status, wf]) => ({ id, status, workflowId: wf }));
	}

	/** Waits until `workflowId` has `count` executions, each in one of `statuses`. */
	async waitForExecutions(
		workflowId: string,
		count: number,
		statuses: string[],
		timeoutMs = 60_000,
	): Promise<ExecutionRow[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const rows = this.executions(workflowId);
			if (rows.length >= count && rows.every((r) => statuses.includes(r.status))) return rows;
			if (Date.now() > deadline) {
				throw new Error(
					`workflow ${workflowId}: wanted ${count} executions ${statuses.join('/')}, have ${JSON.stringify(rows)}`,
				);
			}
			await new Promise((r) => setTimeout(r, 250));
		}
	}

	/**
	 * An execution as main's REST API returns it: its status and every string in its saved run data
	 * (n8n stores that data flattened, one array of values, so a string is found by equality).
	 */
	async savedExecution(executionId: string): Promise<{ status: string; strings: string[] }> {
		const answer = await this.main.request('GET', `/rest/executions/${executionId}`);
		if (answer.status !== 200) {
			throw new Error(`GET execution ${executionId} answered ${answer.status}: ${answer.text}`);
		}
		const { data } = answer.body as { data: { status: string; data: string } };
		const values = JSON.parse(data.data) as unknown[];
		return { status: data.status, strings: values.filter((v) => typeof v === 'string') };
	}

	/** The worker whose log says it started `executionId`. */
	workerOf(executionId: string): string | undefined {
		const line = new RegExp(`Worker started execution ${executionId} \\(job`);
		return this.workers.find((w) => line.test(w.process.log()))?.name;
	}

	/** Everything every process printed, for a failure message. */
	logs(): string {
		return [
			`--- main\n${this.main?.log().slice(-6000) ?? ''}`,
			...this.workers.map((w) => `--- ${w.name}\n${w.process.log().slice(-6000)}`),
		].join('\n');
	}

	async stop(): Promise<void> {
		const instances = [this.mainInstance, ...this.workers.map((w) => w.instance)].filter(
			(i): i is N8nInstance => i !== undefined,
		);
		await Promise.all(instances.map(async (i) => await i.dispose()));
		await Promise.all([this.postgres.stop(), this.redis.stop()]);
	}
}
