import type { IDataObject } from 'n8n-workflow';

/** Where a task stands, whatever word the API used for it. */
export type TaskState = 'running' | 'succeeded' | 'failed';

export interface TaskStatus {
	id: string;
	/** The API's own status word, shown to the user as it came. */
	status: string;
	state: TaskState;
	progress?: number;
	videoUrl?: string;
	errorMessage?: string;
	errorCode?: string;
	/** The answer as the user sees it in the output: the API's object, with `video_url` filled in. */
	json: IDataObject;
}

const SUCCEEDED = new Set(['completed', 'succeeded', 'success']);
const FAILED = new Set(['failed', 'cancelled', 'canceled', 'error']);

export function stateOf(status: string): TaskState {
	const word = status.trim().toLowerCase();
	if (SUCCEEDED.has(word)) return 'succeeded';
	if (FAILED.has(word)) return 'failed';
	// Unknown words (queued, in_progress, processing, anything new) mean "not finished yet".
	return 'running';
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Some models put the result in `data[0].url` instead of `video_url`. */
function resultUrl(answer: IDataObject): string | undefined {
	const direct = nonEmptyString(answer.video_url);
	if (direct) return direct;
	const data = answer.data;
	if (Array.isArray(data) && isObject(data[0])) return nonEmptyString(data[0].url);
	return undefined;
}

/**
 * Reads a status answer. Returns undefined when it is not one (not an object, or no status word):
 * the caller treats that as a malformed answer.
 */
export function readTaskStatus(answer: unknown, requestedId: string): TaskStatus | undefined {
	if (!isObject(answer)) return undefined;
	const status = nonEmptyString(answer.status);
	if (!status) return undefined;

	const id = nonEmptyString(answer.id) ?? nonEmptyString(answer.task_id) ?? requestedId;
	const videoUrl = resultUrl(answer);
	const progress = typeof answer.progress === 'number' ? answer.progress : undefined;
	const error = isObject(answer.error) ? answer.error : undefined;
	const errorMessage =
		nonEmptyString(error?.message) ?? (typeof answer.error === 'string' ? answer.error : undefined);
	const errorCode =
		error?.code === undefined || error.code === null ? undefined : String(error.code);

	const json: IDataObject = { ...answer, id, task_id: nonEmptyString(answer.task_id) ?? id };
	if (videoUrl) json.video_url = videoUrl;

	return { id, status, state: stateOf(status), progress, videoUrl, errorMessage, errorCode, json };
}
