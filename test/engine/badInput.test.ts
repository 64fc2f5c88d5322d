import type { INodeParameters } from 'n8n-workflow';

import { OctopusSimulator } from '../simulator';
import { expectNoLeak, KEY, mp4Bytes, videoItem } from './faults/support';
import { runOctopusX, type BinaryMode, type InputItem } from './harness';

/**
 * Every invalid parameter gets a message naming it, and nothing is sent: bad input must never cost
 * a request, let alone a paid task.
 */
let sim: OctopusSimulator;

beforeAll(async () => {
	sim = await OctopusSimulator.start({ apiKey: KEY });
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => sim.reset());

const MiB = 1024 * 1024;
const png = Buffer.concat([
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	Buffer.alloc(64, 1),
]);
const file = (bytes: Buffer, fileName = 'in.mp4', mimeType = 'video/mp4'): InputItem => ({
	binary: { data: { bytes, mimeType, fileName } },
});
const submit = (extra: INodeParameters): INodeParameters => ({
	operation: 'submit',
	prompt: 'a rainy night',
	...extra,
});
const byUrl = (videoUrl: string) => submit({ videoSource: 'url', videoUrl });
const images = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/${i}.jpg`);

interface Case {
	/** The parameter, as the user sees it in the editor: the error must name it. */
	names: string;
	parameters: INodeParameters;
	items?: InputItem[];
	/** What the message says, beyond naming the parameter. */
	says: RegExp;
}

const SUBMIT_CASES: Record<string, Case> = {
	// Left literally empty, n8n refuses the workflow itself: 'Parameter "Prompt" is required'.
	'empty prompt': {
		names: 'Prompt',
		parameters: submit({ prompt: '' }),
		says: /is required|is empty/,
	},
	'whitespace prompt': {
		names: 'Prompt',
		parameters: submit({ prompt: ' \n\t  ' }),
		says: /is empty/,
	},
	'prompt from an expression that resolves to nothing': {
		names: 'Prompt',
		parameters: submit({ prompt: '={{ $json.missing }}' }),
		says: /is empty/,
	},
	'seconds below 4': {
		names: 'Duration (Seconds)',
		parameters: submit({ seconds: 3 }),
		says: /is 3/,
	},
	'seconds above 30': {
		names: 'Duration (Seconds)',
		parameters: submit({ seconds: 31 }),
		says: /is 31/,
	},
	'seconds not whole': {
		names: 'Duration (Seconds)',
		parameters: submit({ seconds: 7.5 }),
		says: /7\.5/,
	},
	'seconds not a number': {
		names: 'Duration (Seconds)',
		parameters: submit({ seconds: '={{ "eight" }}' }),
		says: /eight/,
	},
	'an unknown aspect ratio from an expression': {
		names: 'Aspect Ratio',
		parameters: submit({ aspectRatio: '={{ "4:3" }}' }),
		says: /"4:3"/,
	},
	'an unknown resolution from an expression': {
		names: 'Resolution',
		parameters: submit({ resolution: '={{ "8k" }}' }),
		says: /"8k"/,
	},
	'an unknown reference video field from an expression': {
		names: 'Reference Video Field',
		parameters: submit({ options: { videoField: '={{ "clip" }}' } }),
		says: /"clip"/,
	},
	'a file: video URL': {
		names: 'Video URL',
		parameters: byUrl('file:///etc/passwd'),
		says: /not a public http\(s\) URL/,
	},
	'an ftp: video URL': {
		names: 'Video URL',
		parameters: byUrl('ftp://example.com/a.mp4'),
		says: /not a public http\(s\) URL/,
	},
	'a video URL that is not a URL': {
		names: 'Video URL',
		parameters: byUrl('my clip.mp4'),
		says: /not a public http\(s\) URL/,
	},
	'an empty video URL': { names: 'Video URL', parameters: byUrl('  '), says: /is empty/ },
	'more than 5 images': {
		names: 'Reference Image URLs',
		parameters: submit({ options: { images: images(6) } }),
		says: /has 6 images; OctopusX takes at most 5/,
	},
	'an image URL that is not http(s)': {
		names: 'Reference Image URLs',
		parameters: submit({ options: { images: ['https://example.com/a.jpg', 'file:///tmp/b.jpg'] } }),
		says: /not a public http\(s\) URL/,
	},
	'a first frame URL that is not http(s)': {
		names: 'First Frame Image URL',
		parameters: submit({ options: { firstImageUrl: 'ftp://example.com/a.jpg' } }),
		says: /not a public http\(s\) URL/,
	},
	'more than 5 images on omni-fast': {
		names: 'Reference Image URLs',
		parameters: submit({ model: 'omni-fast', options: { images: images(7) } }),
		says: /has 7 images/,
	},
};

const BINARY_CASES: Record<string, Case> = {
	'a PNG, declared as video/mp4': {
		names: 'Input Binary Field',
		parameters: submit({}),
		items: [file(png, 'picture.png', 'video/mp4')],
		says: /'picture\.png' is not an MP4 video \(it looks like a PNG image\)/,
	},
	'an empty file': {
		names: 'Input Binary Field',
		parameters: submit({}),
		items: [file(Buffer.alloc(0))],
		says: /'in\.mp4' is empty/,
	},
	'15 MiB + 1 byte': {
		names: 'Input Binary Field',
		parameters: submit({}),
		items: [file(mp4Bytes(15 * MiB + 1))],
		says: /too large: 15\.00 MiB \(15728641 bytes\), the limit is 15 MiB \(15728640 bytes\)/,
	},
	'a missing binary field': {
		names: 'Input Binary Field',
		parameters: submit({ binaryPropertyName: 'video' }),
		items: [videoItem()],
		says: /'video' not found \[item 0\]/,
	},
	'an item with no file at all': {
		names: 'Input Binary Field',
		parameters: submit({}),
		items: [{ json: { name: 'no file here' } }],
		says: /'data' not found \[item 0\]/,
	},
	'an empty binary field name': {
		names: 'Input Binary Field',
		parameters: submit({ binaryPropertyName: ' ' }),
		items: [videoItem()],
		says: /is empty/,
	},
};

const TASK_CASES: Record<string, Case> = {
	'Get Status: an empty task id': {
		names: 'Task ID',
		parameters: { operation: 'getStatus', taskId: '' },
		says: /is required|is empty/,
	},
	'Get Status: the default task id on an item without one': {
		names: 'Task ID',
		parameters: { operation: 'getStatus' },
		items: [{ json: { name: 'no id' } }],
		says: /is empty/,
	},
	'Wait Until Done: a task id with a slash': {
		names: 'Task ID',
		parameters: { operation: 'waitUntilDone', taskId: '../v1/models' },
		says: /is not a task id/,
	},
	'Wait Until Done: a poll interval of 0': {
		names: 'Poll Interval (Seconds)',
		parameters: { operation: 'waitUntilDone', taskId: 'video_abc', options: { pollInterval: 0 } },
		says: /is 0/,
	},
	'Wait Until Done: a timeout that is not a number': {
		names: 'Timeout (Seconds)',
		parameters: {
			operation: 'waitUntilDone',
			taskId: 'video_abc',
			options: { timeout: '={{ "soon" }}' },
		},
		says: /soon/,
	},
};

/**
 * Runs one case. A required parameter left literally empty is refused by n8n itself before the
 * node runs ("Parameter "Prompt" is required"): that counts, as long as nothing is sent.
 */
async function attempt(c: Case, binaryMode: BinaryMode = 'filesystem') {
	try {
		const result = await runOctopusX({
			parameters: c.parameters,
			items: c.items ?? [videoItem()],
			credentials: { apiKey: KEY, baseUrl: sim.baseUrl },
			binaryMode,
		});
		expectNoLeak(result, [KEY], sim);
		expect(result.status).toBe('error');
		expect(result.error?.context?.itemIndex).toBe(0);
		// What to do about it, not just what is wrong.
		expect(result.error?.description).toBeTruthy();
		return { message: result.error?.message ?? '', description: result.error?.description ?? '' };
	} catch (error) {
		const { name, message } = error as Error;
		expect(name).toBe('WorkflowHasIssuesError');
		expect(message).not.toContain(KEY);
		return { message, description: '' };
	}
}

async function expectRefused(c: Case, binaryMode: BinaryMode = 'filesystem') {
	const { message, description } = await attempt(c, binaryMode);
	expect(sim.requests).toEqual([]);
	// The message names the parameter; for a file, the message names the file and the description
	// says which parameter points at it.
	expect(`${message}\n${description}`).toContain(c.names);
	return message;
}

describe('Submit', () => {
	test.each(Object.entries(SUBMIT_CASES))('%s', async (_name, c) => {
		const message = await expectRefused(c);
		expect(message).toContain(c.names);
		expect(message).toMatch(c.says);
	});
});

describe.each<[BinaryMode]>([['filesystem'], ['default']])(
	'Submit, binaries kept in %s mode',
	(mode) => {
		test.each(Object.entries(BINARY_CASES))('%s', async (_name, c) => {
			expect(await expectRefused(c, mode)).toMatch(c.says);
		});
	},
);

describe('Get Status / Wait Until Done', () => {
	test.each(Object.entries(TASK_CASES))('%s', async (_name, c) => {
		const message = await expectRefused(c);
		expect(message).toContain(c.names);
		expect(message).toMatch(c.says);
	});
});

describe('in a batch', () => {
	const good = videoItem({ prompt: 'a rainy night' });
	const bad = videoItem({ prompt: '   ' });

	test('one bad item stops the run before anything is sent', async () => {
		const result = await runOctopusX({
			parameters: submit({ prompt: '={{ $json.prompt }}' }),
			items: [good, good, bad],
			credentials: { apiKey: KEY, baseUrl: sim.baseUrl },
		});
		expect(result.error?.message).toBe("'Prompt' is empty");
		expect(result.error?.context?.itemIndex).toBe(2);
		expect(sim.requests).toEqual([]);
	});

	test('under continue-on-fail the good items are sent, the bad one is not', async () => {
		const result = await runOctopusX({
			parameters: submit({ prompt: '={{ $json.prompt }}' }),
			items: [good, bad, good],
			credentials: { apiKey: KEY, baseUrl: sim.baseUrl },
			onError: 'continueRegularOutput',
		});
		expect(result.error).toBeUndefined();
		expect(sim.requestsTo('submit')).toHaveLength(2);
		const out = result.outputs[0];
		expect(out[1].json.error).toBe("'Prompt' is empty");
		expect(out[1].pairedItem).toEqual({ item: 1 });
		expect(out[0].json.id).toEqual(expect.any(String));
		expect(out[2].json.id).toEqual(expect.any(String));
	});
});
