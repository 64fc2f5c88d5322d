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
	// The video goes last, written by the stream: every other field is serialised as it is.
	const rest = Object.fromEntries(Object.entries(fields).filter(([key]) => key !== videoField));
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

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The two base64 characters of every 12-bit value, as (first << 8) | second. */
const PAIRS = Uint16Array.from({ length: 4096 }, (_, v) => {
	return (ALPHABET.charCodeAt(v >>> 6) << 8) | ALPHABET.charCodeAt(v & 63);
});
const PAD = 0x3d; // '='

/** Bytes of output `next` may write for a piece of `pieceBytes`: its groups plus one carried in. */
export function base64Room(pieceBytes: number): number {
	return base64Length(pieceBytes) + 4;
}

/**
 * Base64 of a video that arrives in pieces of any length, checked against its announced size, and
 * written into a buffer the caller gives (and may use again): no string and no new buffer per
 * piece, so sending a file leaves no garbage behind that grows with it. The 1 or 2 bytes left over
 * at the end of a piece are carried to the next one, so the output is the same as encoding the
 * file in one go.
 */
export class Base64Pieces {
	private readonly carry = new Uint8Array(3);

	private carried = 0;

	private received = 0;

	constructor(private readonly announced: number) {}

	/**
	 * Writes the base64 of every whole 3-byte group this piece completes at the start of `out`
	 * (at least `base64Room(piece.length)` long) and returns how many bytes it wrote. Throws past the
	 * announced size, before encoding anything of the piece.
	 */
	next(piece: Uint8Array, out: Uint8Array): number {
		this.received += piece.length;
		if (this.received > this.announced) {
			throw new SizeMismatch(this.announced, this.received, true);
		}
		let i = 0;
		let o = 0;
		if (this.carried > 0) {
			while (this.carried < 3 && i < piece.length) this.carry[this.carried++] = piece[i++];
			if (this.carried < 3) return 0;
			o = group(this.carry[0], this.carry[1], this.carry[2], out, o);
			this.carried = 0;
		}
		const whole = piece.length - ((piece.length - i) % 3);
		for (; i < whole; i += 3) {
			const v = (piece[i] << 16) | (piece[i + 1] << 8) | piece[i + 2];
			const a = PAIRS[v >>> 12];
			const b = PAIRS[v & 4095];
			out[o] = a >>> 8;
			out[o + 1] = a & 255;
			out[o + 2] = b >>> 8;
			out[o + 3] = b & 255;
			o += 4;
		}
		while (i < piece.length) this.carry[this.carried++] = piece[i++];
		return o;
	}

	/** The last group, padded: 0 or 4 bytes. Throws if fewer bytes came than announced. */
	end(): Buffer {
		if (this.received !== this.announced) {
			throw new SizeMismatch(this.announced, this.received, false);
		}
		const out = Buffer.alloc(this.carried === 0 ? 0 : 4);
		if (this.carried > 0) {
			group(this.carry[0], this.carried > 1 ? this.carry[1] : 0, 0, out, 0);
			out[3] = PAD;
			if (this.carried === 1) out[2] = PAD;
		}
		this.carried = 0;
		return out;
	}
}

function group(x: number, y: number, z: number, out: Uint8Array, o: number): number {
	const v = (x << 16) | (y << 8) | z;
	const a = PAIRS[v >>> 12];
	const b = PAIRS[v & 4095];
	out[o] = a >>> 8;
	out[o + 1] = a & 255;
	out[o + 2] = b >>> 8;
	out[o + 3] = b & 255;
	return o + 4;
}
