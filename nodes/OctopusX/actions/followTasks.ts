import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { log, msSinceCreated, videoSize } from '../record';
import { taskFinished } from '../record/logLines';
import type { OutputChoice } from '../result/taskOutput';
import { taskOutput } from '../result/taskOutput';
import type { TaskStatus } from '../task/taskStatus';
import { waitForTasks } from '../task/waitForTasks';
import type { OctopusApi } from '../transport';
import { runsAsTool } from './toolMode';
import { readOutputProperty } from './taskParameters';
import type { ItemResult } from './types';

/**
 * Following tasks until they are done, and turning each into its output item: the one path that
 * Wait Until Done and Submit's "Wait for Completion" share. Both read the same parameter names
 * (`download`, `options.pollInterval`, `options.timeout`, `options.outputBinaryPropertyName`).
 */

export const downloadProperty: INodeProperties = {
	displayName: 'Download Video',
	name: 'download',
	type: 'boolean',
	default: true,
	description: 'Whether to download the finished video as binary data, ready for a storage node',
	// A tool's answer to an AI Agent is JSON only: n8n drops binary data there.
	displayOptions: { hide: { '@tool': [true] } },
};

export const pollIntervalOption: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 10,
	description:
		'How often to check a running task, in seconds (default 10). The first checks come sooner; a rate limit from OctopusX slows checking down.',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 600,
	description:
		'How long to wait for a task, in seconds (default 600, 10 minutes), before giving up with an error that names the task. The task itself keeps running and can be picked up with Get Status.',
};

/**
 * The wait options' values when nothing is set, given as the Options collection's default so that
 * the editor shows Poll Interval and Timeout as soon as a node waits. The same values the node falls
 * back to, so a workflow saved without them behaves as before.
 */
export const WAIT_OPTION_DEFAULTS = { pollInterval: 10, timeout: 600 };

/** How one item's task is followed and what its output holds. */
export interface WaitSettings {
	download: boolean;
	binaryProperty: string;
	intervalMs: number;
	timeoutMs: number;
}

function seconds(
	fn: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	name: string,
	fallback: number,
): number {
	if (value === undefined || value === '') return fallback * 1000;
	const n = Number(value);
	if (!Number.isFinite(n) || n < 1) {
		throw new NodeOperationError(fn.getNode(), `'${name}' is ${JSON.stringify(value)}`, {
			itemIndex,
			description: `Use a number of seconds of at least 1 (default ${fallback}).`,
		});
	}
	return Math.round(n * 1000);
}

/** How often a running task is looked at, in ms: the Poll Interval option, checked. */
export function readPollInterval(fn: IExecuteFunctions, itemIndex: number): number {
	const options = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return seconds(
		fn,
		itemIndex,
		options.pollInterval,
		'Poll Interval (Seconds)',
		WAIT_OPTION_DEFAULTS.pollInterval,
	);
}

/** Reads and checks one item's wait settings; sends nothing. */
export function readWaitSettings(fn: IExecuteFunctions, itemIndex: number): WaitSettings {
	const options = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		// As a tool the video would be downloaded only to be dropped: the agent gets `video_url`.
		download: runsAsTool(fn)
			? false
			: (fn.getNodeParameter('download', itemIndex, true) as boolean),
		binaryProperty: readOutputProperty(fn, itemIndex),
		intervalMs: readPollInterval(fn, itemIndex),
		timeoutMs: seconds(
			fn,
			itemIndex,
			options.timeout,
			'Timeout (Seconds)',
			WAIT_OPTION_DEFAULTS.timeout,
		),
	};
}

export interface FollowJob extends WaitSettings {
	itemIndex: number;
	taskId: string;
}

/**
 * A finished task's output item (its video downloaded when asked) and its "finished" log line: what
 * Wait Until Done and Submit's "Wait for Completion" do with every task that completes.
 */
export async function deliverTask(
	api: OctopusApi,
	itemIndex: number,
	status: TaskStatus,
	choice: OutputChoice,
): Promise<Awaited<ReturnType<typeof taskOutput>>> {
	const output = await taskOutput(api, itemIndex, status, choice);
	log(api.fn, taskFinished, itemIndex, status.id, {
		status: status.status,
		msFromSubmit: msSinceCreated(status.json),
		downloaded: choice.download,
		videoBytes: await videoSize(api.fn, output.binary?.[choice.binaryProperty]),
	});
	return output;
}

/**
 * Follows all the jobs' tasks together and downloads each video as soon as it is ready. One
 * result per job, in order; every error names its task.
 */
export async function followTasks(api: OctopusApi, jobs: FollowJob[]): Promise<ItemResult[]> {
	const settled = await waitForTasks(api, jobs, async (job, status) =>
		deliverTask(api, job.itemIndex, status, {
			download: job.download,
			binaryProperty: job.binaryProperty,
		}),
	);
	return settled.map((s) => ('value' in s ? s.value : { error: s.error }));
}
