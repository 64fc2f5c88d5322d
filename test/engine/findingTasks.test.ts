import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { OctopusSimulator } from '../simulator';
import { mp4Bytes } from './fixtures';
import { NODE_TYPE, runOctopusX } from './harness';
import { getEngine } from './harness/engine';
import { useN8nLogger, type N8nLogOutput } from './harness/n8n-logger';
import type { RunResult } from './harness';

/**
 * Every paid task findable: what the node writes to n8n's log, and the task ids it leaves on the
 * execution as custom data. The log is n8n's real logger (@n8n/backend-common's `Logger`, as
 * `n8n start` and `n8n worker` build it) at the level under test, its console output caught in
 * memory: `printed` is what an operator reads at that level, `records` the same with metadata.
 */
let sim: OctopusSimulator;
let credentials: { apiKey: string; baseUrl: string };
let log: N8nLogOutput;

// A prompt no log line may repeat: distinctive words, longer than any line would quote.
const PROMPT =
	'Keep the camera path; turn the harbour into a moonlit winter scene with lanterns on every boat';

beforeAll(async () => {
	sim = await OctopusSimulator.start({ taskDurationMs: 1500 });
	credentials = { apiKey: sim.apiKey, baseUrl: sim.baseUrl };
	await getEngine();
	log = useN8nLogger('info');
});
afterAll(async () => sim.stop());
beforeEach(() => {
	sim.reset();
	log.clear();
});

const fast = { pollInterval: 1, timeout: 30 };
const byUrl = (prompt: string) => ({
	operation: 'submit',
	prompt,
	videoSource: 'url',
	videoUrl: 'https://videos.example.com/clips/harbour.mp4?sig=secret-signature',
});
const ours = () => log.printed.filter((line) => line.startsWith('OctopusX: '));
const idsOf = (result: RunResult, node = 0) =>
	result.nodeOutputs(node)[0].map((item) => item.json.id as string);
const tail = (result: RunResult, node: string, item: number, task: string) =>
	`workflow=${result.workflowId} execution=${result.executionId} node="${node}" item=${item} task=${task}`;

