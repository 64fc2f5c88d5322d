import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { BodySource, ByteStream, StreamBody } from '../transport/requestBody';
import { BodyFailure } from '../transport/requestBody';
import type { UploadLane } from '../transport/uploadLane';
import type { BinaryReference } from './binaryReference';
import { unreadableStoredFile } from './binaryReference';
import type { DataUriFrame } from './dataUriBody';
import { Base64Pieces, base64Room, dataUriFrame, SizeMismatch } from './dataUriBody';
import { freeChunk, storeGivesOwnBuffers } from './freeChunk';

/**
 * The file is read and encoded this many bytes at a time: a multiple of 3 (no carry between reads)
 * and of 4 (every piece starts aligned for the word-wise encoder). Fewer, larger pieces cost less
 * CPU per file (each one passes several streams and a system call); every upload holds about
 * 6 pieces' worth (a read ahead, the one being encoded, the encoded buffers), so this also sets its
 * memory (docs/streamed-upload.md has both figures).
 */
export const PIECE_BYTES = 288 * 1024;

/**
 * Encoded pieces are written into this many buffers in turn (1.5 MiB in all), so a file of any size
 * leaves no garbage behind: a new buffer per piece is freed only at a collection, after tens of
 * megabytes. A buffer is written again only once the request is done with the piece it held (see
 * `requestProgress`), so this count bounds how far encoding runs ahead of the socket, not whether
 * the body arrives intact.
 */
const OUTPUT_BUFFERS = 4;

/** Resolves once the request is done with the body's bytes before `upTo`. */
type Progress = (upTo: number) => Promise<void>;
type Callback = (error?: unknown) => void;
/** What paces the encoding: the request's progress (once the stream is piped), the run's lane. */
interface Pacing {
	sent?: Progress;
	lane?: UploadLane;
}

/**
 * The request body of a submit with the reference video inlined as a data URI, opened afresh for
 * every attempt: the JSON head, the video read from n8n's binary store and base64-encoded piece by
 * piece, the tail, with its exact length announced. Memory stays a few pieces whatever the file's size.
 *
 * A file that turns out shorter or longer than the size checked before sending fails the stream
 * before the tail is sent: the request is cut off, the server sees an incomplete body and creates
 * nothing, and the error says what happened.
 */
export function referenceBody(
	fn: IExecuteFunctions,
	reference: BinaryReference,
	fields: IDataObject,
	videoField: string,
	lane?: UploadLane,
): BodySource {
	const frame = dataUriFrame(fields, videoField, reference.bytes);
	const explain = (error: unknown) => bodyFailure(reference, error);
	return async () => {
		if (reference.inMemory) {
			// n8n's in-memory binary mode: the file is already whole in memory and n8n gives no stream
			// (nor a stream class to make one from), so the body is built as one buffer.
			return await collect(
				frame,
				encoded(frame, reference.bytes, [reference.inMemory], false, {}, explain),
				explain,
			);
		}
		const id = reference.binary.id as string;
		let source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
		let streamOfStore: unknown;
		const kept = reference.readByCheck;
		if (kept) {
			// The whole file the check read (one item, a store of whole files): sent once, then dropped.
			reference.readByCheck = undefined;
			source = [kept.file];
			streamOfStore = kept.stream;
		} else {
			try {
				source = streamOfStore = await fn.helpers.getBinaryStream(id, PIECE_BYTES);
			} catch (error) {
				const { message, description } = unreadableStoredFile(reference.propertyName, id, error);
				return new BodyFailure(message, description);
			}
		}
		const ownChunks = storeGivesOwnBuffers(id);
		let failure: BodyFailure | undefined;
		const pacing: Pacing = { lane };
		const pieces = encoded(frame, reference.bytes, source, ownChunks, pacing, (error) => {
			failure = explain(error);
			return failure;
		});
		const makeStream = streamMakerOf(streamOfStore);
		if (!makeStream) return await collect(frame, pieces, explain);

		const stream = makeStream(pieces);
		pacing.sent = requestProgress(stream);
		return { stream, length: frame.length, failure: () => failure } satisfies StreamBody;
	};
}

/**
 * The body's bytes in order. Throws what `explain` makes of the problem (before the tail) when the
 * file cannot be read to its end or its size is not the announced one.
 */
