/**
 * Prepares the end-to-end suite once: the n8n runtime (installed on first use), the package packed like a
 * release, and a user folder template (database migrated, package installed) that each test copies.
 * When n8n cannot be installed the suite is skipped with a loud reason, except under CI, where it fails.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { N8nInstance } from './n8n';
import { installPackage, packPackage } from './package';
import { ensureRuntime, type N8nRuntime } from './runtime';
import { BINARY_MODE_ENV, STATE_ENV, type SuiteState } from './state';

/** Printed before the tests and again after them (globalTeardown), so that nobody takes it for a pass. */
export function skipBanner(reason: string): void {
	const bar = '!'.repeat(78);
	const lines = [
		'END-TO-END SUITE SKIPPED: nothing was tested against a real n8n.',
		reason,
		'Fix the cause (npm registry access, python3/make/g++ for sqlite3, ~3 GB free in',
		'~/.cache) and run `npm run test:e2e` again. Under CI=true this is a failure.',
	];
	process.stderr.write(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n\n`);
}

async function prepare(state: SuiteState, runtime: N8nRuntime): Promise<void> {
	state.runtime = runtime;
	state.tarball = packPackage(join(state.workDir, 'pack'));
	const template = N8nInstance.create({ runtime, parentDir: join(state.workDir, 'template') });
	installPackage(state.tarball, template.userFolder);
	// Any command migrates the database; doing it once here saves every test the time.
	const migrate = await template.cli(['list:workflow']);
	if (migrate.code !== 0) {
		throw new Error(`n8n could not create its database:\n${migrate.stdout}\n${migrate.stderr}`);
	}
	state.templateUserFolder = template.userFolder;
	mkdirSync(join(state.workDir, 'instances'), { recursive: true });
}

export default async function globalSetup(): Promise<void> {
	const workDir = realpathSync(mkdtempSync(join(tmpdir(), 'octopusx-e2e-')));
	const state: SuiteState = { workDir };
	const binaryMode = process.env[BINARY_MODE_ENV];
	if (binaryMode) state.instanceEnv = { N8N_DEFAULT_BINARY_DATA_MODE: binaryMode };
	const stateFile = join(workDir, 'state.json');
	process.env[STATE_ENV] = stateFile;

	try {
		let runtime: N8nRuntime | undefined;
		try {
			runtime = await ensureRuntime();
		} catch (err) {
			const reason = (err as Error).message;
			if (process.env.CI === 'true') {
				throw new Error(
					`CI must run the end-to-end suite, but the n8n runtime could not be installed: ${reason}`,
				);
			}
			state.skipReason = `the n8n runtime could not be installed: ${reason}`;
			skipBanner(state.skipReason);
		}
		if (runtime) await prepare(state, runtime);
		writeFileSync(stateFile, JSON.stringify(state, null, 2));
	} catch (err) {
		// globalTeardown does not run after a failed setup.
		rmSync(workDir, { recursive: true, force: true });
		throw err;
	}
}
