import type { IDataObject } from 'n8n-workflow';

import { DATA_URI_PREFIX } from './limits';

export function base64Length(byteLength: number): number {
	return 4 * Math.ceil(byteLength / 3);
}

/**
 * The JSON request body around a reference video inlined as a data URI: the bytes before the
 * base64, the bytes after it, and the length of the whole, known before the first byte is read.
 */
export interface DataUriFrame {
	head: Buffer;
	tail: Buffer;
	/** head + 4 × ceil(videoBytes / 3) + tail: the request's Content-Length. */
	length: number;
}

export function dataUriFrame(
	fields: IDataObject,
	videoField: string,
	videoBytes: number,
): DataUriFrame {
	const { [videoField]: _ignored, ...rest } = fields;
	const json = JSON.stringify(rest);
	// `{...}` → `{...,"video":"data:video/mp4;base64,` + base64 + `"}`
	const head = Buffer.from(
		`${json.length > 2 ? json.slice(0, -1) + ',' : '{'}${JSON.stringify(videoField)}:"${DATA_URI_PREFIX}`,
	);
	const tail = Buffer.from('"}');
	return { head, tail, length: head.length + base64Length(videoBytes) + tail.length };
}

/** The video turned out to have another size than announced (and sent as Content-Length). */
export class SizeMismatch extends Error {
	constructor(
		readonly announced: number,
		/** How many bytes had arrived when the difference showed. */
		readonly seen: number,
		readonly longer: boolean,
	) {
		super(
			longer
				? `The file is longer than the ${announced} bytes announced (more than ${announced} bytes read)`
				: `The file is shorter than the ${announced} bytes announced (it ended after ${seen} bytes)`,
		);
	}
}

const NOTHING = Buffer.alloc(0);

/**
 * Base64 of a video that arrives in pieces of any length, checked against its announced size.
 * Node's own encoder runs on whole 3-byte groups; the 0 to 2 bytes left over at the end of a piece
 * are carried to the next one, so the output is the same as encoding the file in one go.
 */
export class Base64Pieces {
	private readonly carry = Buffer.alloc(3);

	private carried = 0;

	private received = 0;

	constructor(private readonly announced: number) {}

	/** The base64 of every whole 3-byte group completed by this piece. Throws past the announced size. */
	next(piece: Uint8Array): Buffer {
		this.received += piece.length;
		if (this.received > this.announced) {
			throw new SizeMismatch(this.announced, this.received, true);
		}
		let at = 0;
		let lead = '';
		if (this.carried > 0) {
			at = Math.min(3 - this.carried, piece.length);
			this.carry.set(piece.subarray(0, at), this.carried);
			this.carried += at;
			if (this.carried < 3) return NOTHING;
			lead = this.carry.toString('base64');
			this.carried = 0;
		}
		const whole = at + (piece.length - at - ((piece.length - at) % 3));
		const groups = Buffer.from(piece.buffer, piece.byteOffset + at, whole - at);
		const out = Buffer.allocUnsafe(lead.length + base64Length(groups.length));
		out.write(lead, 0, 'latin1');
		out.write(groups.toString('base64'), lead.length, 'latin1');
		this.carry.set(piece.subarray(whole), 0);
		this.carried = piece.length - whole;
		return out;
	}

	/** The last group, padded. Throws if fewer bytes came than announced. */
	end(): Buffer {
		if (this.received !== this.announced) {
			throw new SizeMismatch(this.announced, this.received, false);
		}
		const last = this.carry.subarray(0, this.carried).toString('base64');
		this.carried = 0;
		return Buffer.from(last, 'latin1');
	}
}
