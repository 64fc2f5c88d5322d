/**
 * Loads the workflow files (examples/ and test/e2e/workflows/) and fits them to one n8n instance: the
 * credential placeholder becomes the imported credential, the example file folder becomes the instance's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { WorkflowJson } from './n8n';
import { REPO_ROOT } from './runtime';

/** The folder the workflow files read and write in: n8n's default file folder in its Docker image. */
export const EXAMPLE_FILES_DIR = '/home/node/.n8n-files';
/** The credential the workflow files name; users pick their own after import. */
export const CREDENTIAL_PLACEHOLDER = { id: 'octopusxCredential', name: 'OctopusX account' };

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
export const TEST_WORKFLOWS_DIR = join(REPO_ROOT, 'test', 'e2e', 'workflows');

export interface WorkflowFit {
	credential: { id: string; name: string };
	/** Replaces EXAMPLE_FILES_DIR at the start of every string. */
	filesDir: string;
}

function rewrite(value: unknown, fit: WorkflowFit): unknown {
	if (typeof value === 'string') {
		return value.split(EXAMPLE_FILES_DIR).join(fit.filesDir);
	}
	if (Array.isArray(value)) return value.map((v) => rewrite(v, fit));
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value)) {
			out[key] =
				key === 'octopusXApi' && v && typeof v === 'object'
					? { ...fit.credential }
					: rewrite(v, fit);
		}
		return out;
	}
	return value;
}

export function readWorkflow(file: string): WorkflowJson {
	const workflow = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
	if (typeof workflow.id !== 'string' || workflow.id === '') {
		throw new Error(`${file} has no "id": n8n execute needs one`);
	}
	return workflow;
}

export function fitWorkflow(workflow: WorkflowJson, fit: WorkflowFit): WorkflowJson {
	return rewrite(workflow, fit) as WorkflowJson;
}

export function loadWorkflow(file: string, fit: WorkflowFit): WorkflowJson {
	return fitWorkflow(readWorkflow(file), fit);
}
