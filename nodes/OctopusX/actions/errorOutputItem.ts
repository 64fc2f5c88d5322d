import type { IDataObject } from 'n8n-workflow';
import * as workflow from 'n8n-workflow';

/**
 * n8n moves an item to the error output ("Continue (using error output)") by the shape of its JSON.
 * n8n 2.41 takes `error` with `message` and `details`; n8n 1.x and 2.x up to 2.30 at least take only
 * `{ error }` or `{ error, message }` and leave any other item on the success output, as if it had worked.
 * The node cannot ask the engine which rule it applies. Its n8n-workflow marks the older generation: every
 * release checked that has the narrow rule (1.123, 2.0, 2.20, 2.30) still exports `sleepWithAbort`, and
 * 2.41, with the wide rule, does not.
 */
export function hasNarrowErrorOutputRule(exports: object): boolean {
	return typeof (exports as { sleepWithAbort?: unknown }).sleepWithAbort === 'function';
}

const NARROW_RULE = hasNarrowErrorOutputRule(workflow);

/** What a failed item carries to the error output: the details as data, or as text where only that routes. */
export function errorOutputJson(
	message: string,
	details: IDataObject,
	narrowRule = NARROW_RULE,
): IDataObject {
	if (!narrowRule) return { error: message, details };
	const facts = [
		details.task_id ? `Task: ${String(details.task_id)}.` : '',
		details.http_code ? `HTTP ${String(details.http_code)}.` : '',
		details.code ? `Code: ${String(details.code)}.` : '',
	].filter(Boolean);
	const text = [details.description, facts.join(' ')].filter(Boolean).join('\n\n');
	return { error: message, message: text || message };
}
