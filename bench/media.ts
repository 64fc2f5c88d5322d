import { randomBytes } from 'node:crypto';

/** Bytes that start like an MP4 (an `ftyp` box, which the node checks), then random data. */
export function mp4Bytes(size: number): Buffer {
	const bytes = randomBytes(size);
	bytes.writeUInt32BE(24, 0);
	bytes.write('ftypisom', 4, 'latin1');
	bytes.writeUInt32BE(0x200, 12);
	bytes.write('isommp41', 16, 'latin1');
	return bytes;
}

export const MiB = 1024 * 1024;
export const MB = 1_000_000;
