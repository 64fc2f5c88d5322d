import * as workflow from 'n8n-workflow';

import {
	errorOutputJson,
	hasNarrowErrorOutputRule,
} from '../../nodes/OctopusX/actions/errorOutputItem';

/** n8n 1.x / 2.0's test for an error-output item (WorkflowExecute.handleNodeErrorOutput), JSON only. */
const narrowRuleRoutes = (json: Record<string, unknown>): boolean =>
	(Boolean(json.error) && Object.keys(json).length === 1) ||
	(Boolean(json.error) && Boolean(json.message) && Object.keys(json).length === 2);

/** n8n 2.41's test. */
const wideRuleRoutes = (json: Record<string, unknown>): boolean =>
	Boolean(json.error) &&
	Object.keys(json).every((key) => ['error', 'message', 'details'].includes(key));

const details = {
	description: 'OctopusX ended the task with status "failed". Check the prompt, then submit again.',
	task_id: 'video_123',
	http_code: 404,
	code: 'generation_failed',
};

describe('errorOutputJson', () => {
	it('keeps the details as data where n8n routes them (2.41)', () => {
		const json = errorOutputJson('Task video_123 failed', details, false);
		expect(json).toEqual({ error: 'Task video_123 failed', details });
		expect(wideRuleRoutes(json)).toBe(true);
	});

	it('on n8n 1.x / 2.0 is an item their engine sends to the error output, the details as text', () => {
		const json = errorOutputJson('Task video_123 failed', details, true);
		expect(narrowRuleRoutes(json)).toBe(true);
		expect(wideRuleRoutes(json)).toBe(true);
		expect(json.error).toBe('Task video_123 failed');
		for (const fact of ['submit again', 'video_123', '404', 'generation_failed']) {
			expect(json.message).toContain(fact);
		}
		// Without details the message is still set, or the narrow rule would not route it.
		expect(narrowRuleRoutes(errorOutputJson('Boom', {}, true))).toBe(true);
	});

	it('recognises the older n8n-workflow by its sleepWithAbort export', () => {
		expect(
			hasNarrowErrorOutputRule({ sleep: () => undefined, sleepWithAbort: () => undefined }),
		).toBe(true);
		expect(hasNarrowErrorOutputRule({ sleep: () => undefined })).toBe(false);
		// The n8n-workflow the tests load is 2.41's.
		expect(hasNarrowErrorOutputRule(workflow)).toBe(false);
	});
});
