import { createHash, randomFillSync } from 'node:crypto';

/** Bytes that start like an MP4 (an `ftyp` box at offset 4), then filler that differs per seed. */
export function mp4Bytes(size: number, seed = 1): Buffer {
	const bytes = Buffer.alloc(size);
	for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7) & 0xff;
	bytes.writeUInt32BE(24, 0);
	bytes.write('ftypisom', 4, 'latin1');
	bytes.writeUInt32BE(0x200, 12);
	bytes.write('isommp41', 16, 'latin1');
	return bytes;
}

/** An MP4 header, then random bytes: every piece of the file must arrive intact to match its hash. */
export function randomMp4(size: number): Buffer {
	const file = mp4Bytes(size);
	randomFillSync(file.subarray(32));
	return file;
}

export function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

export const PROMPT =
	'Keep the camera path and motion; make it a rainy cinematic night with neon reflections';
