/**
 * Freeing the pieces n8n's binary store hands over, as soon as the node is done with them, rather
 * than at the next garbage collection (which V8 starts only after tens of megabytes of them).
 */

/**
 * Stores whose stream gives the reader buffers nobody else holds: `filesystem` reads every piece into
 * a fresh buffer, `database` loads the file from the database into a fresh buffer per read. A view
 * into anything shared (the in-memory mode's item data, a store that caches) is never freed.
 */
export function storeGivesOwnBuffers(binaryDataId: string): boolean {
	return /^(filesystem(-v2)?|database):/.test(binaryDataId);
}

type Transferable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };

/** A message port closed at once: what is transferred to it is detached and dropped. */
let discardPort: { postMessage(value: null, transfer: ArrayBuffer[]): void } | undefined;

/**
 * Frees a chunk's memory now. Only a chunk that is a whole buffer of its own is freed, never a view
 * into a larger one; the chunk reads as empty afterwards.
 *
 * `ArrayBuffer.prototype.transfer` (Node 21+) moves the bytes into a zero-length buffer, so the old
 * memory is released at once. Node 20 lacks it; there the buffer is transferred to a closed message
 * port: a transfer detaches the buffer before the message is sent, and a closed port drops the
 * message, so the memory is released as the call returns (HTML's "message port post message
 * steps", which Node's MessagePort follows).
 */
export function freeChunk(chunk: Uint8Array): void {
	const buffer = chunk.buffer as Transferable;
	if (chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength || buffer.byteLength === 0) {
		return;
	}
	if (typeof buffer.transfer === 'function') {
		buffer.transfer(0);
		return;
	}
	if (!discardPort && typeof MessageChannel === 'function') {
		const { port1 } = new MessageChannel();
		port1.close();
		discardPort = port1 as unknown as typeof discardPort;
	}
	discardPort?.postMessage(null, [buffer]);
}
