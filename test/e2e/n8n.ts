/**
 * Drives a real n8n CLI: one throw-away instance per `N8nInstance` (its own user folder, database, file
 * folder and temp folder), credentials and workflows imported through `n8n import:*`, workflows run with
 * `n8n execute --id`, and `n8n start` for what needs the REST API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { N8nRuntime } from './runtime';
import { versionEnv, withVersionId } from './versionDifferences';

/** Fixed so that credentials imported by one command decrypt in the next. */
export const ENCRYPTION_KEY = 'octopusx-e2e-encryption-key-0123456789';

export interface CliResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/** What `n8n execute --rawOutput` printed, parsed. */
export interface ExecuteResult extends CliResult {
	/** The run (n8n's IRun as JSON); undefined when n8n printed none. */
	run?: RunJson;
	/** What n8n printed after the run data: the error, on a failed run. */
	after: string;
}

export interface ItemJson {
	json: Record<string, unknown>;
	binary?: Record<string, BinaryJson>;
	pairedItem?: unknown;
	error?: unknown;
}

export interface BinaryJson {
	data: string;
	mimeType: string;
	fileName?: string;
	fileExtension?: string;
	fileSize?: string;
	id?: string;
}

export interface TaskRunJson {
	data?: { main?: Array<ItemJson[] | null> };
	error?: { message?: string; description?: string; name?: string };
	executionStatus?: string;
}

export interface RunJson {
	status?: string;
	data: {
		resultData: {
			runData: Record<string, TaskRunJson[]>;
			error?: { message?: string; description?: string; name?: string; node?: { name?: string } };
			lastNodeExecuted?: string;
		};
	};
}

export interface CredentialSeed {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: unknown[];
	connections: unknown;
	[key: string]: unknown;
}

export interface InstanceOptions {
	runtime: N8nRuntime;
	/** A user folder (database, installed packages) copied into the instance as its starting point. */
	userFolderTemplate?: string;
	/** Parent of the instance's folder; default the OS temp folder. */
	parentDir?: string;
	/** Extra environment, applied last. */
	env?: Record<string, string>;
}

/** The items of one output of one node's run. */
export function nodeOutput(run: RunJson, node: string, output = 0, runIndex = 0): ItemJson[] {
	const runs = run.data.resultData.runData[node];
	if (!runs)
		throw new Error(`Node "${node}" did not run; ran: ${Object.keys(run.data.resultData.runData)}`);
	return runs[runIndex]?.data?.main?.[output] ?? [];
}

/** Ports this process has handed out: a port closed after probing can come back from the next probe. */
const handedOut = new Set<number>();

/**
 * A spare loopback port, never one this process handed out before: two probes in a row can get the
 * same port back from the kernel (once gave n8n's HTTP port and its task broker's the same number).
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await probePort(host);
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error(`No spare port on ${host} after 50 tries`);
}

async function probePort(host: string): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, host, () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/**
 * Starts n8n again, on ports probed afresh, when it found one of its ports taken: between the probe
 * and n8n's listen, another process can get the same port (an outgoing connection draws from the
 * same range). Up to 3 starts.
 */
async function onFreshPorts<T>(start: () => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await start();
		} catch (error) {
			const taken = /already in use|EADDRINUSE/.test(String((error as Error)?.message ?? error));
			if (!taken || attempt >= 3) throw error;
		}
	}
}

/** The caller's environment without anything that would configure n8n, npm or Node behind our back. */
function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|NODES_|npm_)/i.test(key)) continue;
		if (key === 'NODE_OPTIONS' || key === 'WEBHOOK_URL' || key === 'NODE_ENV') continue;
		env[key] = value;
	}
	return env;
}

/**
 * The text n8n printed from the first line that is `{` up to the first line that is `}` (n8n prints the
 * run with JSON.stringify(data, null, 2), so only its end sits at column 0).
 */
export function parseRunOutput(stdout: string): { run?: RunJson; after: string } {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l === '{');
	if (start < 0) return { after: stdout };
	const end = lines.findIndex((l, i) => i > start && l === '}');
	if (end < 0) return { after: stdout };
	const run = JSON.parse(lines.slice(start, end + 1).join('\n')) as RunJson;
	return { run, after: lines.slice(end + 1).join('\n') };
}

export class N8nInstance {
	readonly root: string;
	readonly userFolder: string;
	/** The only folder the Read/Write Files node may touch. */
	readonly filesDir: string;
	readonly tmpDir: string;
	private readonly importDir: string;
	private imports = 0;
	private readonly started = new Set<RunningN8n>();

