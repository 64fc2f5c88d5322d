import { randomBytes } from 'node:crypto';

import {
	Base64Pieces,
	base64Length,
	base64Room,
	dataUriFrame,
	SizeMismatch,
} from '../../nodes/OctopusX/reference/dataUriBody';

const FIELDS = { model: 'omni-fast-v2v', prompt: 'a "quoted" prompt\n, ünïcode ☂' };

/** The body as the stream sends it: head, the pieces' base64, the last group, tail. */
function body(video: Buffer, cuts: number[], fields: Record<string, string> = FIELDS): Buffer {
	const frame = dataUriFrame(fields, 'video', video.length);
	const base64 = new Base64Pieces(video.length);
	const parts = [frame.head];
	let at = 0;
	// One output buffer used again for every piece, as the stream does.
	const out = Buffer.alloc(base64Room(video.length));
	for (const size of [...cuts, video.length]) {
		const piece = video.subarray(at, Math.min(at + size, video.length));
		parts.push(Buffer.from(out.subarray(0, base64.next(piece, out))));
		at = Math.min(at + size, video.length);
	}
	parts.push(base64.end(), frame.tail);
	const whole = Buffer.concat(parts);
	expect(whole.length).toBe(frame.length);
	return whole;
}

describe('the streamed data-URI body', () => {
	it.each([0, 1, 2, 3, 4, 5, 100, 65_537])(
		'is byte for byte JSON.stringify with the base64 of %i bytes, of the length announced',
		(n) => {
			const video = randomBytes(n);
			const expected = JSON.stringify({
				...FIELDS,
				video: `data:video/mp4;base64,${video.toString('base64')}`,
			});
			expect(body(video, []).toString()).toBe(expected);
			expect(dataUriFrame(FIELDS, 'video', n).length).toBe(Buffer.byteLength(expected));
		},
	);

	it('gives the same bytes whatever the piece boundaries (the 1-2 bytes left over are carried)', () => {
		const video = randomBytes(10_000);
		const whole = body(video, []);
		for (const cuts of [[1], [2, 2, 2], [1, 1, 1, 1, 5], [3333, 1, 4096], [9999], [0, 4, 0, 7]]) {
			expect(body(video, cuts).equals(whole)).toBe(true);
		}
	});

	it('gives the same bytes whether the input and the output are aligned on 4 bytes or not', () => {
		// Aligned input is read 12 bytes (3 words) at a time; the rest, and any misaligned input or
		// output, byte by byte. Every combination of offsets must give Node's own base64.
		const video = randomBytes(50_003);
		const expected = video.toString('base64');
		for (let inShift = 0; inShift < 4; inShift++) {
			for (let outShift = 0; outShift < 4; outShift++) {
				const input = Buffer.alloc(video.length + 4);
				video.copy(input, inShift);
				const shifted = input.subarray(inShift, inShift + video.length);
				const room = Buffer.alloc(base64Room(video.length) + 4);
				const out = room.subarray(outShift);
				const base64 = new Base64Pieces(video.length);
				const parts: Buffer[] = [];
				for (const [from, to] of [
					[0, 1],
					[1, 24_577],
					[24_577, 24_580],
					[24_580, video.length],
				]) {
					const written = base64.next(shifted.subarray(from, to), out);
					parts.push(Buffer.from(out.subarray(0, written)));
				}
				parts.push(base64.end());
				expect([inShift, outShift, Buffer.concat(parts).toString()]).toEqual([
					inShift,
					outShift,
					expected,
				]);
			}
		}
	});

	it('encodes only whole 3-byte groups of each piece and keeps the rest for the next', () => {
		const base64 = new Base64Pieces(7);
		const out = Buffer.alloc(16, '.');
		expect(base64.next(Buffer.from([1, 2]), out)).toBe(0);
		expect(base64.next(Buffer.from([3, 4, 5, 6, 7]), out)).toBe(8);
		expect(out.toString()).toBe(`${Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64')}........`);
		expect(base64.end().toString()).toBe(Buffer.from([7]).toString('base64'));
	});

	it('puts the data URI in the chosen field, the others kept, and parses as JSON', () => {
		const video = Buffer.from('\0\0\0\x18ftypisom-test');
		const parsed = JSON.parse(
			body(video, [5], { model: 'm', prompt: 'p', seconds: '8', input_video: 'x' }).toString(),
		);
		expect(parsed).toEqual({
			model: 'm',
			prompt: 'p',
			seconds: '8',
			video: `data:video/mp4;base64,${video.toString('base64')}`,
			input_video: 'x',
		});
		const frame = dataUriFrame({ model: 'm', input_video: 'old' }, 'input_video', 3);
		expect(frame.head.toString()).toBe('{"model":"m","input_video":"data:video/mp4;base64,');
	});

	it('announces head + 4 × ceil(n / 3) + tail, about 1.34 × the video', () => {
		const n = 15 * 1024 * 1024;
		const frame = dataUriFrame({ model: 'm', prompt: 'p' }, 'video', n);
		expect(frame.length).toBe(
			base64Length(n) +
				Buffer.byteLength('{"model":"m","prompt":"p","video":"data:video/mp4;base64,"}'),
		);
		expect(base64Length(1)).toBe(4);
		expect(base64Length(3)).toBe(4);
		expect(base64Length(4)).toBe(8);
	});

	it('refuses a byte past the announced size, before encoding it', () => {
		const out = Buffer.alloc(16);
		const more = new Base64Pieces(3);
		more.next(Buffer.alloc(2), out);
		expect(() => more.next(Buffer.alloc(2), out)).toThrow(SizeMismatch);
		expect(() => new Base64Pieces(3).next(Buffer.alloc(4), out)).toThrow(/longer than the 3 bytes/);
	});

	it('refuses to end before the announced size', () => {
		const fewer = new Base64Pieces(3);
		fewer.next(Buffer.alloc(2), Buffer.alloc(8));
		expect(() => fewer.end()).toThrow(/shorter than the 3 bytes announced \(it ended after 2/);
	});
});
