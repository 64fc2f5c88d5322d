import { version as loadedWorkflowVersion } from 'n8n-workflow/package.json';

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

	// n8n-workflow release → the rule of the n8n-core it ships with (read in each published n8n-core's
	// WorkflowExecute.handleNodeErrorOutput); n8n pins the two to each other in every release.
	it.each([
		['1.120.31', true], // n8n 1.123.81 (n8n-core 1.122.48)
		['2.0.0', true],
		['2.33.2', true],
		['2.34.2', true], // n8n 2.34.4 (n8n-core 2.34.2) and 2.34.5
		['2.34.3', false], // n8n 2.34.6 (n8n-core 2.34.4)
		['2.35.0', true], // n8n 2.35.0 to 2.35.2 (n8n-core 2.35.0, 2.35.1)
		['2.35.1', false], // n8n 2.35.3 (n8n-core 2.35.2)
		['2.35.3', false],
		['2.36.0', false],
		['2.41.0', false], // n8n 2.41.1
		['3.0.0', false],
	])('n8n-workflow %s: narrow rule %s', (version, narrow) => {
		expect(hasNarrowErrorOutputRule(version)).toBe(narrow);
	});

	it('applies the rule of the loaded n8n-workflow (2.41.0 here) by default', () => {
		expect(loadedWorkflowVersion).toBe('2.41.0');
		expect(errorOutputJson('Task video_123 failed', details)).toEqual({
			error: 'Task video_123 failed',
			details,
		});
	});
});
