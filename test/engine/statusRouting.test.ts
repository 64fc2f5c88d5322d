/**
 * Get Status with "Route by Status": n8n's engine draws the outputs from the node's parameters and
 * delivers each item on the output of its task's state, in item order, linked to its input item.
 */
import {
	NodeHelpers,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';

import type { OctopusSimulator } from '../simulator';
import { loadPackage, NODE_TYPE, type RunResult } from './harness';
import { errorFields, getStatus, run, withSim } from './faults/support';

const ROUTED = ['Completed', 'Still Running', 'Failed'];

/** Submit parameters with a URL reference, so the prompt alone decides how the task ends. */
const submitByUrl = {
	operation: 'submit',
	prompt: '={{ $json.prompt }}',
	videoSource: 'url',
	videoUrl: 'https://example.com/in.mp4',
};

/** One input item per prompt; `[sim:ms=0]` makes the task end at once. */
const PROMPTS = [
	'done [sim:ms=0]',
	'still going [sim:never]',
	'broken [sim:fail] [sim:ms=0]',
	'done too [sim:ms=0]',
	'called off [sim:cancel] [sim:ms=0]',
];

const idOf = (item: INodeExecutionData) => item.json.id as string;
const pairedItems = (items: INodeExecutionData[]) => items.map((item) => item.pairedItem);

/** Submits one task per prompt, then runs Get Status (plus `chain`) on Submit's output. */
async function submitThenStatus(
	sim: OctopusSimulator,
	statusParameters: INodeParameters,
	chain: NonNullable<Parameters<typeof run>[1]['chain']> = [],
): Promise<{ result: RunResult; ids: string[] }> {
	const result = await run(sim, {
		parameters: submitByUrl,
		items: PROMPTS.map((prompt) => ({ json: { prompt } })),
		chain: [{ parameters: getStatus('={{ $json.id }}', statusParameters) }, ...chain],
	});
	expect(result.error).toBeUndefined();
	return { result, ids: result.nodeOutputs(0)[0].map(idOf) };
}

test('off by default: one output, every item on it in order, as before', async () => {
	await withSim(async (sim) => {
		const { result, ids } = await submitThenStatus(sim, { download: true });

		expect(result.outputNames(1)).toEqual(['main']);
		expect(result.outputs).toHaveLength(1);
		expect(result.outputs[0].map(idOf)).toEqual(ids);
		expect(result.outputs[0].map((item) => item.json.status)).toEqual([
			'completed',
			expect.stringMatching(/^(queued|in_progress)$/),
			'failed',
			'completed',
			'cancelled',
		]);
		expect(pairedItems(result.outputs[0])).toEqual(PROMPTS.map((_, item) => ({ item })));
	});
});

test('Route by Status: Completed with the video, Still Running, Failed; order and pairedItem kept', async () => {
	await withSim(async (sim) => {
		// A second Get Status on the Still Running output, as the Wait node would be in a loop.
		const { result, ids } = await submitThenStatus(sim, { download: true, routeByStatus: true }, [
			{ parameters: getStatus('={{ $json.id }}'), fromOutput: 1 },
		]);

		expect(result.outputNames(1)).toEqual(ROUTED);
		const [completed, running, failed] = result.nodeOutputs(1);
		expect(result.nodeOutputs(1)).toHaveLength(3);

		expect(completed.map(idOf)).toEqual([ids[0], ids[3]]);
		expect(pairedItems(completed)).toEqual([{ item: 0 }, { item: 3 }]);
		for (const item of completed) {
			expect(item.json.status).toBe('completed');
			expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
			expect((await result.binary(item)).equals(sim.resultFor(idOf(item)))).toBe(true);
		}

		expect(running.map(idOf)).toEqual([ids[1]]);
		expect(pairedItems(running)).toEqual([{ item: 1 }]);
		expect(running[0].binary).toBeUndefined();

		expect(failed.map(idOf)).toEqual([ids[2], ids[4]]);
		expect(failed.map((item) => item.json.status)).toEqual(['failed', 'cancelled']);
		expect(pairedItems(failed)).toEqual([{ item: 2 }, { item: 4 }]);
		expect(failed.every((item) => item.binary === undefined)).toBe(true);

		// n8n handed the node on Still Running that output's item, and only that one.
		expect(result.outputs[0].map(idOf)).toEqual([ids[1]]);
		expect(result.outputs[0][0].pairedItem).toEqual({ item: 0 });
		// Only the finished tasks' videos were fetched.
		const fetched = sim.requests.filter((r) => r.route === 'cdn' || r.route === 'content');
		expect(fetched).toHaveLength(2);
	});
});

describe('an item whose status cannot be read (a task id OctopusX does not know)', () => {
	/** Get Status first, on two real tasks around an unknown id. */
	async function statusOfThree(
		sim: OctopusSimulator,
		onError: 'continueRegularOutput' | 'continueErrorOutput',
	) {
		const submitted = await run(sim, {
			parameters: submitByUrl,
			items: [{ json: { prompt: 'done [sim:ms=0]' } }, { json: { prompt: 'going [sim:never]' } }],
		});
		const [done, going] = submitted.outputs[0].map(idOf);
		const result = await run(sim, {
			parameters: getStatus('={{ $json.id }}', { routeByStatus: true }),
			items: [{ json: { id: done } }, { json: { id: 'video_unknown' } }, { json: { id: going } }],
			onError,
		});
		expect(result.error).toBeUndefined();
		return { result, done, going };
	}

	test("Continue (using error output): it goes to n8n's Error output, after the three", async () => {
		await withSim(async (sim) => {
			const { result, done, going } = await statusOfThree(sim, 'continueErrorOutput');

			expect(result.outputNames(0)).toEqual([...ROUTED, 'Error']);
			const [completed, running, failed, errors] = result.outputs;
			expect(completed.map(idOf)).toEqual([done]);
			expect(running.map(idOf)).toEqual([going]);
			expect(pairedItems(running)).toEqual([{ item: 2 }]);
			expect(failed).toEqual([]);
			expect(errors).toHaveLength(1);
			expect(errors[0].pairedItem).toEqual({ item: 1 });
			expect(errorFields(errors[0])).toMatchObject({ task_id: 'video_unknown', http_code: '404' });
		});
	});

	test('Continue: it goes to Failed, with the error and the task id', async () => {
		await withSim(async (sim) => {
			const { result, done, going } = await statusOfThree(sim, 'continueRegularOutput');

			expect(result.outputNames(0)).toEqual(ROUTED);
			const [completed, running, failed] = result.outputs;
			expect(result.outputs).toHaveLength(3);
			expect(completed.map(idOf)).toEqual([done]);
			expect(running.map(idOf)).toEqual([going]);
			expect(failed).toHaveLength(1);
			expect(failed[0].pairedItem).toEqual({ item: 1 });
			expect(failed[0].json).toMatchObject({
				error: expect.stringContaining('video_unknown'),
				task_id: 'video_unknown',
				http_code: '404',
			});
		});
	});
});

describe('Download Video left at its default, with Route by Status', () => {
	/** The Completed item's binary data, after Submit → Get Status at the given node version. */
	async function completedBinary(sim: OctopusSimulator, typeVersion?: number) {
		const result = await run(sim, {
			parameters: submitByUrl,
			items: [{ json: { prompt: 'done [sim:ms=0]' } }],
			chain: [{ parameters: getStatus('={{ $json.id }}', { routeByStatus: true }) }],
			typeVersion,
		});
		expect(result.error).toBeUndefined();
		const [completed] = result.outputs;
		expect(completed).toHaveLength(1);
		return completed[0].binary;
	}

	test('a node added now (version 1.1) hands the video on from Completed', async () => {
		await withSim(async (sim) => {
			const binary = await completedBinary(sim);
			expect(binary?.data?.mimeType).toBe('video/mp4');
		});
	});

	test('a node saved as version 1 downloads nothing, as before', async () => {
		await withSim(async (sim) => {
			expect(await completedBinary(sim, 1)).toBeUndefined();
		});
	});
});

test('as an AI Agent tool (n8n names the type "…Tool") the option is not offered, so its one output stays', async () => {
	const { description } = (await loadPackage()).nodeTypes.getByNameAndVersion(NODE_TYPE, 1);
	const asTool = { ...description, name: `${description.name}Tool` };
	const set: INodeParameters = { operation: 'getStatus', routeByStatus: true };
	const node = { name: 'OctopusX', type: NODE_TYPE, typeVersion: 1, parameters: set } as INode;
	// What n8n keeps of the parameters (hidden ones are dropped), as a node and as a tool.
	const kept = (d: typeof description) =>
		NodeHelpers.getNodeParameters(d.properties, set, false, false, node, d);

	expect(kept(description)).toMatchObject({ routeByStatus: true });
	expect(kept(asTool)).not.toHaveProperty('routeByStatus');
});
