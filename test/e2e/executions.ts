/**
 * Saved executions of a started n8n, through its REST API as the editor uses it: run a workflow,
 * read an execution (its run data unpacked), wait for a status, retry from the failed node.
 */
import type { RunJson, RunningN8n } from './n8n';

/** One execution as `GET /rest/executions/:id` gives it, with its data unpacked. */
export interface SavedExecution {
	id: string;
	status: string;
	mode: string;
	finished: boolean;
	retryOf: string | null;
	retrySuccessId: string | null;
	waitTill: string | null;
	data: RunJson['data'] & {
		executionData?: { nodeExecutionStack?: Array<{ node: { name: string } }> };
	};
}

/**
 * n8n stores run data with `flatted` (objects and strings in one array, referenced by index) so that
 * it may hold cycles; the REST API hands it over the same way. Entry 0 is the root.
 */
export function unflatten(text: string): unknown {
	const entries = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const revive = (index: number): unknown => {
		const entry = entries[index];
		if (typeof entry !== 'object' || entry === null) return entry;
		if (revived.has(index)) return revived.get(index);
		const out: Record<string, unknown> | unknown[] = Array.isArray(entry) ? [] : {};
		revived.set(index, out);
		for (const [key, value] of Object.entries(entry)) {
			(out as Record<string, unknown>)[key] =
				typeof value === 'string' ? revive(Number(value)) : value;
		}
		return out;
	};
	return revive(0);
}

function expectOk(what: string, answer: { status: number; text: string }): void {
	if (answer.status !== 200) {
		throw new Error(`${what} answered ${answer.status}: ${answer.text.slice(0, 1000)}`);
	}
}

/** Runs a saved workflow from one of its triggers, as "Execute workflow" in the editor does. */
export async function runWorkflow(
	server: RunningN8n,
	workflowId: string,
	trigger: string,
): Promise<string> {
	const answer = await server.request('POST', `/rest/workflows/${workflowId}/run`, {
		triggerToStartFrom: { name: trigger },
	});
	expectOk(`running workflow ${workflowId}`, answer);
	const id = (answer.body as { data?: { executionId?: string } }).data?.executionId;
	if (!id) throw new Error(`running workflow ${workflowId} gave no execution id: ${answer.text}`);
	return id;
}

export async function getExecution(server: RunningN8n, id: string): Promise<SavedExecution> {
	const answer = await server.request('GET', `/rest/executions/${id}`);
	expectOk(`execution ${id}`, answer);
	const raw = (answer.body as { data: Omit<SavedExecution, 'data'> & { data: string } }).data;
	return { ...raw, data: unflatten(raw.data) as SavedExecution['data'] };
}

/** The statuses the executions list shows, by id. */
export async function listStatuses(server: RunningN8n): Promise<Record<string, string>> {
	const answer = await server.request('GET', '/rest/executions');
	expectOk('the executions list', answer);
	const { results } = (answer.body as { data: { results: Array<{ id: string; status: string }> } })
		.data;
	return Object.fromEntries(results.map((e) => [e.id, e.status]));
}

/** Polls until the execution's status is one of `statuses`; fails with the last one seen. */
export async function waitForStatus(
	server: RunningN8n,
	id: string,
	statuses: string[],
	timeoutMs: number,
): Promise<SavedExecution> {
	const deadline = Date.now() + timeoutMs;
	let last: SavedExecution | undefined;
	while (Date.now() < deadline) {
		last = await getExecution(server, id);
		if (statuses.includes(last.status)) return last;
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(
		`execution ${id} did not reach ${statuses.join('/')} within ${timeoutMs} ms (last: ${last?.status})`,
	);
}

/**
 * "Retry" in the executions list: from the node that failed, with the earlier nodes' saved output.
 * `loadWorkflow` true is "Retry with currently saved workflow", false "with original workflow".
 * n8n answers once the retry has ended.
 */
export async function retryExecution(
	server: RunningN8n,
	id: string,
	loadWorkflow: boolean,
): Promise<{ id: string; status: string; data: RunJson['data'] }> {
	const answer = await server.request('POST', `/rest/executions/${id}/retry`, { loadWorkflow });
	expectOk(`retrying execution ${id}`, answer);
	return (answer.body as { data: { id: string; status: string; data: RunJson['data'] } }).data;
}
