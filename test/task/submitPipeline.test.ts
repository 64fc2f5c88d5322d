import { join } from 'node:path';

import { runOctopusX, type RunResult } from '../engine/harness';
import { OctopusSimulator } from '../simulator';
import type {
	ProbeEvent,
	ProbeResult,
	ProbeScript,
	SendAnswer,
} from './pipelineProbe/PipelineProbe.node';

/**
 * Submit's pipeline (nodes/OctopusX/task/submitPipeline.ts) on its own: admission within the key's
 * limit, the watch of the run's own tasks and the follow-up, driven by a test-only node
 * (pipelineProbe/) inside n8n's engine. The submits answer as each case scripts them; an accepted
 * one creates a real task at the simulator, which the pipeline then polls over n8n's HTTP helpers.
 */
const packageDir = join(__dirname, 'pipelineProbe');

async function withSim<T>(fn: (sim: OctopusSimulator) => Promise<T>): Promise<T> {
	const sim = await OctopusSimulator.start({ taskDurationMs: 300, resultBytes: 16 * 1024 });
	try {
		return await fn(sim);
	} finally {
		await sim.stop();
	}
}

interface ProbeRun {
	result: RunResult;
	/** One per input item, in order. */
	out: ProbeResult[];
	events: ProbeEvent[];
}

async function probe(
	sim: OctopusSimulator,
	script: ProbeScript,
	cancelAfterMs?: number,
): Promise<ProbeRun> {
	const result = await runOctopusX({
		packageDir,
		parameters: { script: JSON.stringify(script) },
		items: script.items.map(() => ({ json: {} })),
		credentials: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
		cancelAfterMs,
	});
	const main = result.outputs[0] ?? [];
	main.forEach((item, i) => expect(item.pairedItem).toEqual({ item: i }));
	const out = main.map((item) => item.json as unknown as ProbeResult);
	return { result, out, events: out[0]?.events ?? [] };
}

/** The items whose submits went out, in the order they went. */
const sends = (events: ProbeEvent[]) => events.filter((e) => e.kind === 'send').map((e) => e.item);
const accepted = (events: ProbeEvent[]) =>
	events.filter((e) => e.kind === 'accepted').map((e) => e.item);

/** The task the simulator made from item i's submit (the probe puts `item i` in its prompt). */
function taskOf(sim: OctopusSimulator, item: number): string {
	const ids = [...sim.tasks.values()]
		.filter((task) => task.prompt.startsWith(`item ${item} `))
		.map((task) => task.id);
	expect(ids).toHaveLength(1);
	return ids[0];
}

/** The most of the simulator's tasks that were queued or running at the same moment. */
function mostAtOnce(sim: OctopusSimulator): number {
	const edges = [...sim.tasks.values()].flatMap((task) => [
		{ at: task.createdAt, step: 1 },
		{ at: task.createdAt + task.durationMs, step: -1 },
	]);
	// A task created the moment another ends does not overlap it.
	edges.sort((a, b) => a.at - b.at || a.step - b.step);
	let now = 0;
	let most = 0;
	for (const edge of edges) {
		now += edge.step;
		most = Math.max(most, now);
	}
	return most;
}

test('order: items go out in item order, and a refused item is sent again before the next', async () => {
	await withSim(async (sim) => {
		const { result, out, events } = await probe(sim, {
			maxAtOnce: 3,
			patienceMs: 10_000,
			items: [
				// Holds a slot for most of the run, so every refusal comes while own tasks run.
				{ prompt: '[sim:ms=1500]' },
				{ sends: ['no slot', 'accept'] },
				{},
				{ sends: ['no slot', 'accept'] },
				{},
			],
		});
		expect(result.error).toBeUndefined();
		// 0, 1, 2 at once; 1 refused goes back ahead of 3 and 4; 3 refused goes back ahead of 4.
		expect(sends(events)).toEqual([0, 1, 2, 1, 3, 3, 4]);
		// 0 and 2 were on their way together; from then on one at a time, in item order.
		const order = accepted(events);
		expect([...order.slice(0, 2)].sort()).toEqual([0, 2]);
		expect(order.slice(2)).toEqual([1, 3, 4]);
		out.forEach((item, i) => {
			expect(item.value).toEqual({ item: i, taskId: taskOf(sim, i) });
		});
		expect(sim.tasks.size).toBe(5);
	});
});

