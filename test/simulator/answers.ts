/** What a handler answers, and the OpenAI-style error shape used on every API route. */

export interface Answer {
	status: number;
	headers?: Record<string, string | number>;
	/** A small body, sent as is. */
	body?: Buffer;
	/** A large body made on demand (result files); `size` bytes, read through `chunkAt`. */
	stream?: { size: number; chunkAt: (offset: number, length: number) => Buffer };
}

export function json(
	status: number,
	value: unknown,
	headers: Record<string, string | number> = {},
): Answer {
	return {
		status,
		headers: { 'content-type': 'application/json', ...headers },
		body: Buffer.from(JSON.stringify(value)),
	};
}

export function apiError(
	status: number,
	message: string,
	code: string | null,
	param: string | null = null,
	type = 'invalid_request_error',
	headers: Record<string, string | number> = {},
): Answer {
	return json(status, { error: { message, type, param, code } }, headers);
}

/** The CDN answers like an object store: XML errors. */
export function cdnError(status: number, code: string, message: string): Answer {
	return {
		status,
		headers: { 'content-type': 'application/xml' },
		body: Buffer.from(
			`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`,
		),
	};
}