async function* encoded(
	frame: DataUriFrame,
	announced: number,
	source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
	ownChunks: boolean,
	pacing: Pacing,
	explain: (error: unknown) => BodyFailure,
): AsyncGenerator<Buffer> {
	const ticket = pacing.lane?.join();
	try {
		await ticket?.begin();
		yield frame.head;
		const base64 = new Base64Pieces(announced);
		const outputs: Buffer[] = [];
		// Where in the body the piece each buffer holds ends.
		const ends: number[] = [];
		let turn = 0;
		let offset = frame.head.length;
		for await (const chunk of source) {
			// Some stores hand the whole file over as one chunk (n8n's database mode does).
			for (let at = 0; at < chunk.length; at += PIECE_BYTES) {
				const slot = turn++ % OUTPUT_BUFFERS;
				await pacing.sent?.(ends[slot] ?? 0);
				ticket?.handedOver(offset);
				const out = (outputs[slot] ??= Buffer.allocUnsafeSlow(base64Room(PIECE_BYTES)));
				const written = base64.next(chunk.subarray(at, at + PIECE_BYTES), out);
				ends[slot] = offset += written;
				if (written > 0) yield out.subarray(0, written);
			}
			if (ownChunks) freeChunk(chunk);
		}
		yield base64.end();
		yield frame.tail;
	} catch (error) {
		throw explain(error);
	} finally {
		ticket?.leave();
	}
}

interface Stage {
	pipe: (next: Stage, options?: unknown) => unknown;
	read?: unknown;
	write: (chunk: Uint8Array, ...encodingAndCallback: unknown[]) => boolean;
	once: (event: 'close', listener: () => void) => unknown;
}

/**
 * `sent(upTo)` resolves once the request is done with the body's bytes before `upTo`: its write
 * callback comes once it and all under it (TLS, TCP, a proxy tunnel being opened) are done with a
 * chunk. The pipes are followed to it through every stage that passes chunks on (axios 1.18+ puts a
 * byte counter in between, whose callback comes while the chunk may still wait below). Read as an
 * iterator (not piped), the body is held by nobody past the next pull.
 */
function requestProgress(stream: ByteStream): Progress {
	let sent = Infinity;
	let wake = () => {};
	const count = (bytes: number) => {
		sent += bytes;
		wake();
	};
	const follow = (source: Stage) => {
		const pipe = source.pipe.bind(source);
		source.pipe = (next, options) => {
			if (source === (stream as unknown)) sent = 0;
			if (typeof next.read === 'function') follow(next);
			else {
				const write = next.write.bind(next);
				next.write = (chunk, ...rest) => {
					const done = typeof rest.at(-1) === 'function' ? (rest.pop() as Callback) : undefined;
					return write(chunk, ...rest, (error?: unknown) => {
						count(chunk.length);
						done?.(error);
					});
				};
				// A closed request reads no more.
				next.once('close', () => count(Infinity));
			}
			return pipe(next, options);
		};
	};
	follow(stream as unknown as Stage);
	return async (upTo) => {
		while (sent < upTo) await new Promise<void>((resolve) => (wake = resolve));
	};
}

/** The whole body in one buffer of its final size, for where no stream can be made. */
async function collect(
	frame: DataUriFrame,
	pieces: AsyncIterable<Buffer>,
	explain: (error: unknown) => BodyFailure,
): Promise<Buffer | BodyFailure> {
	const body = Buffer.allocUnsafe(frame.length);
	let at = 0;
	try {
		for await (const piece of pieces) {
			body.set(piece, at);
			at += piece.length;
		}
	} catch (error) {
		return explain(error);
	}
	return body;
}

/**
 * `Readable.from`, reached through the class of the stream n8n returned for the file (every
 * Node.js stream class inherits it), since node code may not import Node's `stream` module.
 */
function streamMakerOf(
	source: unknown,
): ((pieces: AsyncIterable<Buffer>) => ByteStream) | undefined {
	const type = (source as { constructor?: { from?: unknown } } | undefined)?.constructor;
	const from = type?.from as ((...args: unknown[]) => ByteStream) | undefined;
	if (typeof from !== 'function' || typeof (source as ByteStream).pipe !== 'function') return;
	// Reads ahead no more than one piece.
	return (pieces) => from.call(type, pieces, { objectMode: false, highWaterMark: 1 });
}

function bodyFailure(reference: BinaryReference, error: unknown): BodyFailure {
	if (error instanceof BodyFailure) return error;
	const file = reference.fileName
		? `'${reference.fileName}' in Input Binary Field '${reference.propertyName}'`
		: `in Input Binary Field '${reference.propertyName}'`;
	const cutOff =
		'The request was cut off before its end, so OctopusX received an incomplete body and created no task; nothing was charged.';
	if (error instanceof SizeMismatch) {
		return new BodyFailure(
			`The file ${file} changed while it was being sent: ${error.longer ? 'it is longer' : 'it is shorter'} than the ${error.announced} bytes n8n recorded for it`,
			`${cutOff} ${error.message}. Something rewrote the file after the previous node stored it; make sure nothing changes it while the workflow runs, then run this item again.`,
		);
	}
	const reason = error instanceof Error ? error.message : String(error);
	return new BodyFailure(
		`The file ${file} could not be read to its end (${reason})`,
		`${cutOff} Check that n8n's binary data storage is reachable from this instance, then run this item again.`,
	);
}