	private constructor(
		readonly runtime: N8nRuntime,
		root: string,
		private readonly extraEnv: Record<string, string>,
	) {
		// The file access check refuses paths through symlinks: use the resolved path everywhere.
		this.root = realpathSync(root);
		this.userFolder = join(this.root, 'user');
		this.filesDir = join(this.root, 'files');
		this.tmpDir = join(this.root, 'tmp');
		this.importDir = join(this.root, 'import');
		for (const dir of [this.userFolder, this.filesDir, this.tmpDir, this.importDir]) {
			mkdirSync(dir, { recursive: true });
		}
	}

	static create(options: InstanceOptions): N8nInstance {
		const parent = options.parentDir ?? tmpdir();
		mkdirSync(parent, { recursive: true });
		const instance = new N8nInstance(
			options.runtime,
			mkdtempSync(join(parent, 'n8n-')),
			options.env ?? {},
		);
		if (options.userFolderTemplate) {
			cpSync(options.userFolderTemplate, instance.userFolder, { recursive: true });
		}
		return instance;
	}

	/** An instance in a folder of the caller's choosing, created or reused (e.g. a kept dev instance). */
	static open(options: Omit<InstanceOptions, 'parentDir'> & { root: string }): N8nInstance {
		mkdirSync(options.root, { recursive: true });
		return new N8nInstance(options.runtime, options.root, options.env ?? {});
	}

