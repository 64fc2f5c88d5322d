import type { Fault } from '../../simulator';
import { errorFields, getStatus, run, submit, videoItem, waitUntilDone, withSim } from './support';

/**
 * The finished video: a signed `video_url` on another host (fetched without the key) first, the
 * API's own `/v1/videos/{id}/content` (with the key) when that fails. The video must still arrive.
 */
const EXPIRED: Fault = {
	kind: 'raw',
	status: 403,
	body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>\n',
	contentType: 'application/xml',
};

const chain = (prompt = 'a rainy night') => ({
	parameters: submit(prompt),
	items: [videoItem()],
	chain: [{ parameters: waitUntilDone() }],
});

describe('video_url fails: falls back to /content, the video still arrives', () => {
	const CASES: Array<[string, Fault, number, number]> = [
		['expired (403)', EXPIRED, 1, 1],
		['a CDN 503 three times', { kind: 'status', status: 503, retryAfter: 0 }, 3, 3],
		[
			'an HTML page with status 200',
			{ kind: 'raw', status: 200, body: '<html>login</html>', contentType: 'text/html' },
			1,
			1,
		],
	];
	test.concurrent.each(CASES)('%s', async (_name, fault, times, cdnRequests) => {
		await withSim(async (sim) => {
			sim.inject('cdn', fault, times);
			const result = await run(sim, chain());

			expect(result.error).toBeUndefined();
			const [task] = sim.tasks.values();
			const item = result.outputs[0][0];
			expect(await result.binary(item)).toEqual(sim.resultFor(task.id));
			expect(item.binary?.data).toMatchObject({
				mimeType: 'video/mp4',
				fileName: `${task.id}.mp4`,
			});
			expect(sim.requestsTo('cdn')).toHaveLength(cdnRequests);
			const content = sim.requestsTo('content');
			expect(content).toHaveLength(1);
			expect(content[0].path).toBe(`/v1/videos/${task.id}/content`);
			// The API's own route gets the key; the CDN never does (checked for every run by `run`).
			expect(content[0].headers.authorization).toBe(`Bearer ${sim.apiKey}`);
		});
	});

	test.concurrent.each<[string, Fault]>([
		['a 502', { kind: 'status', status: 502, retryAfter: 0 }],
		['a connection reset', { kind: 'reset' }],
	])('%s on the CDN is retried there, no fallback needed', async (_name, fault) => {
		await withSim(async (sim) => {
			sim.inject('cdn', fault);
			const result = await run(sim, chain());

			expect(result.error).toBeUndefined();
			const [task] = sim.tasks.values();
			expect(await result.binary(result.outputs[0][0])).toEqual(sim.resultFor(task.id));
			expect(sim.requestsTo('cdn').map((r) => r.status)).toEqual([
				fault.kind === 'reset' ? 0 : 502,
				200,
			]);
			expect(sim.requestsTo('content')).toHaveLength(0);
		});
	});

	test.concurrent('Get Status with Download: the same fallback', async () => {
		await withSim(async (sim) => {
			const submitted = await run(sim, {
				parameters: submit('a rainy night'),
				items: [videoItem()],
			});
			const taskId = submitted.outputs[0][0].json.id as string;
			await new Promise((resolve) => setTimeout(resolve, 500));
			sim.inject('cdn', EXPIRED);
			const result = await run(sim, { parameters: getStatus(taskId, { download: true }) });

			expect(result.error).toBeUndefined();
			expect(result.outputs[0][0].json.status).toBe('completed');
			expect(await result.binary(result.outputs[0][0])).toEqual(sim.resultFor(taskId));
			expect(sim.requestsTo('content')).toHaveLength(1);
		});
	});

	test.concurrent('both fail: an error naming the task, saying nothing is lost', async () => {
		await withSim(async (sim) => {
			sim.inject('cdn', EXPIRED);
			sim.inject('content', { kind: 'status', status: 500, retryAfter: 0 }, 3);
			const result = await run(sim, { ...chain(), onError: undefined });

			const [task] = sim.tasks.values();
			expect(result.error?.message).toBe(
				`Task ${task.id} is done, but its video could not be downloaded (video_url: HTTP 403; /content: HTTP 500)`,
			);
			expect(result.error?.description).toMatch(/Nothing is lost/);
			expect(result.error?.context?.taskId).toBe(task.id);
			expect(sim.requestsTo('cdn')).toHaveLength(1);
			expect(sim.requestsTo('content')).toHaveLength(3);
			// Never a second task for a download problem.
			expect(sim.requestsTo('submit')).toHaveLength(1);
		});
	});
});

describe('the result only in data[0].url, status words "processing" and "succeeded"', () => {
	test.concurrent('Wait Until Done: video_url filled in, the video downloaded', async () => {
		await withSim(
			async (sim) => {
				const result = await run(sim, chain('a rainy night [sim:data-array]'));

				expect(result.error).toBeUndefined();
				const [task] = sim.tasks.values();
				expect(task.resultStyle).toBe('data_array');
				const item = result.outputs[0][0];
				expect(item.json.status).toBe('succeeded');
				expect(item.json.video_url).toBe((item.json.data as Array<{ url: string }>)[0].url);
				expect(String(item.json.video_url)).toContain(sim.cdnBaseUrl);
				expect(await result.binary(item)).toEqual(sim.resultFor(task.id));
				// At least one look fell in the running phase, where the word is "processing".
				const running = sim
					.requestsTo('status')
					.filter(
						(r) =>
							r.at - task.createdAt > task.durationMs * 0.2 &&
							r.at - task.createdAt < task.durationMs,
					);
				expect(running.length).toBeGreaterThan(0);
				expect(sim.requestsTo('content')).toHaveLength(0);
			},
			{ taskDurationMs: 1500 },
		);
	});

	test.concurrent(
		'Get Status: "processing" is reported as running, "succeeded" downloads',
		async () => {
			await withSim(
				async (sim) => {
					const submitted = await run(sim, {
						parameters: submit('a rainy night [sim:data-array]'),
						items: [videoItem()],
					});
					const taskId = submitted.outputs[0][0].json.id as string;
					await new Promise((resolve) => setTimeout(resolve, 500));
					const running = await run(sim, { parameters: getStatus(taskId, { download: true }) });
					expect(running.outputs[0][0].json.status).toBe('processing');
					expect(running.outputs[0][0].binary).toBeUndefined();

					await new Promise((resolve) => setTimeout(resolve, 1200));
					const done = await run(sim, { parameters: getStatus(taskId, { download: true }) });
					expect(done.outputs[0][0].json.status).toBe('succeeded');
					expect(await done.binary(done.outputs[0][0])).toEqual(sim.resultFor(taskId));
				},
				{ taskDurationMs: 1500 },
			);
		},
	);
});

test.concurrent(
	'under continue-on-fail, a download failure keeps the task id on the item',
	async () => {
		await withSim(async (sim) => {
			sim.inject('cdn', EXPIRED);
			sim.inject('content', { kind: 'status', status: 404 });
			const result = await run(sim, {
				...chain(),
				chain: [{ parameters: waitUntilDone(), onError: 'continueRegularOutput' }],
			});

			const [task] = sim.tasks.values();
			expect(errorFields(result.outputs[0][0])).toMatchObject({ task_id: task.id });
		});
	},
);
