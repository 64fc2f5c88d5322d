import { freeChunk, storeGivesOwnBuffers } from '../../nodes/OctopusX/reference/freeChunk';

describe('freeing a piece read from the binary store', () => {
	it('frees a buffer of its own at once: it reads as empty and its memory is gone', () => {
		const before = process.memoryUsage().arrayBuffers;
		const pieces = Array.from({ length: 40 }, () => Buffer.allocUnsafeSlow(256 * 1024).fill(7));
		const held = process.memoryUsage().arrayBuffers - before;
		expect(held).toBeGreaterThanOrEqual(40 * 256 * 1024);
		for (const piece of pieces) freeChunk(piece);
		// The buffers are still referenced here, so only an immediate release can explain the drop.
		expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 * 1024);
		expect(pieces.map((piece) => piece.length)).toEqual(pieces.map(() => 0));
	});

	it('leaves a view into a larger buffer alone', () => {
		const whole = Buffer.alloc(1024, 1);
		const view = whole.subarray(0, 512);
		freeChunk(view);
		freeChunk(whole.subarray(512));
		expect(view.length).toBe(512);
		expect(whole.length).toBe(1024);
		expect(whole.every((byte) => byte === 1)).toBe(true);
	});

	it('is used only for stores that hand over buffers of their own', () => {
		expect(storeGivesOwnBuffers('filesystem-v2:workflows/1/executions/2/binary_data/abc')).toBe(
			true,
		);
		expect(storeGivesOwnBuffers('filesystem:abc')).toBe(true);
		expect(storeGivesOwnBuffers('database:abc')).toBe(true);
		expect(storeGivesOwnBuffers('s3:workflows/1/abc')).toBe(false);
		expect(storeGivesOwnBuffers('')).toBe(false);
	});
});
