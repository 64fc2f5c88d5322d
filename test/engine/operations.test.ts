import { OctopusSimulator } from '../simulator';
import { mp4Bytes, PROMPT, sha256 } from './fixtures';
import { runOctopusX } from './harness';

/**
 * The three operations in n8n's engine against the simulator, as a user wires them: a file from the
 * previous node → Submit → Wait Until Done → the video as binary for a storage node.
 */
let sim: OctopusSimulator;
let credentials: { apiKey: string; baseUrl: string };

beforeAll(async () => {
	sim = await OctopusSimulator.start({ taskDurationMs: 400 });
	credentials = { apiKey: sim.apiKey, baseUrl: sim.baseUrl };
});
afterAll(async () => sim.stop());
beforeEach(() => sim.reset());

const fast = { pollInterval: 1, timeout: 20 };

/** Submit parameters with a public reference URL, so the prompt alone steers the simulated task. */
const byUrl = (prompt: string) => ({
	operation: 'submit',
	prompt,
	videoSource: 'url',
	videoUrl: 'https://example.com/a.mp4',
});

describe.each(['filesystem', 'default'] as const)('binary data in %s mode', (binaryMode) => {
	test('Submit → Wait Until Done turns the input MP4 into the generated video, byte for byte', async () => {
		const input = mp4Bytes(300 * 1024);
		const result = await runOctopusX({
			binaryMode,
			credentials,
			parameters: { operation: 'submit', prompt: PROMPT },
			items: [
				{
					json: { clip: 'a' },
					binary: {
						data: { bytes: input, mimeType: 'application/octet-stream', fileName: 'in.mp4' },
					},
				},
			],
			chain: [{ parameters: { operation: 'waitUntilDone', options: fast } }],
		});
		expect(result.error).toBeUndefined();

		// What the simulator received: the exact input bytes, as a data URI in the `video` field.
		const [submit] = sim.requestsTo('submit');
		const body = submit.json as Record<string, unknown>;
		expect(body).toEqual({
			model: 'omni-fast-v2v',
			prompt: PROMPT,
			seconds: '8',
			aspect_ratio: '16:9',
			resolution: '720p',
			video: { dataUri: true, mime: 'video/mp4', bytes: input.length, sha256: sha256(input) },
		});
		expect(submit.headers['content-type']).toBe('application/json');

		// What Submit output: the task object.
		const [[submitted]] = result.nodeOutputs(0);
		expect(submitted.json).toMatchObject({
			id: expect.stringMatching(/^video_/),
			status: 'queued',
		});
		expect(submitted.binary).toBeUndefined();
		expect(submitted.pairedItem).toEqual({ item: 0 });

		// What Wait Until Done output: the finished task and its video.
		const [[done]] = result.outputs;
		const id = submitted.json.id as string;
		expect(done.json).toMatchObject({
			id,
			status: 'completed',
			progress: 100,
			video_url: expect.stringContaining(sim.cdnBaseUrl),
		});
		expect(done.binary?.data).toMatchObject({
			mimeType: 'video/mp4',
			fileName: `${id}.mp4`,
			fileExtension: 'mp4',
		});
		expect((await result.binary(done)).equals(sim.resultFor(id))).toBe(true);
		expect(done.pairedItem).toEqual({ item: 0 });
	});
});

test('a public URL goes in the chosen field, and only what the user set is sent', async () => {
	const result = await runOctopusX({
		credentials,
		parameters: {
			operation: 'submit',
			prompt: PROMPT,
			videoSource: 'url',
			videoUrl: 'https://example.com/source.mp4',
			seconds: 12,
			aspectRatio: '9:16',
			resolution: '1080p',
			options: { videoField: 'input_video' },
		},
	});
	expect(result.error).toBeUndefined();
	expect(sim.requestsTo('submit').map((r) => r.json)).toEqual([
		{
			model: 'omni-fast-v2v',
			prompt: PROMPT,
			seconds: '12',
			aspect_ratio: '9:16',
			resolution: '1080p',
			input_video: 'https://example.com/source.mp4',
		},
	]);
});