test('pairing: outcome j is plan j, among accepted, thrown, followed, failed and unsent items', async () => {
	await withSim(async (sim) => {
		const { result, out, events } = await probe(sim, {
			maxAtOnce: 3,
			patienceMs: 1000,
			items: [
				// Left out of the plans (as a failed parameter check is): plan j is item j + 1.
				{ skip: true },
				{ prompt: '[sim:ms=1200]' },
				{ sends: ['throw'] },
				{ follow: true },
				{ follow: true, deliverThrows: true },
				{ sends: ['no slot'] },
				{},
			],
		});
		expect(result.error).toBeUndefined();
		expect(out.map((item) => item.item)).toEqual([0, 1, 2, 3, 4, 5, 6]);
		expect(out[0].skipped).toBe(true);
		expect(out[1].value).toEqual({ item: 1, taskId: taskOf(sim, 1) });
		expect(out[2].error?.message).toBe('Scripted submit failure of item 2');
		expect(out[3].value).toEqual({ item: 3, delivered: taskOf(sim, 3), status: 'completed' });
		expect(out[4].error?.message).toBe('Scripted download failure of item 4');
		const refusals = events.filter((e) => e.kind === 'send' && e.answer === 'no slot').length;
		expect(refusals).toBeGreaterThan(0);
		for (const item of [out[5], out[6]]) {
			expect(item.value).toBeUndefined();
			expect(item.notSent).toEqual({ waitedMs: expect.any(Number), refusals });
			expect(item.notSent?.waitedMs).toBeGreaterThanOrEqual(1000);
		}
		// Item 6 never got its turn; nothing was created for 5 or 6 (nor for the one that threw).
		expect(sends(events)).not.toContain(6);
		expect(sim.tasks.size).toBe(3);
		expect(accepted(events).sort()).toEqual([1, 3, 4]);
	});
});

