import { buildSubmitFields, FieldProblem } from '../../nodes/OctopusX/reference/submitFields';
import type { SubmitInput } from '../../nodes/OctopusX/reference/submitFields';

const base: SubmitInput = {
	model: 'omni-fast-v2v',
	prompt: 'Keep the camera path; make it a rainy night',
	videoSource: 'binary',
	seconds: 8,
	aspectRatio: '16:9',
	resolution: '720p',
};

function problem(input: Partial<SubmitInput>): FieldProblem {
	try {
		buildSubmitFields({ ...base, ...input });
	} catch (error) {
		if (error instanceof FieldProblem) return error;
		throw error;
	}
	throw new Error('expected a FieldProblem');
}

describe('buildSubmitFields', () => {
	it('builds the documented body, seconds as a string, nothing unset', () => {
		expect(
			buildSubmitFields({ ...base, videoSource: 'url', videoUrl: ' https://example.com/a.mp4 ' }),
		).toEqual({
			fields: {
				model: 'omni-fast-v2v',
				prompt: 'Keep the camera path; make it a rainy night',
				seconds: '8',
				aspect_ratio: '16:9',
				resolution: '720p',
				video: 'https://example.com/a.mp4',
			},
			videoField: 'video',
			fromBinary: false,
		});
	});

	it('leaves the reference to the binary path and honours the chosen field', () => {
		const built = buildSubmitFields({ ...base, videoField: 'input_video' });
		expect(built).toMatchObject({ videoField: 'input_video', fromBinary: true });
		expect(built.fields).not.toHaveProperty('video');
	});

	it('sends optional images only when set, and omni-fast without any reference', () => {
		const built = buildSubmitFields({
			...base,
			model: 'omni-fast',
			firstImageUrl: 'https://example.com/f.jpg',
			images: ['https://example.com/1.jpg', 'https://example.com/2.jpg'],
		});
		expect(built.fields).toMatchObject({
			model: 'omni-fast',
			first_image_url: 'https://example.com/f.jpg',
			images: ['https://example.com/1.jpg', 'https://example.com/2.jpg'],
		});
		expect(built.fromBinary).toBe(false);
		expect(built.videoField).toBeUndefined();
		expect(built.fields).not.toHaveProperty('video');
	});

	it.each([
		[{ prompt: '' }, 'Prompt', /empty/],
		[{ prompt: '   \n ' }, 'Prompt', /empty/],
		[{ seconds: 3 }, 'Duration (Seconds)', /outside/],
		[{ seconds: 31 }, 'Duration (Seconds)', /outside/],
		[{ seconds: 7.5 }, 'Duration (Seconds)', /outside/],
		[{ seconds: 'eight' }, 'Duration (Seconds)', /outside/],
		[{ seconds: NaN }, 'Duration (Seconds)', /outside/],
		[{ aspectRatio: '4:3' }, 'Aspect Ratio', /does not take/],
		[{ resolution: '8k' }, 'Resolution', /does not take/],
		[{ model: 'gpt-video' }, 'Model', /does not take/],
		[{ videoSource: 'url', videoUrl: 'file:///etc/passwd' }, 'Video URL', /not a public http/],
		[{ videoSource: 'url', videoUrl: 'ftp://example.com/a.mp4' }, 'Video URL', /not a public http/],
		[{ videoSource: 'url', videoUrl: 'not a url' }, 'Video URL', /not a public http/],
		[{ videoSource: 'url', videoUrl: '' }, 'Video URL', /empty/],
		[
			{
				images: [
					'https://a/1',
					'https://a/2',
					'https://a/3',
					'https://a/4',
					'https://a/5',
					'https://a/6',
				],
			},
			'Reference Image URLs',
			/at most 5/,
		],
		[{ images: 'https://a/1, file:///x' }, 'Reference Image URLs', /not a public http/],
		[{ firstImageUrl: 'javascript:alert(1)' }, 'First Frame Image URL', /not a public http/],
		[{ videoField: 'clip' }, 'Reference Video Field', /does not take/],
	])('%j is refused, naming %s', (input, field, message) => {
		const p = problem(input as Partial<SubmitInput>);
		expect(p.field).toBe(field);
		expect(p.message).toContain(`'${field}'`);
		expect(p.message).toMatch(message);
		expect(p.fix.length).toBeGreaterThan(10);
	});

	it('takes seconds given as a numeric string from an expression', () => {
		expect(buildSubmitFields({ ...base, seconds: '12' }).fields.seconds).toBe('12');
	});
});
