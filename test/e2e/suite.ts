/** The helpers every e2e test file starts from, over what global setup prepared (see state.ts). */
import { join } from 'node:path';

import { N8nInstance } from './n8n';
import type { N8nRuntime } from './runtime';
import { readState } from './state';

const state = readState();

/** `describe`, or `describe.skip` (with the reason in the name) when n8n could not be installed. */
export const describeE2E: (name: string, fn: () => void) => void = state.skipReason
	? (name, fn) => describe.skip(`${name} [SKIPPED: ${state.skipReason}]`, fn)
	: describe;

export function runtime(): N8nRuntime {
	if (!state.runtime) throw new Error('no n8n runtime (the suite should have been skipped)');
	return state.runtime;
}

export function tarball(): string {
	if (!state.tarball) throw new Error('no packed package (the suite should have been skipped)');
	return state.tarball;
}

/** A fresh n8n instance with the package installed, its files under the suite's work folder. */
export function newInstance(env: Record<string, string> = {}): N8nInstance {
	if (!state.templateUserFolder) throw new Error('no user folder template');
	return N8nInstance.create({
		runtime: runtime(),
		parentDir: join(state.workDir, 'instances'),
		userFolderTemplate: state.templateUserFolder,
		env: { ...state.instanceEnv, ...env },
	});
}

/** An instance without the package installed, for tests that install their own. */
export function bareInstance(): N8nInstance {
	return N8nInstance.create({
		runtime: runtime(),
		parentDir: join(state.workDir, 'instances'),
		env: state.instanceEnv,
	});
}

export function workDir(): string {
	return state.workDir;
}
