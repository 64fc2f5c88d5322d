/**
 * Where the n8n releases the suites run on differ in what the driver must set, in one place, each found by
 * looking at the installed n8n rather than at its version number.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { hasNarrowErrorOutputRule } from '../../nodes/OctopusX/actions/errorOutputItem';
import type { WorkflowJson } from './n8n';
import type { N8nRuntime } from './runtime';

/** n8n's own node_modules folder of a runtime. */
function modulesDir(runtime: N8nRuntime): string {
	// runtime.n8n is <dir>/node_modules/n8n/bin/n8n
	return join(dirname(runtime.n8n), '..', '..');
}

/**
 * Turns off the modules that call out to n8n.io in the background (no use offline). n8n refuses to start
 * on the name of a module it does not have (1.x and 2.0 have no `mcp-registry`), so only those present.
 */
function offlineModules(runtime: N8nRuntime): Record<string, string> {
	const present = ['mcp-registry'].filter((name) =>
		existsSync(join(modulesDir(runtime), 'n8n', 'dist', 'modules', name)),
	);
	return present.length ? { N8N_DISABLED_MODULES: present.join(',') } : {};
}

/**
 * Late n8n 1.123 patches evaluate expressions in isolated-vm by default (N8N_EXPRESSION_ENGINE=vm), but
 * isolated-vm 6 needs Node 22 while those n8n releases declare Node 20.19 as enough: on Node 20, every n8n
 * command exits with "Could not initialize the vm expression engine". There n8n's other engine, `legacy`
 * (the one n8n used before), is what a Node 20 install has to run with.
 */
function expressionEngine(runtime: N8nRuntime): Record<string, string> {
	const manifest = join(modulesDir(runtime), 'isolated-vm', 'package.json');
	if (!existsSync(manifest)) return {};
	const wanted = (JSON.parse(readFileSync(manifest, 'utf8')) as { engines?: { node?: string } })
		.engines?.node;
	const floor = /^>=\s*(\d+)/.exec(wanted ?? '')?.[1];
	const major = Number(/^v(\d+)/.exec(runtime.nodeVersion)?.[1]);
	return floor && major < Number(floor) ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {};
}

/** The environment every n8n process of `runtime` needs on top of the driver's own. */
export function versionEnv(runtime: N8nRuntime): Record<string, string> {
	return { ...offlineModules(runtime), ...expressionEngine(runtime) };
}

/**
 * n8n 2.0's `import:workflow` stores a workflow without `versionId` as NULL and fails on the column's NOT
 * NULL constraint (printing only "Could not find workflow" at the info log level); 1.x and 2.41 make one
 * up. A workflow file exported from the editor has one.
 */
export function withVersionId(workflow: WorkflowJson): WorkflowJson {
	return workflow.versionId ? workflow : { ...workflow, versionId: randomUUID() };
}

export type ErrorOutputRule = 'narrow' | 'wide' | 'unknown';

/** The folder of `pkg` as the installed n8n resolves it (community packages get n8n's own modules). */
function packageDirOf(runtime: N8nRuntime, pkg: string): string {
	return dirname(require.resolve(`${pkg}/package.json`, { paths: [dirname(runtime.n8n)] }));
}

/**
 * Which items the installed n8n sends to "Continue (using error output)", read from its engine
 * (n8n-core's WorkflowExecute.handleNodeErrorOutput): `narrow` takes only `{ error }` and
 * `{ error, message }`, `wide` also `{ error, details }`; and what the node infers from the n8n-workflow
 * beside it. The matrix checks that the two agree on every row.
 */
export function errorOutputRules(runtime: N8nRuntime): {
	engine: ErrorOutputRule;
	node: ErrorOutputRule;
} {
	const engine = readFileSync(
		join(packageDirOf(runtime, 'n8n-core'), 'dist', 'execution-engine', 'workflow-execute.js'),
		'utf8',
	);
	const workflow = join(packageDirOf(runtime, 'n8n-workflow'), 'package.json');
	const { version } = JSON.parse(readFileSync(workflow, 'utf8')) as { version: string };
	return {
		engine: engine.includes("['error', 'message', 'details']")
			? 'wide'
			: /Object\.keys\(item\.json\)\.length === 2/.test(engine)
				? 'narrow'
				: 'unknown',
		node: hasNarrowErrorOutputRule(version) ? 'narrow' : 'wide',
	};
}
