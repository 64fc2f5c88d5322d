import { randomBytes } from 'node:crypto';

import {
	base64Length,
	JsonBodyWithDataUri,
} from '../../nodes/OctopusX/reference/jsonBodyWithDataUri';

function encodeInPieces(video: Buffer, pieces: number[]): Buffer {
	const body = new JsonBodyWithDataUri(
		{ model: 'omni-fast-v2v', prompt: 'a "quoted" prompt\n' },
		'video',
		video.length,
	);
	let at = 0;
	for (const size of pieces) {
		body.write(video.subarray(at, at + size));
		at += size;
	}
	body.write(video.subarray(at));
	return body.finish();
}

describe('JsonBodyWithDataUri', () => {
	it.each([0, 1, 2, 3, 4, 5, 100, 65_537])(
		'encodes %i bytes exactly like JSON.stringify + base64',
		(n) => {
			const video = randomBytes(n);
			const expected = JSON.stringify({
				model: 'omni-fast-v2v',
				prompt: 'a "quoted" prompt\n',
				video: `data:video/mp4;base64,${video.toString('base64')}`,
			});
			const body = encodeInPieces(video, []);
			expect(body.toString()).toBe(expected);
			expect(body.length).toBe(Buffer.byteLength(expected));
		},
	);

	it('gives the same bytes whatever the chunk boundaries', () => {
		const video = randomBytes(10_000);
		const whole = encodeInPieces(video, []);
		for (const pieces of [[1], [2, 2, 2], [1, 1, 1, 1, 5], [3333, 1, 4096], [9999]]) {
			expect(encodeInPieces(video, pieces).equals(whole)).toBe(true);
		}
	});

	it('puts the data URI in the chosen field and parses as JSON', () => {
		const video = Buffer.from('\0\0\0\x18ftypisom-test');
		const body = new JsonBodyWithDataUri(
			{ model: 'm', prompt: 'p', seconds: '8' },
			'input_video',
			video.length,
		);
		body.write(video);
		const parsed = JSON.parse(body.finish().toString());
		expect(parsed).toEqual({
			model: 'm',
			prompt: 'p',
			seconds: '8',
			input_video: `data:video/mp4;base64,${video.toString('base64')}`,
		});
	});

	it('allocates the body once, at its final size (about 1.34 x the video)', () => {
		const n = 3 * 1024 * 1024;
		const body = new JsonBodyWithDataUri({ model: 'm', prompt: 'p' }, 'video', n);
		expect(body.body.length).toBe(
			base64Length(n) +
				Buffer.byteLength('{"model":"m","prompt":"p","video":"data:video/mp4;base64,"}'),
		);
		expect(body.body.length / n).toBeLessThan(1.34);
	});

	it('refuses more or fewer bytes than announced', () => {
		const more = new JsonBodyWithDataUri({ model: 'm', prompt: 'p' }, 'video', 3);
		expect(() => more.write(Buffer.alloc(4))).toThrow(/larger/);
		const fewer = new JsonBodyWithDataUri({ model: 'm', prompt: 'p' }, 'video', 3);
		fewer.write(Buffer.alloc(2));
		expect(() => fewer.finish()).toThrow(/Expected 3 bytes/);
	});
});
