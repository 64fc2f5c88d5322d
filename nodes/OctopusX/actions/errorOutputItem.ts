import type { IDataObject } from 'n8n-workflow';
import { version } from 'n8n-workflow/package.json';

/**
 * n8n moves an item to the error output ("Continue (using error output)") by the shape of its JSON:
 * `{ error }` or `{ error, message }`, and since n8n 2.34.6, 2.35.3 and 2.36.0 also with `details`; any other
 * item stays on the success output, as if it had worked. A node cannot ask the engine which rule it applies,
 * but the change (n8n-io/n8n#35939) also noted the rule in n8n-workflow, which n8n pins per release: 2.34.3,
 * 2.35.1 and 2.36.0 are the first n8n-workflow releases of their lines that ship with the wider rule.
 */
export function hasNarrowErrorOutputRule(workflowVersion: string): boolean {
	const [major, minor, patch] = workflowVersion.split('.').map(Number);
	const firstWidePatch = ({ 34: 3, 35: 1 } as Record<number, number>)[minor] ?? Infinity;
	return major < 2 || (major === 2 && minor < 36 && patch < firstWidePatch);
}

const NARROW_RULE = hasNarrowErrorOutputRule(version);

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
