import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { freeChunk, storeGivesOwnBuffers } from './freeChunk';
import { formatBytes } from '../record/logLines';
import { describeFileType, looksLikeMp4, MAX_REFERENCE_BYTES } from './limits';

/** A reference video found in an input item, checked and ready to be encoded. */
export interface BinaryReference {
	propertyName: string;
	bytes: number;
	fileName?: string;
	binary: IBinaryData;
	/** The whole file, kept only where n8n holds binaries in memory anyway. */
	inMemory?: Buffer;
	/**
	 * The whole file as the check read it, where the store can only hand over whole files (n8n's
	 * `database` mode) and the execution has one item: the first attempt sends it instead of reading
	 * the file a second time, and drops it. Every later attempt reads the file afresh.
	 */
	readByCheck?: { file: Buffer; stream: unknown };
}

const HEAD_BYTES = 16;

/**
 * The file's first bytes, to recognise an MP4. Read with a read size of just those bytes: a whole
 * chunk (and a copy of it) would otherwise stay in memory as garbage until the next collection. A
 * store that can only hand over the whole file (n8n's `database` mode) still does; that buffer is
 * freed here as soon as its first bytes are copied, or, with `keepWhole`, kept to be sent.
 */
async function readHead(
	fn: IExecuteFunctions,
	binaryDataId: string,
	bytes: number,
	keepWhole: boolean,
): Promise<{ head: Buffer; readByCheck?: BinaryReference['readByCheck'] }> {
	const stream = await fn.helpers.getBinaryStream(binaryDataId, HEAD_BYTES);
	const own = storeGivesOwnBuffers(binaryDataId);
	const head = Buffer.alloc(HEAD_BYTES);
	let got = 0;
	let readByCheck: BinaryReference['readByCheck'];
	try {
		for await (const chunk of stream) {
			const piece = (chunk as Uint8Array).subarray(0, HEAD_BYTES - got);
			head.set(piece, got);
			got += piece.length;
			// Only a first piece can be the whole file.
			if (own && keepWhole && (chunk as Buffer).length === bytes) {
				readByCheck = { file: chunk as Buffer, stream };
			} else if (own) {
				freeChunk(chunk as Uint8Array);
			}
			if (got === HEAD_BYTES) break;
		}
	} finally {
		stream.destroy();
	}
	return { head: head.subarray(0, got), readByCheck };
}

/**
 * Finds the item's binary field and checks it before anything is paid for: it exists, it is not
 * empty, it is an MP4 whatever MIME type it was given, and it fits the API's 15 MiB limit.
 * In filesystem mode only the first bytes are read here; the file is read once more, as it is sent.
 */
