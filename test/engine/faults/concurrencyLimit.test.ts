import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { OctopusSimulator } from '../../simulator';
import type { InputItem, RunResult } from '../harness';
import {
	KEY,
	errorFields,
	gaps,
	run,
	submit,
	taskIdOf,
	videoItem,
	waitUntilDone,
	withSim,
} from './support';

/**
 * OctopusX runs only so many tasks at once per API key and refuses a submit beyond that with 429
 * `token_concurrency_limit_reached` (no Retry-After) until one of the key's tasks finishes. An item
 * refused so waits for a free slot; it is never an error while patience lasts, never paid twice.
 */

/** A task another app starts on the same key: it holds a slot the node knows nothing of. */
async function foreignTask(sim: OctopusSimulator, prompt: string): Promise<string> {
	const answer = await fetch(`${sim.baseUrl}/v1/videos`, {
		method: 'POST',
		headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'omni-fast', prompt }),
	});
	expect(answer.status).toBe(200);
	return ((await answer.json()) as { id: string }).id;
}

const prompts = (n: number, suffix = '') =>
	Array.from({ length: n }, (_, i) => videoItem({ prompt: `clip ${i}${suffix}` }));

/** The submits the simulator received, in the order they arrived. */
const submitsInOrder = (sim: OctopusSimulator) =>
	sim.requestsTo('submit').sort((a, b) => a.seq - b.seq);

/** Each item's output names the task made from its own prompt (`clip i` and `suffix`), in item order. */
function expectOwnTasksInOrder(
	sim: OctopusSimulator,
	out: Array<{ json: object; pairedItem?: unknown }>,
	suffix = '',
) {
	out.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		const task = sim.tasks.get(taskIdOf(item.json as Record<string, unknown>) as string);
		expect(task?.prompt).toBe(`clip ${i}${suffix}`);
	});
}

/** Each output item carries, byte for byte, the video of the task it names. */
async function expectEveryVideo(
	sim: OctopusSimulator,
	result: RunResult,
	out: INodeExecutionData[],
) {
	for (const item of out) {
		expect(await result.binary(item)).toEqual(sim.resultFor(item.json.id as string));
	}
}

