/**
 * A real n8n editor with this package installed the way a user installs it, an owner account, an OctopusX
 * credential (the simulator, or the real API when a key is given) and the example workflows imported.
 * Used by `npm run dev` and by the screenshot script.
 */
import { mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OctopusSimulator, playableMp4 } from '../test/simulator';
import { DEFAULT_OWNER, N8nInstance, type OwnerAccount, type RunningN8n } from '../test/e2e/n8n';
import { CREDENTIAL_TYPE, installPackage, packPackage } from '../test/e2e/package';
import { ensureRuntime } from '../test/e2e/runtime';
import { EXAMPLES_DIR, loadWorkflow } from '../test/e2e/workflows';

export const REAL_API_URL = 'https://octopusx.ai';

export interface DevOptions {
	/** Editor port on 127.0.0.1; default 5678. */
	port?: number;
	/** A key for the real OctopusX API; without one the credential points at the simulator. */
	apiKey?: string;
	/** Keep n8n's data here between runs; default a fresh temp folder removed on stop. */
	dir?: string;
	/** How long a simulated task runs; default 8 s, enough to watch it progress. */
	taskSeconds?: number;
	log?: (line: string) => void;
}

export interface DevEnvironment {
	url: string;
	owner: OwnerAccount;
	credential: { id: string; name: string; baseUrl: string };
	/** The only folder the file nodes may use; the examples read and write in its `octopusx/`. */
	filesDir: string;
	workflows: Array<{ id: string; name: string }>;
	simulator?: OctopusSimulator;
	n8n: RunningN8n;
	stop(): Promise<void>;
}

const DEV_CREDENTIAL_ID = 'octopusxDevCred1';

export async function startDevEnvironment(options: DevOptions = {}): Promise<DevEnvironment> {
	const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	const keep = options.dir !== undefined;
	const parentDir = keep ? options.dir! : realpathSync(tmpdir());
	mkdirSync(parentDir, { recursive: true });

	log('Preparing the n8n runtime (the first time installs n8n 2.41.1: about 5 minutes)...');
	const runtime = await ensureRuntime();

	const cleanups: Array<() => Promise<void> | void> = [];
	const stop = async (): Promise<void> => {
		for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
	};
	try {
		let simulator: OctopusSimulator | undefined;
		if (!options.apiKey) {
			simulator = await OctopusSimulator.start({
				taskDurationMs: (options.taskSeconds ?? 8) * 1000,
				// A video the editor's preview can play, not the tests' random bytes behind an MP4 header.
				resultVideo: playableMp4(),
			});
			cleanups.push(async () => await simulator!.stop());
		}

		const instance = keep
			? N8nInstance.open({ runtime, root: join(parentDir, 'n8n') })
			: N8nInstance.create({ runtime, parentDir });
		cleanups.push(async () => await instance.dispose({ keep }));

		log('Packing the build and installing it into n8n like a community package...');
		const tarball = packPackage(join(instance.root, 'pack'));
		installPackage(tarball, instance.userFolder);

		const credential = simulator
			? { id: DEV_CREDENTIAL_ID, name: 'OctopusX (simulator)', baseUrl: simulator.baseUrl }
			: { id: DEV_CREDENTIAL_ID, name: 'OctopusX', baseUrl: REAL_API_URL };
		await instance.importCredentials([
			{
				id: credential.id,
				name: credential.name,
				type: CREDENTIAL_TYPE,
				data: { apiKey: simulator?.apiKey ?? options.apiKey, baseUrl: credential.baseUrl },
			},
		]);
		const fit = {
			credential: { id: credential.id, name: credential.name },
			filesDir: instance.filesDir,
		};
		const workflows = readdirSync(EXAMPLES_DIR)
			.filter((f) => f.endsWith('.json'))
			.sort()
			.map((f) => loadWorkflow(join(EXAMPLES_DIR, f), fit));
		await instance.importWorkflows(workflows);

		const examplesDir = join(instance.filesDir, 'octopusx');
		mkdirSync(examplesDir, { recursive: true });
		// The same small playable video as the simulator's results; the real API needs a real video
		// from the user.
		if (simulator) writeFileSync(join(examplesDir, 'input.mp4'), playableMp4());

		log(`Starting n8n on http://127.0.0.1:${options.port ?? 5678} ...`);
		const n8n = await instance.start({ port: options.port ?? 5678 });
		const owner = await ensureOwner(n8n);

		return {
			url: n8n.baseUrl,
			owner,
			credential,
			filesDir: instance.filesDir,
			workflows: workflows.map((w) => ({ id: w.id, name: w.name })),
			simulator,
			n8n,
			stop,
		};
	} catch (err) {
		await stop();
		throw err;
	}
}

/** Sets the owner up on a new instance; on a kept one it is there already and logging in proves it. */
async function ensureOwner(n8n: RunningN8n): Promise<OwnerAccount> {
	try {
		return await n8n.setupOwner(DEFAULT_OWNER);
	} catch (setupError) {
		try {
			await n8n.login(DEFAULT_OWNER);
			return DEFAULT_OWNER;
		} catch {
			throw setupError;
		}
	}
}
