import type { IDataObject } from 'n8n-workflow';

import { DATA_URI_PREFIX } from '../../nodes/OctopusX/reference/limits';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CHAR = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD = 0x3d; // '='

export function base64Length(byteLength: number): number {
	return 4 * Math.ceil(byteLength / 3);
}

/**
 * The JSON request body with the reference video inlined as a data URI, written into one buffer
 * of exactly the right size. The video is encoded chunk by chunk straight into that buffer: no
 * base64 string and no JSON string of the whole body ever exists, so sending a 15 MiB video costs
 * the body's own size (about 1.34 × the video), not four to five times it.
 */
export class JsonBodyWithDataUri {
	readonly body: Buffer;

	private offset: number;

	private readonly end: number;

	private readonly carry = new Uint8Array(3);

	private carried = 0;

	private received = 0;

	constructor(
		fields: IDataObject,
		videoField: string,
		private readonly videoBytes: number,
	) {
		// The video goes last, written by this class: every other field is serialised as it is.
		const rest = Object.fromEntries(Object.entries(fields).filter(([key]) => key !== videoField));
		const head = JSON.stringify(rest);
		// `{...}` → `{...,"video":"data:video/mp4;base64,` + base64 + `"}`
		const open = `${head.length > 2 ? head.slice(0, -1) + ',' : '{'}${JSON.stringify(videoField)}:"${DATA_URI_PREFIX}`;
		const close = '"}';
		const openBytes = Buffer.byteLength(open);
		this.body = Buffer.allocUnsafe(openBytes + base64Length(videoBytes) + close.length);
		this.body.write(open, 0);
		this.offset = openBytes;
		this.end = this.body.length - close.length;
		this.body.write(close, this.end);
	}

	/** Encodes the next piece of the video. Pieces may have any length. */
	write(chunk: Uint8Array): void {
		this.received += chunk.length;
		if (this.received > this.videoBytes) {
			throw new Error(`The video is larger than the ${this.videoBytes} bytes announced`);
		}
		let i = 0;
		if (this.carried > 0) {
			while (this.carried < 3 && i < chunk.length) this.carry[this.carried++] = chunk[i++];
			if (this.carried < 3) return;
			this.encodeTriple(this.carry[0], this.carry[1], this.carry[2]);
			this.carried = 0;
		}
		const out = this.body;
		let o = this.offset;
		const whole = chunk.length - ((chunk.length - i) % 3);
		for (; i < whole; i += 3) {
			const v = (chunk[i] << 16) | (chunk[i + 1] << 8) | chunk[i + 2];
			out[o] = CHAR[v >>> 18];
			out[o + 1] = CHAR[(v >>> 12) & 63];
			out[o + 2] = CHAR[(v >>> 6) & 63];
			out[o + 3] = CHAR[v & 63];
			o += 4;
		}
		this.offset = o;
		while (i < chunk.length) this.carry[this.carried++] = chunk[i++];
	}

	/** Finishes the encoding and returns the complete body. */
	finish(): Buffer {
		if (this.received !== this.videoBytes) {
			throw new Error(`Expected ${this.videoBytes} bytes of video, got ${this.received}`);
		}
		if (this.carried === 1) {
			const v = this.carry[0] << 16;
			this.put(CHAR[v >>> 18], CHAR[(v >>> 12) & 63], PAD, PAD);
		} else if (this.carried === 2) {
			const v = (this.carry[0] << 16) | (this.carry[1] << 8);
			this.put(CHAR[v >>> 18], CHAR[(v >>> 12) & 63], CHAR[(v >>> 6) & 63], PAD);
		}
		this.carried = 0;
		if (this.offset !== this.end) throw new Error('Body size mismatch');
		return this.body;
	}

	private encodeTriple(a: number, b: number, c: number): void {
		const v = (a << 16) | (b << 8) | c;
		this.put(CHAR[v >>> 18], CHAR[(v >>> 12) & 63], CHAR[(v >>> 6) & 63], CHAR[v & 63]);
	}

	private put(a: number, b: number, c: number, d: number): void {
		const out = this.body;
		out[this.offset] = a;
		out[this.offset + 1] = b;
		out[this.offset + 2] = c;
		out[this.offset + 3] = d;
		this.offset += 4;
	}
}