describe('the key runs as many tasks as OctopusX allows', () => {
	test.concurrent(
		'own tasks hold the slots: 6 items with a limit of 2 all deliver, one task each, in order',
		async () => {
			await withSim(
				async (sim) => {
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}', { options: { pollInterval: 1 } }),
						items: prompts(6),
						chain: [{ parameters: waitUntilDone() }],
					});

					expect(result.error).toBeUndefined();
					const submits = sim.requestsTo('submit');
					expect(submits.filter((r) => r.status === 200)).toHaveLength(6);
					expect(sim.tasks.size).toBe(6);
					// The first wave (5 uploads at once, 3 refused), then it refills its 2 slots as its own
					// tasks end, beside at most one probe for each of them that finished while items waited
					// (4): not one a second, as a probe alone by the clock would (9 s of waiting).
					expect(submits.filter((r) => r.status === 429).length).toBeLessThanOrEqual(3 + 4);
					expect(sim.maxInFlight('submit')).toBeLessThanOrEqual(5);
					const out = result.outputs[0];
					expect(out).toHaveLength(6);
					expectOwnTasksInOrder(sim, out);
					await expectEveryVideo(sim, result, out);
				},
				{ maxConcurrentTasks: 2, taskDurationMs: 3000 },
			);
		},
	);

	test.concurrent(
		'the next item goes out as soon as an own task finishes, not on a backoff timer',
		async () => {
			await withSim(
				async (sim) => {
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}', { options: { pollInterval: 1 } }),
						items: prompts(2),
					});

					expect(result.error).toBeUndefined();
					const accepted = sim.requestsTo('submit').filter((r) => r.status === 200);
					expect(accepted).toHaveLength(2);
					const [first] = [...sim.tasks.values()].sort((a, b) => a.createdAt - b.createdAt);
					// The first task ends 3 s after it was created; the second item follows within a
					// poll interval (1 s, plus slack for a busy machine), not when a blind backoff (2 s, then 4 s
					// more) would try again, 3 s late.
					const second = accepted.sort((a, b) => a.seq - b.seq)[1];
					expect(second.at - (first.createdAt + 3000)).toBeLessThan(2000);
					expect(second.at - (first.createdAt + 3000)).toBeGreaterThanOrEqual(0);
					expectOwnTasksInOrder(sim, result.outputs[0]);
				},
				{ maxConcurrentTasks: 1, taskDurationMs: 3000 },
			);
		},
	);

	test.concurrent(
		'Max Tasks at Once set to the limit: the batch is paced without a single refusal',
		async () => {
			await withSim(
				async (sim) => {
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}', {
							waitForCompletion: true,
							options: { maxTasksAtOnce: 2, pollInterval: 1, timeout: 30 },
						}),
						items: prompts(5),
					});

					expect(result.error).toBeUndefined();
					const submits = sim.requestsTo('submit');
					expect(submits.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
					expect(sim.maxInFlight('submit')).toBeLessThanOrEqual(2);
					const out = result.outputs[0];
					expectOwnTasksInOrder(sim, out);
					for (const item of out) {
						expect(item.json.status).toBe('completed');
						expect(await result.binary(item)).toEqual(sim.resultFor(item.json.id as string));
					}
				},
				{ maxConcurrentTasks: 2, taskDurationMs: 1000 },
			);
		},
	);

	test.concurrent(
		'Wait for Completion is a pipeline: the first video is downloaded before the last item is sent',
		async () => {
			await withSim(
				async (sim) => {
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}', {
							waitForCompletion: true,
							options: { pollInterval: 1, timeout: 30 },
						}),
						items: prompts(6),
					});

					expect(result.error).toBeUndefined();
					expect(sim.tasks.size).toBe(6);
					const lastSubmit = Math.max(
						...sim
							.requestsTo('submit')
							.filter((r) => r.status === 200)
							.map((r) => r.at),
					);
					const firstDownload = Math.min(
						...sim.requests.filter((r) => r.server === 'cdn').map((r) => r.at),
					);
					expect(firstDownload).toBeLessThan(lastSubmit);
					const out = result.outputs[0];
					expectOwnTasksInOrder(sim, out);
					await expectEveryVideo(sim, result, out);
				},
				{ maxConcurrentTasks: 2, taskDurationMs: 1200 },
			);
		},
	);

	test.concurrent(
		'slots held by another app: a small submit probes again about every second, one at a time',
		async () => {
			await withSim(
				async (sim) => {
					await foreignTask(sim, 'another app [sim:ms=4000]');
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}'),
						items: prompts(1),
					});

					expect(result.error).toBeUndefined();
					const submits = submitsInOrder(sim);
					const statuses = submits.map((r) => r.status);
					// The foreign submit, refusals about 1 s apart (±25 %), then the item's task.
					expect(statuses[0]).toBe(200);
					expect(statuses.at(-1)).toBe(200);
					expect(statuses.slice(1, -1).every((status) => status === 429)).toBe(true);
					expect(statuses.length).toBeGreaterThanOrEqual(4);
					for (const gap of gaps(submits).slice(1)) {
						expect(gap).toBeGreaterThanOrEqual(750 - 50);
						expect(gap).toBeLessThanOrEqual(1250 + 1000);
					}
					const foreign = [...sim.tasks.values()].find((task) =>
						task.prompt.startsWith('another'),
					)!;
					expect(submits.at(-1)!.at).toBeGreaterThanOrEqual(foreign.createdAt + 4000);
					expect(sim.tasks.size).toBe(2);
					expectOwnTasksInOrder(sim, result.outputs[0]);
				},
				{ maxConcurrentTasks: 1 },
			);
		},
	);

	test.concurrent(
		'a URL reference is probed sooner than a large upload: about 1 s against about 12 s for a 2 MB clip',
		async () => {
			const firstRetry = async (item: InputItem, parameters: INodeParameters) =>
				await withSim(
					async (sim) => {
						await foreignTask(sim, 'another app [sim:ms=2500]');
						const result = await run(sim, { parameters, items: [item] });
						expect(result.error).toBeUndefined();
						const submits = submitsInOrder(sim);
						expect(submits[1].status).toBe(429);
						expect(submits.at(-1)?.status).toBe(200);
						expect(sim.tasks.size).toBe(2);
						return { gap: gaps(submits)[1], tries: submits.length - 1 };
					},
					{ maxConcurrentTasks: 1 },
				);
			const [url, clip] = await Promise.all([
				firstRetry(
					videoItem({ prompt: 'clip 0', url: 'https://videos.example.com/clip.mp4' }),
					submit('={{ $json.prompt }}', {
						videoSource: 'url',
						videoUrl: '={{ $json.url }}',
					}),
				),
				// 2 MB is a 2.67 MB body: 1 s + 4 s per MB = 11.7 s, at least 8.8 s with the jitter.
				firstRetry(videoItem({ prompt: 'clip 0' }, 2_000_000), submit('={{ $json.prompt }}')),
			]);
			expect(url.gap).toBeLessThanOrEqual(1250 + 1000);
			expect(url.tries).toBeGreaterThanOrEqual(2);
			expect(clip.gap).toBeGreaterThanOrEqual(8800 - 50);
			// The clip's one refused upload; it was accepted on its second try.
			expect(clip.tries).toBe(2);
		},
	);

	test.concurrent(
		'large clips alone on the key: no probe beyond the first wave, the refused bytes already over budget',
		async () => {
			await withSim(
				async (sim) => {
					// 1 MB clips (1.33 MB bodies, a probe every 6.3 s ± 25 %), one slot, tasks of 4 s: the
					// first wave refuses 2 (2.7 MB, over 1 MB plus a quarter of 1.3 MB accepted), so no probe
					// goes while the second clip's task runs; each clip goes when a slot frees.
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}', { options: { pollInterval: 1 } }),
						items: prompts(3).map((item) => videoItem(item.json, 1_000_000)),
					});

					expect(result.error).toBeUndefined();
					const statuses = submitsInOrder(sim).map((r) => r.status);
					expect(statuses.filter((status) => status === 429)).toHaveLength(2);
					expect(statuses.slice(3)).toEqual([200, 200]);
					expectOwnTasksInOrder(sim, result.outputs[0]);
				},
				{ maxConcurrentTasks: 1, taskDurationMs: 4000 },
			);
		},
	);

	test.concurrent(
		'beyond what the key gave the run, one probe at a time: after the first wave no two submits overlap',
		async () => {
			await withSim(
				async (sim) => {
					// Holds one of the key's two slots for 3 s: the run's share is 1 until it ends.
					await foreignTask(sim, 'another app [sim:ms=3000]');
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}'),
						items: prompts(4, ' [sim:ms=3500]'),
					});

					expect(result.error).toBeUndefined();
					const submits = submitsInOrder(sim).slice(1);
					// The first wave: the 4 uploads at once (1 accepted, 3 refused). Nothing more goes out
					// before all four are answered, and after them one submit at a time.
					const [wave, after] = [submits.slice(0, 4), submits.slice(4)];
					expect(wave.filter((r) => r.status === 429)).toHaveLength(3);
					const waveEnd = Math.max(...wave.map((r) => r.endAt!));
					expect(after[0].at).toBeGreaterThanOrEqual(waveEnd);
					for (let i = 1; i < after.length; i++) {
						expect(after[i].at).toBeGreaterThanOrEqual(after[i - 1].endAt!);
					}
					expect(after.filter((r) => r.status === 200)).toHaveLength(3);
					expect(sim.tasks.size).toBe(5);
					expectOwnTasksInOrder(sim, result.outputs[0], ' [sim:ms=3500]');
				},
				{ maxConcurrentTasks: 2 },
			);
		},
	);

	test.concurrent(
		'patience runs out: unsent items go to the error output with no task id, the sent one goes on',
		async () => {
			await withSim(
				async (sim) => {
					await foreignTask(sim, 'another app [sim:never]');
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}', {
							// 3 s
							options: { freeSlotWaitMinutes: 0.05, pollInterval: 1 },
						}),
						items: prompts(3, ' [sim:never]'),
						onError: 'continueErrorOutput',
					});

					expect(result.error).toBeUndefined();
					const [ok, failed] = result.outputs;
					// One item got the key's last slot (the three uploads go out together, so any of
					// them may); the two others never did, and keep their order.
					expect(ok).toHaveLength(1);
					const winner = (ok[0].pairedItem as { item: number }).item;
					expect(sim.tasks.get(ok[0].json.id as string)?.prompt).toBe(`clip ${winner} [sim:never]`);
					expect(failed.map((item) => item.pairedItem)).toEqual(
						[0, 1, 2].filter((i) => i !== winner).map((item) => ({ item })),
					);
					// n8n merges the input item into an error-output item only when the node has a previous
					// node (here it is the first): the end-to-end batch case checks that part.
					for (const item of failed) {
						const fields = errorFields(item);
						expect(String(fields.error ?? fields.message)).toMatch(/^Not submitted/);
						expect(String(fields.description ?? fields.message)).toMatch(
							/NOT submitted and nothing was paid.*safe to run it again/,
						);
						expect(taskIdOf(fields)).toBeUndefined();
					}
					// Two tasks: the other app's and item 0's; each refusal created nothing.
					expect(sim.tasks.size).toBe(2);
					expect(result.durationMs).toBeLessThan(10_000);
				},
				{ maxConcurrentTasks: 2 },
			);
		},
	);

	test.concurrent(
		'patience runs out without Continue On Fail: the error says not submitted and names the task that was',
		async () => {
			await withSim(
				async (sim) => {
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}', {
							options: { freeSlotWaitMinutes: 0.03, pollInterval: 1 },
						}),
						items: prompts(2, ' [sim:never]'),
					});

					expect(result.error?.message).toMatch(
						/^Not submitted: the OctopusX API key had no free slot/,
					);
					const [task] = sim.tasks.values();
					expect(sim.tasks.size).toBe(1);
					expect(result.error?.description).toMatch(new RegExp(`item [01]: task ${task.id}`));
				},
				{ maxConcurrentTasks: 1 },
			);
		},
	);

	test.concurrent(
		'Stop during a wait for a free slot: ends at once, sends nothing more',
		async () => {
			await withSim(
				async (sim) => {
					await foreignTask(sim, 'another app [sim:never]');
					const result = await run(sim, {
						parameters: submit('={{ $json.prompt }}'),
						items: prompts(1),
						cancelAfterMs: 1500,
					});
					const seenAtReturn = sim.requests.length;
					await new Promise((resolve) => setTimeout(resolve, 4000));

					expect(result.status).toBe('canceled');
					expect(result.durationMs).toBeLessThan(2500);
					// The foreign submit and the refusals before Stop (the next try after 0.75-1.25 s).
					expect(sim.requests.length).toBe(seenAtReturn);
					const statuses = sim.requestsTo('submit').map((r) => r.status);
					expect(statuses.slice(0, 2)).toEqual([200, 429]);
					expect(statuses.slice(2).every((status) => status === 429)).toBe(true);
					expect(statuses.length).toBeLessThanOrEqual(3);
				},
				{ maxConcurrentTasks: 1 },
			);
		},
	);

	test.concurrent('a bad Max Tasks at Once is refused before anything is sent', async () => {
		await withSim(async (sim) => {
			const result = await run(sim, {
				parameters: submit('p', { options: { maxTasksAtOnce: 1.5 } }),
				items: prompts(1),
			});
			expect(result.error?.message).toBe("'Max Tasks at Once' is 1.5");
			expect(result.error?.description).toMatch(/whole number.*Nothing was sent/);
			expect(sim.requests).toHaveLength(0);
		});
	});
});
