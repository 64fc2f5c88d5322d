/**
 * What the node needs of a Node.js Readable. Node code may not import Node's `stream` module, so
 * the streams themselves are made from the classes of streams n8n hands over.
 */
export interface ByteStream {
	pipe: (destination: never) => unknown;
	on: (event: string, listener: (...args: never[]) => void) => unknown;
	destroy: (error?: Error) => unknown;
}

/** A request body read from a stream whose length is known before the first byte. */
export interface StreamBody {
	stream: ByteStream;
	/** Sent as Content-Length: the server can tell a body cut short from a complete one. */
	length: number;
	/** Why the body stopped before its end, once it has (the request was then cut off by it). */
	failure: () => BodyFailure | undefined;
}

/**
 * Opens a body for one attempt. A stream can be read only once, so a request that is sent again
 * (after a 429, a refused connection) calls this again for a fresh one. Where no stream can be
 * made the body comes as one buffer; where the body cannot be had at all, why not.
 */
export type BodySource = () => Promise<StreamBody | Buffer | BodyFailure>;

/** A body that could not be read to its end; the request it was feeding was cut off. */
export class BodyFailure extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}
}

export function isStreamBody(body: unknown): body is StreamBody {
	return typeof (body as StreamBody | undefined)?.stream?.pipe === 'function';
}
