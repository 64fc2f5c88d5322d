import {
	formatSeconds,
	slotWaitEnded,
	slotWaitStarted,
	taskFinished,
	taskSubmitted,
	taskTimedOut,
} from '../../nodes/OctopusX/record/logLines';

const origin = {
	workflowId: 'wf1',
	executionId: '57',
	nodeName: 'Submit "night"',
	itemIndex: 3,
	taskId: 'video_abc',
};
const tail = 'workflow=wf1 execution=57 node="Submit \\"night\\"" item=3';

describe('log lines: the wording operators grep for', () => {
	test('every message ends with the ids, the node name quoted', () => {
		const line = taskSubmitted(origin, {
			model: 'omni-fast-v2v',
			reference: { kind: 'binary', bytes: 5 * 1024 * 1024 },
			promptChars: 120,
		});
		expect(line).toEqual({
			level: 'info',
			message: `OctopusX: task video_abc submitted (model omni-fast-v2v, reference video: binary file of 5.00 MiB (5242880 bytes), prompt of 120 characters) ${tail} task=video_abc`,
			meta: {
				event: 'octopusx.task.submitted',
				workflowId: 'wf1',
				executionId: '57',
				nodeName: 'Submit "night"',
				itemIndex: 3,
				taskId: 'video_abc',
				model: 'omni-fast-v2v',
				referenceKind: 'binary',
				referenceBytes: 5242880,
				promptChars: 120,
			},
		});
	});

	test('a finished task: status, time since its submit, the video', () => {
		expect(
			taskFinished(origin, {
				status: 'completed',
				msFromSubmit: 83_400,
				downloaded: true,
				videoBytes: 2048,
			}).message,
		).toBe(
			`OctopusX: task video_abc completed, 83 s after its submit, video of 2.0 KiB (2048 bytes) downloaded ${tail} task=video_abc`,
		);
		expect(taskFinished(origin, { status: 'completed', downloaded: false }).message).toBe(
			`OctopusX: task video_abc completed, video not downloaded ${tail} task=video_abc`,
		);
	});

	test('a timeout says the task keeps running and how to pick it up', () => {
		const line = taskTimedOut(origin, {
			timeoutMs: 600_000,
			lastStatus: 'in_progress',
			progress: 40,
		});
		expect(line.level).toBe('warn');
		expect(line.message).toBe(
			`OctopusX: task video_abc not done after 10 min 0 s (last status in_progress 40%): stopped waiting, the task is left running at OctopusX; pick it up with Get Status ${tail} task=video_abc`,
		);
	});

	test('a wait for a free task slot: its start and its end, before any task exists', () => {
		const before = { ...origin, taskId: undefined };
		expect(slotWaitStarted(before, { runningTasks: 4 })).toEqual({
			level: 'info',
			message: `OctopusX: no free task slot on the key (token_concurrency_limit_reached): item waits to be submitted (4 tasks of this run still running) ${tail} task=none`,
			meta: expect.objectContaining({
				event: 'octopusx.slot.started',
				itemIndex: 3,
				code: 'token_concurrency_limit_reached',
				runningTasks: 4,
			}),
		});
		expect(slotWaitStarted(before, {}).meta).not.toHaveProperty('taskId');
		expect(slotWaitEnded(before, { waitedMs: 75_000, outcome: 'free' }).message).toBe(
			`OctopusX: waited 75 s for a free task slot: a slot is free, submitting ${tail} task=none`,
		);
		expect(slotWaitEnded(before, { waitedMs: 300_000, outcome: 'gave up' }).message).toMatch(
			/^OctopusX: waited 5 min 0 s for a free task slot: gave up, nothing was submitted for this item /,
		);
		expect(slotWaitEnded(before, { waitedMs: 1200, outcome: 'stopped' }).message).toMatch(
			/: the execution was stopped, nothing was submitted for this item /,
		);
	});

	test.each([
		[0, '0.0 s'],
		[450, '0.5 s'],
		[9_940, '9.9 s'],
		[12_400, '12 s'],
		[119_400, '119 s'],
		[125_000, '2 min 5 s'],
	])('%d ms reads as %s', (ms, text) => {
		expect(formatSeconds(ms)).toBe(text);
	});
});