	/** The environment of every n8n process of this instance. */
	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		const base = cleanEnv();
		return {
			...base,
			PATH: `${dirname(this.runtime.node)}:${base.PATH ?? ''}`,
			TMPDIR: this.tmpDir,
			GENERIC_TIMEZONE: 'UTC',
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_LOG_LEVEL: 'info',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			...versionEnv(this.runtime),
			N8N_RESTRICT_FILE_ACCESS_TO: this.filesDir,
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			...this.extraEnv,
			...extra,
		};
	}

	/**
	 * `n8n <args>`, with its own task-runner broker port so instances can run side by side, and `env`
	 * on top of the instance's.
	 */
	async cli(
		args: string[],
		options: { timeoutMs?: number; env?: Record<string, string> } = {},
	): Promise<CliResult> {
		const brokerPort = await freePort();
		const started = Date.now();
		const child = spawn(this.runtime.node, [this.runtime.n8n, ...args], {
			cwd: this.root,
			env: this.env({ ...options.env, N8N_RUNNERS_BROKER_PORT: String(brokerPort) }),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
		child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
		const timeoutMs = options.timeoutMs ?? 120_000;
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
			(resolve, reject) => {
				child.once('error', reject);
				child.once('close', (c, s) => resolve([c, s]));
			},
		).finally(() => clearTimeout(timer));
		if (timedOut) stderr += `\n[driver] n8n ${args[0]} killed after ${timeoutMs} ms\n`;
		return { code, signal, stdout, stderr, ms: Date.now() - started };
	}

	private async cliOrThrow(args: string[]): Promise<CliResult> {
		const result = await this.cli(args);
		if (result.code !== 0) {
			throw new Error(
				`n8n ${args.join(' ')} exited with ${result.code ?? result.signal}\n${result.stdout}\n${result.stderr}`,
			);
		}
		return result;
	}

	private writeImport(kind: string, data: unknown): string {
		const file = join(this.importDir, `${kind}-${++this.imports}.json`);
		writeFileSync(file, JSON.stringify(data, null, 2));
		return file;
	}

	/** Plain credential data in; n8n encrypts it with ENCRYPTION_KEY. */
	async importCredentials(credentials: CredentialSeed[]): Promise<void> {
		await this.cliOrThrow([
			'import:credentials',
			`--input=${this.writeImport('credentials', credentials)}`,
		]);
	}

	/**
	 * Each workflow needs its own `id`, the one `execute` takes. `activeState: 'fromJson'` (queue mode
	 * only) keeps each workflow's `active`, so `n8n start` activates it.
	 */
	async importWorkflows(
		workflows: WorkflowJson[],
		options: { activeState?: 'fromJson' } = {},
	): Promise<void> {
		await this.cliOrThrow([
			'import:workflow',
			`--input=${this.writeImport('workflows', workflows.map(withVersionId))}`,
			...(options.activeState ? [`--activeState=${options.activeState}`] : []),
		]);
	}

	async execute(
		workflowId: string,
		options: { timeoutMs?: number; env?: Record<string, string> } = {},
	): Promise<ExecuteResult> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], options);
		return { ...result, ...parseRunOutput(result.stdout) };
	}

	/** `n8n start` on 127.0.0.1:`port` (default a free one); resolves once its REST API answers. */
	async start(options: { port?: number; env?: Record<string, string> } = {}): Promise<RunningN8n> {
		return await onFreshPorts(async () => await this.startOnce(options));
	}

	private async startOnce(options: { port?: number; env?: Record<string, string> }) {
		const port = options.port ?? (await freePort());
		const brokerPort = await freePort();
		const child = spawn(this.runtime.node, [this.runtime.n8n, 'start'], {
			cwd: this.root,
			env: this.env({
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
				N8N_PORT: String(port),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: '127.0.0.1',
				N8N_PROTOCOL: 'http',
				N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
				N8N_SECURE_COOKIE: 'false',
				...options.env,
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
			// Its own process group, so stop() also reaches the task runner it spawns.
			detached: true,
		});
		const running = new RunningN8n(child, `http://127.0.0.1:${port}`);
		this.started.add(running);
		try {
			await running.waitHealthy(90_000);
		} catch (err) {
			await running.stop();
			throw err;
		}
		return running;
	}

	/**
	 * `n8n worker` (queue mode: the environment must name the queue and the database), its health
	 * server on 127.0.0.1:`healthPort` (default a free one) so that it never takes main's 5678;
	 * resolves once the worker reports itself ready there.
	 */
	async startWorker(
		options: { concurrency?: number; healthPort?: number; env?: Record<string, string> } = {},
	): Promise<RunningN8n> {
		return await onFreshPorts(async () => await this.startWorkerOnce(options));
	}

	private async startWorkerOnce(options: {
		concurrency?: number;
		healthPort?: number;
		env?: Record<string, string>;
	}) {
		const healthPort = options.healthPort ?? (await freePort());
		const brokerPort = await freePort();
		const args = [this.runtime.n8n, 'worker', `--concurrency=${options.concurrency ?? 10}`];
		const child = spawn(this.runtime.node, args, {
			cwd: this.root,
			env: this.env({
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				...options.env,
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		const running = new RunningN8n(child, `http://127.0.0.1:${healthPort}`);
		this.started.add(running);
		try {
			await running.waitForEndpoint('/healthz/readiness', 90_000);
		} catch (err) {
			await running.stop();
			throw err;
		}
		return running;
	}

	/** Stops what is still running and removes every file of the instance. */
	async dispose(options: { keep?: boolean } = {}): Promise<void> {
		await Promise.all([...this.started].map(async (r) => await r.stop()));
		if (!options.keep) rmSync(this.root, { recursive: true, force: true });
	}
}

export interface OwnerAccount {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export const DEFAULT_OWNER: OwnerAccount = {
	email: 'owner@octopusx.test',
	password: 'OctopusX-dev-2026',
	firstName: 'Octo',
	lastName: 'Owner',
};

export interface HttpAnswer {
	status: number;
	body: unknown;
	text: string;
}

/** A started `n8n start`, with a cookie jar for its REST API. */
export class RunningN8n {
	private output = '';
	private readonly exitedPromise: Promise<void>;
	private exitCode: number | null | undefined;
	private cookies = new Map<string, string>();
	// n8n binds the auth cookie to a browser id sent in a header.
	private readonly browserId = `octopusx-e2e-${process.pid}-${Date.now()}`;

	constructor(
		private readonly child: ChildProcess,
		readonly baseUrl: string,
	) {
		child.stdout?.setEncoding('utf8').on('data', (s: string) => this.append(s));
		child.stderr?.setEncoding('utf8').on('data', (s: string) => this.append(s));
		this.exitedPromise = new Promise((resolve) =>
			child.once('exit', (code) => {
				this.exitCode = code;
				resolve();
			}),
		);
	}

	private append(s: string): void {
		// Keep the tail only: a long dev session must not grow without bound.
		this.output = (this.output + s).slice(-200_000);
	}

	/** What n8n printed so far (the last 200 kB). */
	log(): string {
		return this.output;
	}

	/** Resolves when the n8n process has ended, for whatever reason. */
	async exited(): Promise<void> {
		await this.exitedPromise;
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	async waitHealthy(timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.exitCode !== undefined) {
				throw new Error(`n8n start exited with ${this.exitCode}:\n${this.output}`);
			}
			// /healthz and even some REST routes answer while n8n is still registering others (404s
			// under load); it prints this line once everything is up.
			if (this.output.includes('Editor is now accessible via')) {
				try {
					const res = await fetch(`${this.baseUrl}/rest/settings`);
					if (res.ok) return;
				} catch {
					// not listening yet
				}
			}
			await new Promise((r) => setTimeout(r, 250));
		}
		throw new Error(`n8n start was not ready within ${timeoutMs} ms:\n${this.output}`);
	}

	/** Resolves once `path` answers 2xx (a worker's readiness endpoint); fails if n8n exits first. */
	async waitForEndpoint(path: string, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.exitCode !== undefined) {
				throw new Error(`n8n exited with ${this.exitCode}:\n${this.output}`);
			}
			try {
				const res = await fetch(`${this.baseUrl}${path}`);
				if (res.ok) return;
			} catch {
				// not listening yet
			}
			await new Promise((r) => setTimeout(r, 250));
		}
		throw new Error(
			`${this.baseUrl}${path} did not answer within ${timeoutMs} ms:\n${this.output}`,
		);
	}

	/** Resolves with the first match of `pattern` in what n8n printed, waiting up to `timeoutMs`. */
	async waitForLog(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const match = this.output.match(pattern);
			if (match) return match;
			if (Date.now() > deadline) {
				throw new Error(`n8n printed nothing matching ${pattern} within ${timeoutMs} ms`);
			}
			await new Promise((r) => setTimeout(r, 200));
		}
	}

	async request(method: string, path: string, body?: unknown): Promise<HttpAnswer> {
		const headers: Record<string, string> = { 'browser-id': this.browserId };
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (this.cookies.size) {
			headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		}
		const res = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		for (const line of res.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const eq = pair.indexOf('=');
			if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
		}
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON
		}
		return { status: res.status, body: parsed, text };
	}

	/** Creates the owner account (the first user) and keeps its session cookie. */
	async setupOwner(owner: OwnerAccount = DEFAULT_OWNER): Promise<OwnerAccount> {
		const answer = await this.request('POST', '/rest/owner/setup', owner);
		if (answer.status !== 200) {
			throw new Error(`owner setup answered ${answer.status}: ${answer.text.slice(0, 500)}`);
		}
		return owner;
	}

	/** Logs in as an existing user (a second session, e.g. after a restart). */
	async login(owner: OwnerAccount = DEFAULT_OWNER): Promise<void> {
		const answer = await this.request('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
		if (answer.status !== 200) {
			throw new Error(`login answered ${answer.status}: ${answer.text.slice(0, 500)}`);
		}
	}

	/**
	 * Starts a saved workflow from its trigger as the editor's "Execute workflow" does and returns the
	 * execution id. The body fits n8n 1.x (which runs the `workflowData` sent) and 2.x (which runs the saved
	 * workflow from `triggerToStartFrom` and ignores the rest).
	 */
	async runWorkflow(workflowId: string, triggerNode: string): Promise<string> {
		const saved = await this.request('GET', `/rest/workflows/${workflowId}`);
		if (saved.status !== 200) {
			throw new Error(
				`GET workflow ${workflowId} answered ${saved.status}: ${saved.text.slice(0, 500)}`,
			);
		}
		const workflowData = (saved.body as { data: unknown }).data;
		const answer = await this.request('POST', `/rest/workflows/${workflowId}/run`, {
			workflowData,
			triggerToStartFrom: { name: triggerNode },
		});
		const executionId = (answer.body as { data?: { executionId?: unknown } })?.data?.executionId;
		if (answer.status !== 200 || typeof executionId !== 'string') {
			throw new Error(
				`run of ${workflowId} answered ${answer.status}: ${answer.text.slice(0, 500)}`,
			);
		}
		return executionId;
	}

	/** The editor's Stop button for one execution. */
	async stopExecution(executionId: string): Promise<HttpAnswer> {
		return await this.request('POST', `/rest/executions/${executionId}/stop`);
	}

	/** An execution's status as the executions list shows it (`running`, `canceled`, `success`, ...). */
	async executionStatus(executionId: string): Promise<string | undefined> {
		const answer = await this.request('GET', `/rest/executions/${executionId}`);
		if (answer.status !== 200) return undefined;
		return (answer.body as { data?: { status?: string } })?.data?.status;
	}

	/** SIGTERM to n8n's process group (n8n and its task runner), SIGKILL if still there after 15 s. */
	async stop(): Promise<void> {
		if (this.exitCode !== undefined || !this.child.pid) return;
		const pid = this.child.pid;
		const signal = (sig: NodeJS.Signals): void => {
			try {
				process.kill(-pid, sig);
			} catch {
				// already gone
			}
		};
		signal('SIGTERM');
		const killer = setTimeout(() => signal('SIGKILL'), 15_000);
		await this.exitedPromise;
		clearTimeout(killer);
	}

	/**
	 * A signal to n8n's whole process group (n8n and its task runner), by default SIGKILL, as a crash
	 * or an out-of-memory kill ends it: no shutdown, nothing written after this moment. Resolves when
	 * the process has exited; the instance's folder stays, for a restart.
	 */
	async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
		if (this.exitCode !== undefined || !this.child.pid) return;
		try {
			process.kill(-this.child.pid, signal);
		} catch {
			// already gone
		}
		await this.exitedPromise;
	}
}