test('slots: at most 2 tasks at once, each slot freed once, also after a failure and during a slow download', async () => {
	await withSim(async (sim) => {
		const { result, out, events } = await probe(sim, {
			maxAtOnce: 2,
			patienceMs: 10_000,
			items: [
				{ follow: true, prompt: '[sim:ms=300]', deliverMs: 200 },
				{ follow: true, prompt: '[sim:ms=800]' },
				{ follow: true, prompt: '[sim:ms=500] [sim:fail]' },
				{ follow: true, prompt: '[sim:ms=400]' },
				{ prompt: '[sim:ms=300]' },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sim.tasks.size).toBe(5);
		expect(mostAtOnce(sim)).toBe(2);
		// Item 0's slot is free once its task is done, while its video still downloads.
		const at = (kind: ProbeEvent['kind'], item: number) =>
			events.findIndex((e) => e.kind === kind && e.item === item);
		expect(at('deliver', 0)).toBeLessThan(at('send', 2));
		expect(at('send', 2)).toBeLessThan(at('delivered', 0));
		// Items 3 and 4 take the slots of items 1 and 2 (failed); had the failure kept its slot, item 4
		// would wait for item 3's task to be done.
		expect(at('send', 4)).toBeLessThan(at('deliver', 3));
		expect(out[0].value).toEqual({ item: 0, delivered: taskOf(sim, 0), status: 'completed' });
		expect(out[1].value).toEqual({ item: 1, delivered: taskOf(sim, 1), status: 'completed' });
		expect(out[2].error?.taskId).toBe(taskOf(sim, 2));
		expect(out[3].value).toEqual({ item: 3, delivered: taskOf(sim, 3), status: 'completed' });
		expect(out[4].value).toEqual({ item: 4, taskId: taskOf(sim, 4) });
	});
});

test('Stop while items wait for a slot: ends at once, names every task submitted, sends nothing more', async () => {
	await withSim(async (sim) => {
		const { result } = await probe(
			sim,
			{
				maxAtOnce: 2,
				patienceMs: 10_000,
				items: [
					{ follow: true, prompt: '[sim:ms=5000]' },
					{ prompt: '[sim:ms=5000]' },
					{ follow: true },
					{},
				],
			},
			600,
		);
		expect(result.status).toBe('canceled');
		expect(result.durationMs).toBeLessThan(1100);
		expect(result.error?.message).toBe('The execution was stopped');
		expect(result.error?.description).toBe(
			`Submitted tasks, which keep running (pick them up with Get Status): item 0: task ${taskOf(sim, 0)}, item 1: task ${taskOf(sim, 1)}.`,
		);
		// Items 2 and 3 were waiting for a slot: they stay unsent, also a while after the Stop.
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(sim.requestsTo('submit')).toHaveLength(2);
		expect(sim.tasks.size).toBe(2);
	});
});

test('patience: with every submit refused, all items come back not sent once patience runs out', async () => {
	await withSim(async (sim) => {
		const { result, out, events } = await probe(sim, {
			patienceMs: 1500,
			// 5 MB bodies: a probe would wait 21 s at least.
			items: [0, 1, 2].map(() => ({ sends: ['no slot'] as SendAnswer[], bodyBytes: 5e6 })),
		});
		expect(result.error).toBeUndefined();
		expect(result.durationMs).toBeLessThan(2500);
		// Sent together once; with none of the run's own tasks running, the next probe would wait
		// 21 s ± 25 %, which is beyond patience.
		expect(sends(events)).toEqual([0, 1, 2]);
		for (const item of out) {
			expect(item.notSent).toEqual({ waitedMs: expect.any(Number), refusals: 3 });
			expect(item.notSent?.waitedMs).toBeGreaterThanOrEqual(1500);
		}
		expect(accepted(events)).toEqual([]);
		expect(sim.requestsTo('submit')).toHaveLength(0);
	});
});

test('errors after accept: a failed task or a failed download is that item’s error; the others deliver', async () => {
	await withSim(async (sim) => {
		const { result, out } = await probe(sim, {
			patienceMs: 10_000,
			items: [
				{ follow: true, prompt: '[sim:fail]' },
				{ follow: true, deliverThrows: true },
				{ follow: true },
				{},
			],
		});
		expect(result.error).toBeUndefined();
		const failed = taskOf(sim, 0);
		expect(out[0].value).toBeUndefined();
		expect(out[0].error?.message).toMatch(new RegExp(`^Task ${failed} failed`));
		expect(out[0].error?.taskId).toBe(failed);
		expect(out[1].value).toBeUndefined();
		expect(out[1].error?.message).toBe('Scripted download failure of item 1');
		expect(out[2].value).toEqual({ item: 2, delivered: taskOf(sim, 2), status: 'completed' });
		expect(out[3].value).toEqual({ item: 3, taskId: taskOf(sim, 3) });
	});
});

test('a task not followed stops being watched once every item is sent, even beside followed ones', async () => {
	await withSim(async (sim) => {
		// Stop after 3 s only in case the run would keep watching the task that never ends.
		const { result, out } = await probe(
			sim,
			{
				patienceMs: 10_000,
				items: [{ follow: true }, { prompt: '[sim:never]' }],
			},
			3000,
		);
		expect(result.error).toBeUndefined();
		expect(result.durationMs).toBeLessThan(1500);
		expect(out[0].value).toEqual({ item: 0, delivered: taskOf(sim, 0), status: 'completed' });
		expect(out[1].value).toEqual({ item: 1, taskId: taskOf(sim, 1) });
	});
});

test('what the run learned is kept across a task longer than 30 s: its end frees one slot, not a new wave', async () => {
	await withSim(async (sim) => {
		// Large bodies: a probe beyond the share would wait a minute, so none comes in this run.
		const long = { prompt: '[sim:ms=31000]', bodyBytes: 20e6 };
		const short = {
			sends: ['no slot', 'accept'] as SendAnswer[],
			prompt: '[sim:ms=300]',
			bodyBytes: 20e6,
		};
		const { result, out, events } = await probe(sim, {
			patienceMs: 120_000,
			pollIntervalMs: 500,
			// Item 5 is first sent after the wave, when a slot is free.
			items: [long, long, short, short, short, { ...short, sends: ['accept'] }],
		});
		expect(result.error).toBeUndefined();
		// The first wave: 5 at once, items 2-4 refused; the share is 2.
		expect(sends(events).slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
		// When the long tasks end, the short items fill the two slots, never more.
		expect(mostAtOnce(sim)).toBe(2);
		expect(sends(events).slice(5)).toEqual([2, 3, 4, 5]);
		expect(out.map((o) => o.value)).toEqual(
			[0, 1, 2, 3, 4, 5].map((item) => ({ item, taskId: taskOf(sim, item) })),
		);
	});
}, 60_000);