test('omni-fast sends images and no reference video', async () => {
	const result = await runOctopusX({
		credentials,
		parameters: {
			operation: 'submit',
			model: 'omni-fast',
			prompt: PROMPT,
			options: {
				firstImageUrl: 'https://example.com/first.jpg',
				images: ['https://example.com/1.jpg', 'https://example.com/2.jpg'],
			},
		},
	});
	expect(result.error).toBeUndefined();
	const body = sim.requestsTo('submit')[0].json as Record<string, unknown>;
	expect(body).toMatchObject({
		model: 'omni-fast',
		first_image_url: 'https://example.com/first.jpg',
		images: ['https://example.com/1.jpg', 'https://example.com/2.jpg'],
	});
	expect(Object.keys(body)).not.toEqual(expect.arrayContaining(['video']));
});

test('a batch keeps item order and pairing, one task per item', async () => {
	const inputs = [1, 2, 3, 4, 5, 6, 7].map((seed) => mp4Bytes(20_000 + seed * 1000, seed));
	const result = await runOctopusX({
		credentials,
		parameters: { operation: 'submit', prompt: PROMPT },
		items: inputs.map((bytes, i) => ({
			json: { n: i },
			binary: { data: { bytes, mimeType: 'video/mp4' } },
		})),
		chain: [{ parameters: { operation: 'waitUntilDone', options: fast } }],
	});
	expect(result.error).toBeUndefined();
	expect(sim.requestsTo('submit')).toHaveLength(7);
	const [submitted] = result.nodeOutputs(0);
	const [done] = result.outputs;
	expect(done.map((item) => item.pairedItem)).toEqual(inputs.map((_, i) => ({ item: i })));
	for (let i = 0; i < inputs.length; i++) {
		const id = submitted[i].json.id as string;
		// Item i's task is the one made from item i's file, and its video comes back on item i.
		expect(sim.tasks.get(id)?.referenceSha256).toBe(sha256(inputs[i]));
		expect(done[i].json.id).toBe(id);
		expect((await result.binary(done[i])).equals(sim.resultFor(id))).toBe(true);
	}
});