describe("log lines through n8n's logger, at its default level (info)", () => {
	// A night of 500 tasks, in small: 40 tasks, 80 lines, however often they were polled.
	test('a batch reads as one submit and one end per task, each with its ids; polls are not printed', async () => {
		const items = [
			{
				json: { prompt: PROMPT },
				binary: {
					data: { bytes: mp4Bytes(300 * 1024), mimeType: 'video/mp4', fileName: 'in.mp4' },
				},
			},
			...Array.from({ length: 39 }, () => ({ json: { prompt: PROMPT } })),
		];
		const result = await runOctopusX({
			credentials,
			parameters: {
				operation: 'submit',
				prompt: '={{ $json.prompt }}',
				videoSource: '={{ $binary?.data ? "binary" : "url" }}',
				videoUrl: 'https://videos.example.com/clips/harbour.mp4?sig=secret-signature',
			},
			items,
			chain: [{ parameters: { operation: 'waitUntilDone', options: fast } }],
		});
		expect(result.error).toBeUndefined();
		const ids = idsOf(result);
		expect(new Set(ids).size).toBe(40);
		// Tasks of 1.5 s polled every second or sooner: several checks each, none of them printed.
		expect(sim.requestsTo('status').length).toBeGreaterThanOrEqual(80);

		const lines = ours();
		expect(lines).toHaveLength(80);
		ids.forEach((id, i) => {
			const reference =
				i === 0
					? 'reference video: binary file of 300.0 KiB (307200 bytes)'
					: 'reference video: URL on videos.example.com';
			expect(lines).toContain(
				`OctopusX: task ${id} submitted (model omni-fast-v2v, ${reference}, prompt of ${PROMPT.length} characters) ${tail(result, 'OctopusX', i, id)}`,
			);
			const end = lines.filter((line) => line.endsWith(tail(result, 'OctopusX1', i, id)));
			expect(end).toHaveLength(1);
			expect(end[0]).toMatch(
				new RegExp(
					`^OctopusX: task ${id} completed, [0-9.]+ s after its submit, video of [0-9.]+ KiB \\(\\d+ bytes\\) downloaded `,
				),
			);
		});
		// The video size is the downloaded file's.
		expect(
			log.records.find((r) => r.meta.event === 'octopusx.task.finished' && r.meta.taskId === ids[0])
				?.meta,
		).toMatchObject({
			workflowId: result.workflowId,
			executionId: result.executionId,
			nodeName: 'OctopusX1',
			itemIndex: 0,
			taskId: ids[0],
			status: 'completed',
			videoBytes: sim.resultFor(ids[0]).length,
		});

		// Neither the key nor the prompt's text nor the signed URL's query is anywhere in the log.
		const everything = JSON.stringify(log.records) + log.printed.join('\n');
		expect(everything).not.toContain(sim.apiKey);
		expect(everything).not.toContain('moonlit winter');
		expect(everything).not.toContain('secret-signature');
	});

	test('a failed task, a timeout and rate limits: one line each for the start and the end of a wait', async () => {
		sim.inject('submit', { kind: 'status', status: 429, retryAfter: 1 });
		const result = await runOctopusX({
			credentials,
			onError: 'continueRegularOutput',
			parameters: byUrl('={{ $json.prompt }}'),
			items: [{ json: { prompt: 'one [sim:fail]' } }, { json: { prompt: 'two [sim:never]' } }],
			chain: [
				{
					parameters: { operation: 'waitUntilDone', options: { pollInterval: 1, timeout: 3 } },
					onError: 'continueRegularOutput',
				},
			],
		});
		const [failed, endless] = idsOf(result);
		const lines = ours();
		expect(lines).toEqual(
			expect.arrayContaining([
				expect.stringMatching(
					new RegExp(
						`^OctopusX: rate limit \\(HTTP 429\\) on submit: waiting 1\\.0 s, then try 2 of 6 workflow=${result.workflowId} execution=${result.executionId} node="OctopusX" item=[01] task=none$`,
					),
				),
				expect.stringMatching(
					/^OctopusX: rate limit wait on submit over after 1\.0 s .* node="OctopusX" item=[01] task=none$/,
				),
				expect.stringMatching(
					new RegExp(
						`^OctopusX: task ${failed} ended failed [0-9.]+ s after its submit \\(code generation_failed\\) ${tail(result, 'OctopusX1', 0, failed)}$`,
					),
				),
				`OctopusX: task ${endless} not done after 3.0 s (last status in_progress 99%): stopped waiting, the task is left running at OctopusX; pick it up with Get Status ${tail(result, 'OctopusX1', 1, endless)}`,
			]),
		);
		// Two submits, two ends, and the rate limit's start and end: nothing else at info.
		expect(lines).toHaveLength(6);
		expect(log.records.filter((r) => r.level === 'warn').map((r) => r.meta.event)).toEqual([
			'octopusx.task.failed',
			'octopusx.task.timeout',
		]);
	});

	test('a 429 while waiting holds back every task: one start and one end line for the run', async () => {
		// The first status check is refused; the wait follows three tasks of this run.
		sim.inject('status', { kind: 'status', status: 429, retryAfter: 1 });
		const again = await runOctopusX({
			credentials,
			parameters: byUrl('={{ $json.prompt }}'),
			items: [{ json: { prompt: 'a' } }, { json: { prompt: 'b' } }, { json: { prompt: 'c' } }],
			chain: [{ parameters: { operation: 'waitUntilDone', options: fast } }],
		});
		expect(again.error).toBeUndefined();
		expect(sim.requestsTo('status').filter((r) => r.faulted)).toHaveLength(1);
		const waits = ours().filter((line) => /rate limit/.test(line));
		expect(waits).toEqual([
			expect.stringMatching(
				/^OctopusX: rate limit \(HTTP 429\) on status checks: waiting 1\.0 s workflow=.* node="OctopusX1" item=\d task=video_\w+$/,
			),
			expect.stringMatching(
				/^OctopusX: rate limit wait on status checks over after 1\.\d s workflow=.* node="OctopusX1" item=\d task=video_\w+$/,
			),
		]);
		expect(ours()).toHaveLength(8);
	});

	test('Submit with Wait for Completion: one submit and one end line per task, from the one node', async () => {
		const result = await runOctopusX({
			credentials,
			parameters: {
				...byUrl('={{ $json.prompt }}'),
				waitForCompletion: true,
				options: fast,
			},
			items: [{ json: { prompt: 'a' } }, { json: { prompt: 'b' } }, { json: { prompt: 'c' } }],
		});
		expect(result.error).toBeUndefined();
		const ids = idsOf(result);
		expect(ours()).toHaveLength(6);
		ids.forEach((id, i) => {
			const about = ours().filter((line) => line.endsWith(tail(result, 'OctopusX', i, id)));
			expect(about).toEqual([
				expect.stringMatching(new RegExp(`^OctopusX: task ${id} submitted `)),
				expect.stringMatching(new RegExp(`^OctopusX: task ${id} completed, .* downloaded `)),
			]);
		});
	});

	test('a task Submit watches only to know when its slot frees ends in the log once, at Wait Until Done', async () => {
		// One task at a time on this key: Submit watches item 0's task until it fails, then sends item 1.
		const limited = await OctopusSimulator.start({ taskDurationMs: 600, maxConcurrentTasks: 1 });
		try {
			const result = await runOctopusX({
				credentials: { apiKey: limited.apiKey, baseUrl: limited.baseUrl },
				onError: 'continueRegularOutput',
				parameters: { ...byUrl('={{ $json.prompt }}'), options: { pollInterval: 1 } },
				items: [{ json: { prompt: 'first [sim:fail]' } }, { json: { prompt: 'second' } }],
				chain: [
					{
						parameters: { operation: 'waitUntilDone', options: fast },
						onError: 'continueRegularOutput',
					},
				],
			});
			const [failed, done] = idsOf(result);
			expect(limited.requestsTo('submit').filter((r) => r.status === 429).length).toBeGreaterThan(
				0,
			);
			const ends = (id: string) =>
				ours().filter(
					(line) => line.startsWith(`OctopusX: task ${id} `) && !line.includes(' submitted ('),
				);
			expect(ends(failed)).toEqual([
				expect.stringMatching(
					new RegExp(`^OctopusX: task ${failed} ended failed .* node="OctopusX1" item=0 `),
				),
			]);
			expect(ends(done)).toEqual([
				expect.stringMatching(
					new RegExp(`^OctopusX: task ${done} completed, .* node="OctopusX1" item=1 `),
				),
			]);
		} finally {
			await limited.stop();
		}
	});

	test('a wait for a free slot: one line when the item starts waiting, one when it is sent or given up', async () => {
		const limited = await OctopusSimulator.start({ taskDurationMs: 1200, maxConcurrentTasks: 1 });
		try {
			const result = await runOctopusX({
				credentials: { apiKey: limited.apiKey, baseUrl: limited.baseUrl },
				onError: 'continueRegularOutput',
				parameters: {
					...byUrl('={{ $json.prompt }}'),
					options: { pollInterval: 1, freeSlotWaitMinutes: 0.05 },
				},
				// Item 1 waits for item 0's task, then gets its slot; item 2 waits behind a task that
				// never ends, and is given up after 3 s.
				items: [
					{ json: { prompt: 'first' } },
					{ json: { prompt: 'second [sim:never]' } },
					{ json: { prompt: 'third' } },
				],
			});
			expect(result.error).toBeUndefined();
			const slots = ours().filter((line) => /free task slot|waits to be submitted/.test(line));
			expect(slots).toEqual([
				expect.stringMatching(
					/^OctopusX: no free task slot on the key \(token_concurrency_limit_reached\): item waits to be submitted \(1 tasks of this run still running\) .* item=1 task=-?/,
				),
				expect.stringMatching(
					/^OctopusX: waited \d+(\.\d)? s for a free task slot: a slot is free, submitting .* item=1 /,
				),
				expect.stringMatching(/^OctopusX: no free task slot on the key .* item=2 /),
				expect.stringMatching(
					/^OctopusX: waited \d+(\.\d)? s for a free task slot: gave up, nothing was submitted for this item .* item=2 /,
				),
			]);
			expect(slots.join('\n')).not.toContain(limited.apiKey);
		} finally {
			await limited.stop();
		}
	});

	test('Get Status prints a line when it downloads a video, not for a routine look-up', async () => {
		const submitted = await runOctopusX({ credentials, parameters: byUrl('x [sim:ms=200]') });
		const [id] = idsOf(submitted);
		await new Promise((resolve) => setTimeout(resolve, 400));
		log.clear();
		await runOctopusX({
			credentials,
			parameters: { operation: 'getStatus', taskId: id, download: false },
		});
		expect(ours()).toEqual([]);
		const fetched = await runOctopusX({
			credentials,
			parameters: { operation: 'getStatus', taskId: id, download: true },
		});
		expect(ours()).toEqual([
			expect.stringMatching(
				new RegExp(
					`^OctopusX: task ${id} completed, [0-9.]+ s after its submit, video of .* downloaded ${tail(fetched, 'OctopusX', 0, id)}$`,
				),
			),
		]);
	});
});

