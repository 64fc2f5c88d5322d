import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

export interface ErrorContext {
	node: INode;
	baseUrl: string;
	credentialName: string;
	/** Only used to scrub it from anything shown; never printed. */
	secret: string;
	itemIndex?: number;
	taskId?: string;
}

export interface ApiErrorBody {
	message?: string;
	code?: string;
	type?: string;
	param?: string;
}

/** OpenAI-style `{ error: { message, type, param, code } }`, or whatever else the server said. */
export function readApiError(body: unknown): ApiErrorBody {
	if (typeof body === 'string') return { message: body.trim().slice(0, 300) || undefined };
	if (typeof body !== 'object' || body === null) return {};
	const outer = body as IDataObject;
	const inner =
		typeof outer.error === 'object' && outer.error !== null ? (outer.error as IDataObject) : outer;
	const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
	return {
		message: str(inner.message) ?? str(outer.message) ?? str(outer.error),
		code: str(inner.code) ?? (typeof inner.code === 'number' ? String(inner.code) : undefined),
		type: str(inner.type),
		param: str(inner.param),
	};
}

/** The code OctopusX gives a submit refused because the key already runs as many tasks as it may. */
export const CONCURRENCY_LIMIT_CODE = 'token_concurrency_limit_reached';

/** Removes the API key from any text that may be shown (servers sometimes echo what they refused). */
export function redact(text: string, secret: string): string {
	if (!secret || secret.length < 4) return text;
	return text.split(secret).join('[redacted]');
}

function taskPart(ctx: ErrorContext): string {
	return ctx.taskId ? ` (task ${ctx.taskId})` : '';
}

/** Builds the error shown to the user. The task id, where one exists, is in the message and the context. */
export function octopusError(
	ctx: ErrorContext,
	message: string,
	description: string,
	extra: { httpCode?: number; api?: ApiErrorBody } = {},
): NodeApiError {
	const clean = (s: string) => redact(s, ctx.secret);
	const response: JsonObject = {
		message: clean(message),
		description: clean(description),
	};
	if (extra.api?.code) response.code = extra.api.code;
	const error = new NodeApiError(ctx.node, response, {
		message: clean(message),
		description: clean(description),
		httpCode: extra.httpCode === undefined ? undefined : String(extra.httpCode),
		itemIndex: ctx.itemIndex,
	});
	// NodeApiError swaps a message that mentions ECONNRESET, ETIMEDOUT, ECONNREFUSED... for n8n's
	// generic text ("you can retry the request immediately", "use Retry On Fail"): wrong advice after
	// a paid submit, and it drops the task id and the base URL. Keep ours.
	error.message = clean(message);
	// Given no HTTP status, NodeApiError takes the response's `code` for one ("generation_failed" for a
	// failed task): an error that came with no HTTP failure has no HTTP code.
	if (extra.httpCode === undefined) error.httpCode = null;
	if (ctx.taskId) error.context.taskId = ctx.taskId;
	if (extra.api?.code) error.context.apiCode = extra.api.code;
	if (extra.api?.message) error.context.apiMessage = clean(extra.api.message);
	return error;
}

/** A status answer that is not one (not JSON, or no status word), `times` answers in a row. */
export function unreadableStatusError(
	ctx: ErrorContext,
	body: unknown,
	times: number,
): NodeApiError {
	const what = typeof body === 'string' ? 'not JSON' : "no 'status' field";
	return octopusError(
		ctx,
		`OctopusX's status answer for task ${ctx.taskId} could not be read (${what}, ${times} times in a row)`,
		`The task itself may be fine. Check it later with Get Status and task ID ${ctx.taskId}; if the answers stay unreadable, check that the credential's Base URL (${ctx.baseUrl}) is the OctopusX API and not a proxy page.`,
	);
}

/** An error answer (non-2xx) from the OctopusX API, to a submit or to a status check. */
export function errorFromAnswer(
	ctx: ErrorContext,
	submit: boolean,
	status: number,
	body: unknown,
): NodeApiError {
	const api = readApiError(body);
	const said = api.message ? `: ${api.message}` : '';
	const code = api.code ? ` [${api.code}]` : '';
	const extra = { httpCode: status, api };
	const t = taskPart(ctx);

	if (status === 401 || status === 403) {
		return octopusError(
			ctx,
			`OctopusX refused the API key of credential '${ctx.credentialName}' (HTTP ${status})${t}`,
			`The API key was refused${said ? ` with '${api.message}'` : ''}. Open the credential '${ctx.credentialName}', paste a valid key from your OctopusX account and use 'Test' there; check that its Base URL (${ctx.baseUrl}) is the OctopusX API.`,
			extra,
		);
	}
	if (status === 404 && !submit && ctx.taskId) {
		return octopusError(
			ctx,
			`OctopusX has no task '${ctx.taskId}' (HTTP 404)`,
			`Check the Task ID: it must be the 'id' that Submit returned, made with the same API key and Base URL (${ctx.baseUrl}).${said ? ` The API said${said}${code}.` : ''}`,
			extra,
		);
	}
	if (submit && (status === 400 || status === 413 || status === 422)) {
		return octopusError(
			ctx,
			`OctopusX rejected the request${api.param ? ` (field '${api.param}')` : ''}${said}`,
			`Nothing was created and nothing was charged. Fix the ${api.param ? `'${api.param}' ` : ''}parameter and run the item again.${code ? ` Error code${code}.` : ''}`,
			extra,
		);
	}
	if (status === 429) {
		return octopusError(
			ctx,
			`OctopusX is rate limiting this API key (HTTP 429)${t}${said}`,
			submit
				? 'The node waited and retried, but the limit did not lift. No task was created for this item. Run fewer videos at once, or try again later.'
				: 'The node waited and retried, but the limit did not lift. The task is unaffected: check it again later with Get Status.',
			extra,
		);
	}
	return octopusError(
		ctx,
		`OctopusX answered HTTP ${status}${t}${said}${code}`,
		submit
			? 'Try again later. If it persists, check the OctopusX status page.'
			: `The task itself is unaffected. Check it again later with Get Status and this task ID.`,
		extra,
	);
}