export async function checkBinaryReference(
	fn: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
): Promise<BinaryReference> {
	const fail = (message: string, description: string) =>
		new NodeOperationError(fn.getNode(), message, { itemIndex, description });

	const item = fn.getInputData()[itemIndex];
	if (!item?.binary?.[propertyName]) {
		const present = Object.keys(item?.binary ?? {});
		throw fail(
			`Input Binary Field '${propertyName}' not found [item ${itemIndex}]`,
			present.length > 0
				? `This item has the binary field(s) ${present.map((p) => `'${p}'`).join(', ')}. Set 'Input Binary Field' to the one holding the MP4.`
				: "This item carries no file. Put a node that outputs the MP4 as binary data (Read/Write Files from Disk, Google Drive, HTTP Request with 'File' response) before this one, or set 'Video Source' to 'Public URL'.",
		);
	}
	const binary = fn.helpers.assertBinaryData(itemIndex, propertyName);

	let bytes: number;
	let head: Buffer;
	let inMemory: Buffer | undefined;
	let readByCheck: BinaryReference['readByCheck'];
	if (binary.id) {
		const id = binary.id;
		try {
			bytes =
				typeof binary.bytes === 'number'
					? binary.bytes
					: (await fn.helpers.getBinaryMetadata(id)).fileSize;
			// With one item, nothing is read between this check and the send: a whole file read here is
			// worth keeping for it. With several, every item is checked before any is sent, and keeping
			// each file until its turn would hold them all.
			const keepWhole = bytes <= MAX_REFERENCE_BYTES && fn.getInputData().length === 1;
			({ head, readByCheck } =
				bytes > 0 ? await readHead(fn, id, bytes, keepWhole) : { head: Buffer.alloc(0) });
		} catch (error) {
			const { message, description } = unreadableStoredFile(propertyName, id, error);
			throw fail(message, description);
		}
	} else {
		inMemory = await fn.helpers.getBinaryDataBuffer(itemIndex, propertyName);
		bytes = inMemory.length;
		head = inMemory.subarray(0, 16);
	}

	const name = binary.fileName ? `'${binary.fileName}'` : `in field '${propertyName}'`;
	if (bytes === 0) {
		throw fail(
			`The file ${name} is empty`,
			`The file in 'Input Binary Field' ('${propertyName}') has 0 bytes. Check the node that produced it (a failed download often yields an empty file).`,
		);
	}
	if (!looksLikeMp4(head) && readByCheck) {
		freeChunk(readByCheck.file);
		readByCheck = undefined;
	}
	if (!looksLikeMp4(head)) {
		const kind = describeFileType(head);
		throw fail(
			`The file ${name} is not an MP4 video${kind === undefined ? '' : ` (it looks like ${kind})`}`,
			`OctopusX takes MP4 videos only, and this file's content is not MP4, whatever its name or declared type ('${binary.mimeType ?? 'unknown'}'). Convert it to MP4 (H.264) first, or point 'Input Binary Field' at the MP4.`,
		);
	}
	if (bytes > MAX_REFERENCE_BYTES) {
		throw fail(
			`The file ${name} is too large: ${formatBytes(bytes)}, the limit is 15 MiB (${MAX_REFERENCE_BYTES} bytes)`,
			`OctopusX accepts a reference video of at most 15 MiB; the file in 'Input Binary Field' ('${propertyName}') is larger. Compress or shorten it first, or upload it somewhere public and use 'Video Source: Public URL' instead.`,
		);
	}
	return { propertyName, bytes, fileName: binary.fileName, binary, inMemory, readByCheck };
}

/**
 * Why a file n8n says the item has cannot be read, and what to change. The usual cause is queue mode
 * with binaries kept on disk (`filesystem`): the instance that received the file stored it on its own
 * disk, and the worker running this node, on another host or with another user folder, has no such
 * file. n8n does not warn about that set-up, so the error has to.
 */
export function unreadableStoredFile(
	propertyName: string,
	binaryDataId: string,
	error: unknown,
): { message: string; description: string } {
	const mode = binaryDataId.split(':')[0];
	const reason = error instanceof Error ? error.message : String(error);
	const message = `The file in Input Binary Field '${propertyName}' cannot be read on this n8n instance (${reason})`;
	if (/^filesystem(-v2)?$/.test(mode)) {
		return {
			message,
			description:
				"n8n keeps binary files on the local disk here (binary data mode 'filesystem'), and this file is not on this instance's disk. " +
				'Likely cause: n8n runs in queue mode, the main instance received and stored the file, and a worker with its own disk runs this node. ' +
				'Fix: set N8N_DEFAULT_BINARY_DATA_MODE=database (the queue-mode default since n8n 2.0) on the main instance and every worker, then run the workflow again. ' +
				'Nothing was sent to OctopusX.',
		};
	}
	return {
		message,
		description: `n8n could not read the stored file ${JSON.stringify(binaryDataId)} (binary data mode '${mode}'). Check that every n8n instance uses the same binary data storage (N8N_DEFAULT_BINARY_DATA_MODE=database in queue mode). Nothing was sent to OctopusX.`,
	};
}
