import type { Fault } from '../../simulator';
import { errorFields, getStatus, run, submit, videoItem, waitUntilDone, withSim } from './support';

/**
 * A 2xx status answer the node cannot read (a proxy's HTML page, JSON without `status`) is asked
 * again a few times; if it stays unreadable, the error names the task so it can be looked up later.
 */
const HTML: Fault = {
	kind: 'raw',
	status: 200,
	body: '<html><body>Service temporarily unavailable</body></html>',
	contentType: 'text/html',
};
const NO_STATUS: Fault = {
	kind: 'raw',
	status: 200,
	body: '{"id":"x","object":"video","progress":40}',
};
const NOT_AN_OBJECT: Fault = { kind: 'raw', status: 200, body: '[]' };
const CASES: Array<[string, Fault, RegExp]> = [
	['an HTML page', HTML, /not JSON/],
	['JSON without "status"', NO_STATUS, /no 'status' field/],
	['JSON that is not an object', NOT_AN_OBJECT, /could not be read/],
];

describe('Wait Until Done', () => {
	test.concurrent.each(CASES)(
		'%s three times: an error naming the task',
		async (_name, fault, says) => {
			await withSim(async (sim) => {
				sim.inject('status', fault, 10);
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
					chain: [{ parameters: waitUntilDone() }],
				});

				const [task] = sim.tasks.values();
				expect(sim.tasks.size).toBe(1);
				expect(sim.requestsTo('submit')).toHaveLength(1);
				expect(sim.requestsTo('status')).toHaveLength(3);
				expect(result.error?.message).toContain(
					`status answer for task ${task.id} could not be read`,
				);
				expect(result.error?.message).toMatch(says);
				expect(result.error?.description).toContain(`Get Status and task ID ${task.id}`);
				expect(result.error?.context?.taskId).toBe(task.id);
			});
		},
	);

	test.concurrent('two unreadable answers, then a good one: the video arrives', async () => {
		await withSim(async (sim) => {
			sim.inject('status', HTML);
			sim.inject('status', NO_STATUS);
			const result = await run(sim, {
				parameters: submit('a rainy night'),
				items: [videoItem()],
				chain: [{ parameters: waitUntilDone() }],
			});

			expect(result.error).toBeUndefined();
			const [task] = sim.tasks.values();
			expect(await result.binary(result.outputs[0][0])).toEqual(sim.resultFor(task.id));
		});
	});
});

describe('Get Status', () => {
	test.concurrent.each(CASES)(
		'%s three times: an error naming the task',
		async (_name, fault, says) => {
			await withSim(async (sim) => {
				sim.inject('status', fault, 10);
				const result = await run(sim, {
					parameters: getStatus('video_0123456789abcdef'),
					onError: 'continueErrorOutput',
				});

				expect(sim.requestsTo('status')).toHaveLength(3);
				const [ok, failed] = result.outputs;
				expect(ok).toHaveLength(0);
				const fields = errorFields(failed[0]);
				expect(fields.error).toContain(
					'status answer for task video_0123456789abcdef could not be read',
				);
				expect(fields.error).toMatch(says);
				expect(fields.task_id).toBe('video_0123456789abcdef');
			});
		},
	);

	test.concurrent('one unreadable answer, then a good one: the status', async () => {
		await withSim(async (sim) => {
			const submitted = await run(sim, {
				parameters: submit('a rainy night'),
				items: [videoItem()],
			});
			const taskId = submitted.outputs[0][0].json.id as string;
			sim.inject('status', HTML);
			const result = await run(sim, { parameters: getStatus(taskId) });

			expect(result.error).toBeUndefined();
			expect(result.outputs[0][0].json).toMatchObject({ id: taskId, object: 'video' });
			expect(sim.requestsTo('status')).toHaveLength(2);
		});
	});
});
