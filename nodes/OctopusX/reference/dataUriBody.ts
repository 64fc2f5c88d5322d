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
const PAD = 0x3d; // '='

/** Whether a Uint32Array stores its lowest byte first (x64 and arm64 do). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * The four characters of a 3-byte group v, as the 32-bit word that puts them in memory in order, are
 * `FIRST[v >>> 12] | SECOND[v & 4095]`: FIRST holds the two characters of the upper 12 bits in the
 * word's first two bytes, SECOND those of the lower 12 bits in its last two. One store per group.
 */
const FIRST = new Uint32Array(4096);
const SECOND = new Uint32Array(4096);
for (let v = 0; v < 4096; v++) {
	const one = ALPHABET.charCodeAt(v >>> 6);
	const two = ALPHABET.charCodeAt(v & 63);
	FIRST[v] = LITTLE_ENDIAN ? one | (two << 8) : ((one << 24) | (two << 16)) >>> 0;
	SECOND[v] = LITTLE_ENDIAN ? ((one << 16) | (two << 24)) >>> 0 : (one << 8) | two;
}

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
		if (out.byteOffset % 4 === 0) {
			o = encodeGroups(
				piece,
				i,
				whole,
				new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2),
				o,
			);
		} else {
			for (let at = i; at < whole; at += 3)
				o = group(piece[at], piece[at + 1], piece[at + 2], out, o);
		}
		i = whole;
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

/**
 * The groups of piece[from, to) (whole groups) written as words from byte `o` of `out` (a multiple
 * of 4). Where the input is aligned on a little-endian machine, 12 bytes are read as 3 words and
 * make 4 groups; otherwise, and for the last few groups, the bytes are read one by one.
 */
function encodeGroups(
	piece: Uint8Array,
	from: number,
	to: number,
	out: Uint32Array,
	o: number,
): number {
	let word = o >>> 2;
	let i = from;
	if (LITTLE_ENDIAN && (piece.byteOffset + from) % 4 === 0) {
		const blocks = Math.floor((to - from) / 12);
		const input = new Uint32Array(piece.buffer, piece.byteOffset + from, blocks * 3);
		for (let w = 0; w < input.length; w += 3) {
			// Bytes 0-3, 4-7 and 8-11 of the block, the first of each in the lowest bits.
			const a = input[w];
			const b = input[w + 1];
			const c = input[w + 2];
			const v0 = ((a & 255) << 16) | (a & 0xff00) | ((a >>> 16) & 255);
			const v1 = ((a >>> 24) << 16) | ((b & 255) << 8) | ((b >>> 8) & 255);
			const v2 = (((b >>> 16) & 255) << 16) | ((b >>> 24) << 8) | (c & 255);
			const v3 = (((c >>> 8) & 255) << 16) | (((c >>> 16) & 255) << 8) | (c >>> 24);
			out[word] = FIRST[v0 >>> 12] | SECOND[v0 & 4095];
			out[word + 1] = FIRST[v1 >>> 12] | SECOND[v1 & 4095];
			out[word + 2] = FIRST[v2 >>> 12] | SECOND[v2 & 4095];
			out[word + 3] = FIRST[v3 >>> 12] | SECOND[v3 & 4095];
			word += 4;
		}
		i += blocks * 12;
	}
	for (; i < to; i += 3) {
		const v = (piece[i] << 16) | (piece[i + 1] << 8) | piece[i + 2];
		out[word++] = FIRST[v >>> 12] | SECOND[v & 4095];
	}
	return word << 2;
}

/** One group written byte by byte (the carried group, the padded last one, an unaligned output). */
function group(x: number, y: number, z: number, out: Uint8Array, o: number): number {
	const v = (x << 16) | (y << 8) | z;
	const alphabet = ALPHABET;
	out[o] = alphabet.charCodeAt(v >>> 18);
	out[o + 1] = alphabet.charCodeAt((v >>> 12) & 63);
	out[o + 2] = alphabet.charCodeAt((v >>> 6) & 63);
	out[o + 3] = alphabet.charCodeAt(v & 63);
	return o + 4;
}