test('at debug level each status check is a line of its own', async () => {
	const debug = useN8nLogger('debug');
	try {
		const result = await runOctopusX({
			credentials,
			parameters: byUrl('x'),
			chain: [{ parameters: { operation: 'waitUntilDone', options: fast } }],
		});
		const [id] = idsOf(result);
		const polls = debug.records.filter((r) => r.meta.event === 'octopusx.task.polled');
		expect(polls.length).toBe(sim.requestsTo('status').length);
		expect(polls[0].message).toMatch(
			new RegExp(
				`^OctopusX: task ${id} is queued 0% \\(check 1\\) ${tail(result, 'OctopusX1', 0, id)}$`,
			),
		);
	} finally {
		log = useN8nLogger('info');
	}
});

describe('the task ids as execution custom data', () => {
	const metadata = (result: RunResult) => result.run.data.resultData.metadata;

	test('written as each submit succeeds: the ids and their count, across the nodes of a run', async () => {
		const result = await runOctopusX({
			credentials,
			onError: 'continueRegularOutput',
			parameters: byUrl('={{ $json.prompt }}'),
			// The middle item is refused before anything is sent: no task, no id.
			items: [{ json: { prompt: 'a' } }, { json: { prompt: '' } }, { json: { prompt: 'c' } }],
			chain: [{ parameters: byUrl('second node') }],
		});
		const first = idsOf(result, 0).filter(Boolean);
		const second = idsOf(result, 1);
		expect(first).toHaveLength(2);
		expect(second).toHaveLength(3);
		expect(metadata(result)).toEqual({
			octopusx_task_ids: [...first, ...second].join(','),
			octopusx_task_count: '5',
		});
	});

	test('beyond 255 characters the list keeps the first ids and the count goes on', async () => {
		const items = Array.from({ length: 20 }, (_, i) => ({ json: { prompt: `clip ${i}` } }));
		const result = await runOctopusX({
			credentials,
			parameters: byUrl('={{ $json.prompt }}'),
			items,
		});
		const ids = idsOf(result);
		const listed = String(metadata(result)?.octopusx_task_ids).split(',');
		expect(String(metadata(result)?.octopusx_task_ids).length).toBeLessThanOrEqual(255);
		expect(listed.length).toBeLessThan(20);
		expect(listed).toEqual(ids.slice(0, listed.length));
		expect(metadata(result)?.octopusx_task_count).toBe('20');
		// n8n logs an error for custom data values over 255 characters: none here.
		expect(log.records.filter((r) => r.level === 'error')).toEqual([]);
	});

	test('Get Status and Wait Until Done create no task and write none', async () => {
		const submitted = await runOctopusX({ credentials, parameters: byUrl('x [sim:ms=100]') });
		const result = await runOctopusX({
			credentials,
			parameters: { operation: 'waitUntilDone', taskId: idsOf(submitted)[0], options: fast },
		});
		expect(result.error).toBeUndefined();
		expect(metadata(result) ?? {}).toEqual({});
	});
});

