/**
 * The submit body as it was before it was streamed, for the benchmark only: the whole JSON body with
 * the data URI built in one buffer (jsonBodyWithDataUri.ts), the file read from n8n's binary store
 * in 256 KiB chunks. `useBufferedBody()` makes the built node (dist/) send that instead of its
 * stream, so both are measured by the same engine run in the same benchmark.
 */
import { join } from 'node:path';

import type { IExecuteFunctions } from 'n8n-workflow';

import type * as BinaryReference from '../../nodes/OctopusX/reference/binaryReference';
import type * as StreamedBody from '../../nodes/OctopusX/reference/streamedBody';
import { JsonBodyWithDataUri } from './jsonBodyWithDataUri';

const READ_CHUNK_BYTES = 256 * 1024;

const DIST = join(__dirname, '..', '..', 'dist', 'nodes', 'OctopusX');

/** Encodes the checked reference into the request body, reading it from n8n's binary store piece by piece. */
export async function encodeBinaryReference(
	fn: IExecuteFunctions,
	reference: BinaryReference.BinaryReference,
	body: JsonBodyWithDataUri,
): Promise<void> {
	if (reference.inMemory) {
		body.write(reference.inMemory);
		return;
	}
	const id = reference.binary.id as string;
	const stream = await fn.helpers.getBinaryStream(id, READ_CHUNK_BYTES);
	// A file store's stream reads every chunk into a fresh buffer of its own, which nothing else keeps.
	const ownChunks = /^filesystem(-v2)?:/.test(id);
	for await (const chunk of stream) {
		body.write(chunk as Uint8Array);
		if (ownChunks) release(chunk as Uint8Array);
	}
}

type Transferable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };

function release(chunk: Uint8Array): void {
	const buffer = chunk.buffer as Transferable;
	if (
		typeof buffer.transfer === 'function' &&
		chunk.byteOffset === 0 &&
		chunk.byteLength === buffer.byteLength
	) {
		buffer.transfer(0);
	}
}

/** Today's buffered body in place of the built node's stream, in this process. */
export function useBufferedBody(): void {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const built = require(join(DIST, 'reference', 'streamedBody')) as typeof StreamedBody;
	const buffered: typeof StreamedBody.referenceBody = (fn, reference, fields, videoField) => {
		return async () => {
			const body = new JsonBodyWithDataUri(fields, videoField, reference.bytes);
			await encodeBinaryReference(fn, reference, body);
			return body.finish();
		};
	};
	built.referenceBody = buffered;
}