describe('Get Status', () => {
	async function submitted(prompt = PROMPT) {
		const run = await runOctopusX({
			credentials,
			parameters: {
				operation: 'submit',
				prompt,
				videoSource: 'url',
				videoUrl: 'https://example.com/a.mp4',
			},
		});
		return run.outputs[0][0].json.id as string;
	}

	test('reports a running task without downloading anything', async () => {
		const id = await submitted(`${PROMPT} [sim:seconds=30]`);
		const result = await runOctopusX({
			credentials,
			parameters: { operation: 'getStatus', taskId: id, download: true },
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toMatchObject({
			id,
			status: expect.stringMatching(/queued|in_progress/),
		});
		expect(result.outputs[0][0].binary).toBeUndefined();
		expect(sim.requestsTo('cdn')).toHaveLength(0);
	});

	test('downloads a finished task into the chosen field; takes the task id from the previous item', async () => {
		const id = await submitted();
		await new Promise((resolve) => setTimeout(resolve, 600));
		const result = await runOctopusX({
			credentials,
			items: [{ json: { id } }],
			parameters: {
				operation: 'getStatus',
				download: true,
				options: { outputBinaryPropertyName: 'video' },
				taskId: '={{ $json.id }}',
			},
		});
		expect(result.error).toBeUndefined();
		const [[item]] = result.outputs;
		expect(item.json).toMatchObject({ id, status: 'completed' });
		expect(item.binary?.video?.fileName).toBe(`${id}.mp4`);
		expect((await result.binary(item, 'video')).equals(sim.resultFor(id))).toBe(true);
	});

	test('fills video_url from data[0].url and reports a failed task as data', async () => {
		const ok = await submitted(`${PROMPT} [sim:data-array]`);
		const failed = await submitted(`${PROMPT} [sim:fail]`);
		await new Promise((resolve) => setTimeout(resolve, 600));
		const result = await runOctopusX({
			credentials,
			items: [{ json: { id: ok } }, { json: { id: failed } }],
			parameters: { operation: 'getStatus' },
		});
		expect(result.error).toBeUndefined();
		const [[first, second]] = result.outputs;
		expect(first.json).toMatchObject({
			id: ok,
			status: 'succeeded',
			video_url: expect.stringContaining('/files/'),
		});
		expect(second.json).toMatchObject({
			id: failed,
			status: 'failed',
			error: { code: 'generation_failed' },
		});
	});
});

describe('Wait Until Done', () => {
	test('a failed task is an error naming the task, the API message and code', async () => {
		const result = await runOctopusX({
			credentials,
			parameters: byUrl(`${PROMPT} [sim:fail]`),
			chain: [{ parameters: { operation: 'waitUntilDone', options: fast } }],
		});
		const id = result.nodeOutputs(0)[0][0].json.id as string;
		expect(result.error?.message).toContain(`Task ${id} failed`);
		expect(result.error?.message).toContain('the reference video could not be decoded');
		expect(result.error?.message).toContain('generation_failed');
	});

	test.each(['continueRegularOutput', 'continueErrorOutput'] as const)(
		'under %s a failed task becomes an error item with its task id, and the others succeed',
		async (onError) => {
			const prompts = [PROMPT, `${PROMPT} [sim:cancel]`, PROMPT];
			const result = await runOctopusX({
				credentials,
				parameters: byUrl('={{ $json.prompt }}'),
				items: prompts.map((prompt) => ({ json: { prompt } })),
				chain: [{ parameters: { operation: 'waitUntilDone', options: fast }, onError }],
			});
			expect(result.error).toBeUndefined();
			const ids = result.nodeOutputs(0)[0].map((item) => item.json.id as string);
			const all = result.outputs.flat();
			const failedItem = all.find((item) => item.json.error);
			expect(failedItem?.json.error).toMatch(new RegExp(`Task ${ids[1]} cancelled`));
			// On the error output the details sit under `details`, and n8n merges the input item in.
			const details =
				onError === 'continueErrorOutput'
					? (failedItem?.json.details as Record<string, unknown>)
					: failedItem?.json;
			expect(details).toMatchObject({
				task_id: ids[1],
				code: 'task_cancelled',
				description: expect.stringContaining('submit again'),
			});
			expect(failedItem?.pairedItem).toEqual({ item: 1 });
			const succeeded = all.filter((item) => !item.json.error);
			expect(succeeded.map((item) => item.json.id)).toEqual([ids[0], ids[2]]);
			expect(succeeded.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
			if (onError === 'continueErrorOutput') {
				expect(result.outputs[0].map((item) => item.json.id)).toEqual([ids[0], ids[2]]);
				expect(result.outputs[1]).toHaveLength(1);
				expect(result.outputs[1][0].json).toMatchObject({
					id: ids[1],
					task_id: ids[1],
					model: 'omni-fast-v2v',
				});
			}
		},
	);

	test("without Continue On Fail, the error names the other items' tasks so none is lost", async () => {
		const prompts = [PROMPT, `${PROMPT} [sim:fail]`];
		const result = await runOctopusX({
			credentials,
			parameters: byUrl('={{ $json.prompt }}'),
			items: prompts.map((prompt) => ({ json: { prompt } })),
			chain: [{ parameters: { operation: 'waitUntilDone', download: false, options: fast } }],
		});
		const ids = result.nodeOutputs(0)[0].map((item) => item.json.id as string);
		expect(result.error?.message).toContain(ids[1]);
		expect(result.error?.description).toContain(`item 0: task ${ids[0]}`);
	});

	test('an unset Timeout means its default (600 s), not a fraction of a second', async () => {
		const result = await runOctopusX({
			credentials,
			parameters: byUrl(`${PROMPT} [sim:ms=1500]`),
			chain: [
				{
					parameters: { operation: 'waitUntilDone', download: false, options: { pollInterval: 1 } },
				},
			],
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json.status).toBe('completed');
	});

	test('with Download off, only the JSON comes out and nothing is fetched', async () => {
		const result = await runOctopusX({
			credentials,
			parameters: byUrl(PROMPT),
			chain: [{ parameters: { operation: 'waitUntilDone', download: false, options: fast } }],
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json.status).toBe('completed');
		expect(result.outputs[0][0].binary).toBeUndefined();
		expect(sim.requestsTo('cdn')).toHaveLength(0);
		expect(sim.requestsTo('content')).toHaveLength(0);
	});

	test('the API key goes to the API only: the CDN download carries no Authorization header', async () => {
		const result = await runOctopusX({
			credentials,
			parameters: byUrl(PROMPT),
			chain: [{ parameters: { operation: 'waitUntilDone', options: fast } }],
		});
		expect(result.error).toBeUndefined();
		const api = sim.requests.filter((r) => r.server === 'api');
		const cdn = sim.requests.filter((r) => r.server === 'cdn');
		expect(cdn).toHaveLength(1);
		expect(cdn[0].headers.authorization).toBeUndefined();
		expect(api.length).toBeGreaterThan(1);
		for (const request of api) expect(request.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
	});
});
