/** Small helpers the e2e tests share: a successful run or the whole story of why not, workflow tweaks. */
import type { BinaryJson, ExecuteResult, RunJson, WorkflowJson } from './n8n';
import { CREDENTIAL_TYPE } from './package';

/** The credential every e2e instance imports, pointing at a simulator. */
export const SIM_CREDENTIAL = { id: 'octopusxSimCred1', name: 'OctopusX (simulator)' };

export function simCredential(sim: { baseUrl: string; apiKey: string }, apiKey = sim.apiKey) {
	return { ...SIM_CREDENTIAL, type: CREDENTIAL_TYPE, data: { apiKey, baseUrl: sim.baseUrl } };
}

/** The run of a successful `n8n execute`; otherwise fails with everything n8n printed. */
export function succeeded(result: ExecuteResult): RunJson {
	const error = result.run?.data.resultData.error;
	if (result.code !== 0 || !result.run || error) {
		throw new Error(
			`n8n execute did not succeed (exit ${result.code ?? result.signal}, ${result.ms} ms)` +
				`${error ? `: ${error.message}` : ''}\n--- after the run data:\n${result.after.slice(-4000)}` +
				`\n--- stderr:\n${result.stderr.slice(-4000)}\n--- stdout (end):\n${result.stdout.slice(-4000)}`,
		);
	}
	return result.run;
}

/** Sets `parameters.<path>` of the node called `nodeName`. */
export function setParameter(
	workflow: WorkflowJson,
	nodeName: string,
	path: string[],
	value: unknown,
): void {
	const node = (
		workflow.nodes as Array<{ name: string; parameters: Record<string, unknown> }>
	).find((n) => n.name === nodeName);
	if (!node) throw new Error(`workflow ${workflow.id} has no node "${nodeName}"`);
	let target = node.parameters;
	for (const key of path.slice(0, -1)) {
		target[key] ??= {};
		target = target[key] as Record<string, unknown>;
	}
	target[path[path.length - 1]] = value;
}

/** Resolves once `check` holds, polling every 100 ms; fails after `timeoutMs` saying what it waited for. */
export async function until(
	what: string,
	check: () => boolean | Promise<boolean>,
	timeoutMs = 60_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Where the matrix expects n8n to keep binaries (`memory` or `filesystem`); unset: no expectation. */
export const EXPECT_BINARY_STORE_ENV = 'OCTOPUSX_E2E_EXPECT_BINARY_STORE';

/**
 * Checks that n8n kept a node's output file where the matrix row says, so that the binary mode in its
 * table is what n8n did: a stored file has an id (`filesystem-v2:…`, `filesystem:…`), an in-memory one
 * has none.
 */
export function expectBinaryStore(binary: BinaryJson | undefined): void {
	const store = process.env[EXPECT_BINARY_STORE_ENV];
	if (store === 'filesystem') expect(binary?.id).toMatch(/^filesystem(-v2)?:/);
	else if (store === 'memory') expect(binary?.id).toBeUndefined();
	else if (store) throw new Error(`${EXPECT_BINARY_STORE_ENV}=${store}: use memory or filesystem`);
}
