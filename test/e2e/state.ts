/** What global setup hands the test files, through a JSON file named in an environment variable. */
import { readFileSync } from 'node:fs';

import type { N8nRuntime } from './runtime';

export const STATE_ENV = 'OCTOPUSX_E2E_STATE';
/** n8n's binary data mode for every instance of a run (`default`, `filesystem`); unset: n8n's default. */
export const BINARY_MODE_ENV = 'OCTOPUSX_N8N_BINARY_MODE';

export interface SuiteState {
	/** Why the suite is skipped; set only when n8n cannot be installed outside CI. */
	skipReason?: string;
	/** Everything the suite writes lives here; removed by global teardown. */
	workDir: string;
	runtime?: N8nRuntime;
	/** `npm pack` of the build. */
	tarball?: string;
	/** A user folder with the database migrated and the tarball installed, copied per instance. */
	templateUserFolder?: string;
	/** Environment every instance gets (the binary data mode asked for through BINARY_MODE_ENV). */
	instanceEnv?: Record<string, string>;
}

export function readState(): SuiteState {
	const file = process.env[STATE_ENV];
	if (!file) {
		throw new Error(`${STATE_ENV} is not set: run the e2e suite with jest -c jest.e2e.config.js`);
	}
	return JSON.parse(readFileSync(file, 'utf8')) as SuiteState;
}
