import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/**
 * Whether the node runs as an AI Agent's tool. n8n registers every `usableAsTool` node a second
 * time as `<type>Tool`, and its own `@tool` display option tests the same name.
 */
export function runsAsTool(fn: IExecuteFunctions): boolean {
	return fn.getNode().type.endsWith('Tool');
}

/** The model's argument behind a parameter: the key of its `$fromAI(...)`, if the model fills it. */
export function fromAiKey(rawParameter: unknown): string | undefined {
	if (typeof rawParameter !== 'string') return undefined;
	return /\$fromAI\(\s*['"`]([A-Za-z0-9_-]+)['"`]/.exec(rawParameter)?.[1];
}

/**
 * An error about a parameter, worded for the model when the model filled it: the model knows its
 * arguments (`duration_seconds`), not the editor's labels ("Duration (Seconds)"), and corrects the
 * argument it can name. Undefined when the node is not a tool or the parameter is fixed by the user.
 */
export function errorForModel(
	fn: IExecuteFunctions,
	parameterName: string,
	label: string,
	message: string,
	description: string | undefined,
): { message: string; description: string } | undefined {
	if (!runsAsTool(fn)) return undefined;
	const argument = fromAiKey(fn.getNode().parameters[parameterName]);
	if (!argument) return undefined;
	return wordForModel(argument, label, message, description);
}

/** The pure part of errorForModel: the argument named where the message names the label. */
export function wordForModel(
	argument: string,
	label: string,
	message: string,
	description: string | undefined,
): { message: string; description: string } {
	const quoted = [`'${label}'`, `"${label}"`].find((q) => message.includes(q));
	const named = quoted
		? message.replace(quoted, `Argument '${argument}'`)
		: `Argument '${argument}': ${message}`;
	const where = `Call the tool again with a corrected '${argument}' (the editor calls this parameter '${label}').`;
	return {
		message: named,
		description: description ? `${description} ${where}` : where,
	};
}

/**
 * A parameter value that the AI Agent's model fills. The description is what the model reads about
 * the argument, so it says what to put there, not how the node works. Quotes and backticks are kept
 * out of descriptions: n8n parses this expression back to build the tool's schema. The comment is the
 * marker n8n's editor writes for "Let the model define this parameter": with it the editor shows the
 * field as defined by the model, with a button to take it back.
 */
export function fromAi(key: string, description: string, type: 'string' | 'number'): string {
	return `={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('${key}', \`${description}\`, '${type}') }}`;
}

/**
 * The tool's description, what the model reads to decide when to call it. n8n's own "Set
 * Automatically" would give every operation the node's general description (it only tells operations
 * apart by a resource), so the node brings one per operation; n8n then adds no description field of
 * its own, and the user can still edit this one.
 */
const TOOL_DESCRIPTIONS: Record<string, string> = {
	submit:
		"Generates a new video from a public MP4 URL and a prompt, keeping the source video’s camera path, timing and motion. Unless 'Wait for Completion' is off, it returns when the video is ready: task_id, status, progress and video_url (a link to the finished MP4). A paid task: call it once per video the user asks for.",
	getStatus:
		'Looks up an OctopusX video task by its task_id and returns task_id, status (queued, in_progress, completed, failed), progress and, once completed, video_url. Free: use it to check on a task started earlier.',
	waitUntilDone:
		'Waits until an OctopusX video task, given by its task_id, is finished and returns task_id, status, progress and video_url. Free, but can take minutes.',
};

export const toolDescriptionProperties: INodeProperties[] = Object.entries(TOOL_DESCRIPTIONS).map(
	([operation, text]) => ({
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 3 },
		default: text,
		description:
			'What the AI Agent’s model reads about this tool, to decide when and how to call it',
		displayOptions: { show: { '@tool': [true], operation: [operation] } },
	}),
);
