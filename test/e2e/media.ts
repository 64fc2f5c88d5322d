/** Input files the suite writes for n8n to read. */
import { createHash } from 'node:crypto';

/**
 * MP4-looking bytes: a valid `ftyp` box at offset 0 (type at bytes 4..7, what the node checks), an `mdat`
 * header, then deterministic filler that differs per `seed`.
 */
export function testMp4(seed: string, bytes = 64 * 1024): Buffer {
	const buf = Buffer.alloc(bytes);
	buf.writeUInt32BE(0x18, 0);
	buf.write('ftypisom', 4, 'latin1');
	buf.writeUInt32BE(0x200, 12);
	buf.write('isommp41', 16, 'latin1');
	buf.writeUInt32BE(bytes - 24, 24);
	buf.write('mdat', 28, 'latin1');
	let block = createHash('sha256').update(seed).digest();
	for (let offset = 32; offset < bytes; offset += block.length) {
		block.copy(buf, offset);
		block = createHash('sha256').update(block).digest();
	}
	return buf;
}

/** A small real PNG (1×1 pixel): what a user might pick by mistake. */
export function testPng(): Buffer {
	return Buffer.from(
		'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwAEAQH/1Eh8WQAAAABJRU5ErkJggg==',
		'base64',
	);
}

export function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}