describe("as an AI Agent's tool, errors name the model's argument", () => {
	const TOOL = `${NODE_TYPE}Tool`;
	const args = {
		prompt: 'Make it snow',
		video_url: 'https://videos.example.com/a.mp4',
		duration_seconds: 8,
		aspect_ratio: '16:9',
		resolution: '720p',
	};
	const asTool = async (parameters: INodeParameters, json: IDataObject) => {
		const result = await runOctopusX({
			credentials,
			nodeType: TOOL,
			parameters,
			items: [{ json }],
		});
		expect(result.error).toBeUndefined();
		return result.outputs[0][0].json as { error?: string; description?: string };
	};

	test.each([
		[
			'duration_seconds',
			45,
			/^Argument 'duration_seconds' is 45, outside what OctopusX takes$/,
			/Use a whole number of seconds from 4 to 30\. Call the tool again with a corrected 'duration_seconds' \(the editor calls this parameter 'Duration \(Seconds\)'\)\./,
		],
		[
			'aspect_ratio',
			'4:3',
			/^Argument 'aspect_ratio' is "4:3", which OctopusX does not take$/,
			/Use one of: 16:9, 9:16\..* corrected 'aspect_ratio'/,
		],
		[
			'resolution',
			'8k',
			/^Argument 'resolution' is "8k", which OctopusX does not take$/,
			/corrected 'resolution'/,
		],
		[
			'video_url',
			'file:///etc/passwd',
			/^Argument 'video_url' is not a public http\(s\) URL: "file:\/\/\/etc\/passwd"$/,
			/corrected 'video_url' \(the editor calls this parameter 'Video URL'\)/,
		],
		['prompt', '  ', /^Argument 'prompt' is empty$/, /corrected 'prompt'/],
	])('Submit: a bad %s', async (argument, value, message, description) => {
		const answer = await asTool({ operation: 'submit' }, { ...args, [argument]: value });
		expect(answer.error).toMatch(message);
		expect(answer.description).toMatch(description);
		expect(sim.requestsTo('submit')).toHaveLength(0);
	});

	test('Get Status: a bad task_id', async () => {
		const answer = await asTool({ operation: 'getStatus' }, { task_id: 'the video from before' });
		expect(answer.error).toBe("Argument 'task_id' is not a task id: 'the video from before'");
		expect(answer.description).toMatch(
			/corrected 'task_id' \(the editor calls this parameter 'Task ID'\)/,
		);
		expect(sim.requests).toHaveLength(0);
	});

	test('a parameter the user fixed keeps its editor name: the model cannot change it', async () => {
		const answer = await asTool({ operation: 'submit', seconds: 45 }, args);
		expect(answer.error).toBe("'Duration (Seconds)' is 45, outside what OctopusX takes");
		expect(answer.description).not.toMatch(/Call the tool again/);
	});
});
