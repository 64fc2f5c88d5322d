import type { IBinaryData, IDataObject, IExecuteFunctions, Logger } from 'n8n-workflow';

import type { LineOrigin, LogLine, ReferenceFacts } from './logLines';
import { TASK_COUNT_KEY, TASK_IDS_KEY, withTaskId } from './customDataValue';

/**
 * What the run did, told to n8n: log lines through n8n's logger (its console, log file and log
 * streaming) and the created task ids as execution custom data. The operations hand over plain
 * facts; the wording is in logLines.ts. Nothing here may break a run: on an n8n without a logger
 * or custom data in this context, it says nothing.
 */

type WithRecordTools = IExecuteFunctions & {
	logger?: Logger;
	customData?: IExecuteFunctions['customData'];
};

export function originOf(fn: IExecuteFunctions, itemIndex: number, taskId?: string): LineOrigin {
	return {
		workflowId: fn.getWorkflow().id ?? 'unsaved',
		executionId: fn.getExecutionId() ?? 'none',
		nodeName: fn.getNode().name,
		itemIndex,
		taskId,
	};
}

/** Writes one line: `log(fn, taskSubmitted, itemIndex, taskId, { ...facts })`. */
export function log<F>(
	fn: IExecuteFunctions,
	make: (origin: LineOrigin, facts: F) => LogLine,
	itemIndex: number,
	taskId: string | undefined,
	facts: F,
): void {
	const logger = (fn as WithRecordTools).logger;
	if (!logger) return;
	const { level, message, meta } = make(originOf(fn, itemIndex, taskId), facts);
	try {
		logger[level](message, meta);
	} catch {
		// A log line is never worth failing a paid run for.
	}
}

type CustomData = IExecuteFunctions['customData'];

/**
 * The execution's custom data. n8n 1.x and 2.0 give a node no `this.customData`, only expressions'
 * `$execution.customData`, which the node reaches through its data proxy; chosen by what the
 * context has, not by n8n's version.
 */
function customDataOf(fn: IExecuteFunctions, itemIndex: number): CustomData | undefined {
	const own = (fn as WithRecordTools).customData;
	if (own) return own;
	const execution = fn.getWorkflowDataProxy(itemIndex).$execution as
		{ customData?: CustomData } | undefined;
	return execution?.customData;
}

/** Adds a created task to the execution's custom data (see customDataValue.ts for the limits). */
export function rememberTask(fn: IExecuteFunctions, itemIndex: number, taskId: string): void {
	try {
		const customData = customDataOf(fn, itemIndex);
		if (!customData) return;
		const next = withTaskId(customData.get(TASK_IDS_KEY), customData.get(TASK_COUNT_KEY), taskId);
		// The ids first: with only one key left under n8n's limit of 10, they matter more.
		customData.set(TASK_IDS_KEY, next.ids);
		customData.set(TASK_COUNT_KEY, String(next.count));
	} catch {
		// An execution context without run data (n8n throws on access): the log lines still name the task.
	}
}

/** The facts of a submit worth logging, from the request body's fields: never the prompt's text. */
export function submitFacts(
	fields: IDataObject,
	videoField: string | undefined,
	binaryBytes: number | undefined,
): { model: string; reference: ReferenceFacts; promptChars: number } {
	let reference: ReferenceFacts = { kind: 'none' };
	if (binaryBytes !== undefined) reference = { kind: 'binary', bytes: binaryBytes };
	else if (videoField && typeof fields[videoField] === 'string') {
		let host = 'an unreadable address';
		try {
			host = new URL(fields[videoField] as string).host;
		} catch {
			// checked before the submit; kept as text only for the log
		}
		reference = { kind: 'url', host };
	}
	return {
		model: String(fields.model),
		reference,
		promptChars: typeof fields.prompt === 'string' ? fields.prompt.length : 0,
	};
}

/** Milliseconds since OctopusX created the task (`created_at`, Unix seconds), when the answer says. */
export function msSinceCreated(task: IDataObject): number | undefined {
	const created = Number(task.created_at);
	if (!Number.isFinite(created) || created <= 0) return undefined;
	return Math.max(0, Date.now() - created * 1000);
}

/**
 * A stored file's size. n8n 1.x sets no `bytes` on binaries kept in memory: there the base64 text's
 * length gives it without decoding. Undefined where neither says (the line then omits the size).
 */
export function binaryBytes(binary: IBinaryData | undefined): number | undefined {
	if (!binary) return undefined;
	if (typeof binary.bytes === 'number') return binary.bytes;
	if (binary.id || typeof binary.data !== 'string') return undefined;
	const padding = binary.data.endsWith('==') ? 2 : binary.data.endsWith('=') ? 1 : 0;
	return (binary.data.length / 4) * 3 - padding;
}

/**
 * The downloaded video's size for the log: binaryBytes, else what n8n's binary store says of the
 * file (n8n 1.x and 2.0 set no `bytes` on stored files). Undefined when neither tells.
 */
export async function videoSize(
	fn: IExecuteFunctions,
	binary: IBinaryData | undefined,
): Promise<number | undefined> {
	const known = binaryBytes(binary);
	if (known !== undefined || !binary?.id) return known;
	try {
		return (await fn.helpers.getBinaryMetadata(binary.id)).fileSize;
	} catch {
		return undefined;
	}
}
