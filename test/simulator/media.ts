/**
 * The result files: deterministic MP4-looking bytes per task. A real `ftyp` box, an `mdat` header, then
 * an AES-256-CTR keystream keyed by the task id, so any byte range can be made on its own (large files
 * are streamed chunk by chunk, never built whole) and two tasks never share content.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A real, playable MP4 of 3.5 kB (2 s, 192×108, H.264 baseline, moov first, no audio): what the dev
 * editor's tasks return, so its preview plays. Made with ffmpeg 5.1:
 *   ffmpeg -f lavfi -i "gradients=size=192x108:rate=10:duration=2:speed=0.05:c0=0x1b4f72:c1=0x7d3c98:c2=0x16a085:n=3"
 *     -vf "drawtext=text='OctopusX simulator':fontcolor=white:fontsize=14:x=(w-tw)/2:y=(h-th)/2"
 *     -c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 36 -movflags +faststart -an playable.mp4
 */
export const PLAYABLE_MP4_PATH = join(__dirname, 'fixtures', 'playable.mp4');

export function playableMp4(): Buffer {
	return readFileSync(PLAYABLE_MP4_PATH);
}

const HEADER_BYTES = 32;
/** Results up to this size are kept whole per task; larger ones are generated per chunk. */
export const CACHE_LIMIT_BYTES = 4 * 1024 * 1024;

function header(size: number): Buffer {
	const h = Buffer.alloc(HEADER_BYTES);
	h.writeUInt32BE(24, 0);
	h.write('ftypisom', 4, 'latin1');
	h.writeUInt32BE(0x200, 12);
	h.write('isommp41', 16, 'latin1');
	h.writeUInt32BE(Math.max(0, Math.min(size - 24, 0xffffffff)), 24);
	h.write('mdat', 28, 'latin1');
	return h;
}

function keyFor(taskId: string): Buffer {
	return createHash('sha256').update(`octopusx-sim-result:${taskId}`).digest();
}

/** Bytes [offset, offset + length) of the result file of `taskId`, whose total size is `size`. */
export function resultChunk(taskId: string, size: number, offset: number, length: number): Buffer {
	const end = Math.min(size, offset + length);
	if (end <= offset) return Buffer.alloc(0);
	const skip = offset % 16;
	const iv = Buffer.alloc(16);
	iv.writeBigUInt64BE(BigInt((offset - skip) / 16), 8);
	const cipher = createCipheriv('aes-256-ctr', keyFor(taskId), iv);
	const out = cipher.update(Buffer.alloc(end - offset + skip)).subarray(skip);
	if (offset < HEADER_BYTES) {
		header(size).copy(out, 0, offset, Math.min(HEADER_BYTES, end));
	}
	return out;
}

/** Serves result files, keeping small ones whole; or one real video for every task. */
export class ResultStore {
	private readonly cache = new Map<string, Buffer>();

	constructor(private readonly video?: Buffer) {}

	/** A chunk source for one file; small files come from the cache. */
	source(taskId: string, size: number): (offset: number, length: number) => Buffer {
		if (size > CACHE_LIMIT_BYTES && !this.video) return (o, l) => resultChunk(taskId, size, o, l);
		const whole = this.whole(taskId, size);
		return (o, l) => whole.subarray(o, Math.min(size, o + l));
	}

	whole(taskId: string, size: number): Buffer {
		if (this.video) return this.video;
		const cached = this.cache.get(taskId);
		if (cached && cached.length === size) return cached;
		const buf = resultChunk(taskId, size, 0, size);
		if (size <= CACHE_LIMIT_BYTES) this.cache.set(taskId, buf);
		return buf;
	}

	clear(): void {
		this.cache.clear();
	}
}
