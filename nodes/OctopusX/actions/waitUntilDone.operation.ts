import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { taskOutput } from '../result/taskOutput';
import { waitForTasks } from '../task/waitForTasks';
import type { OctopusApi } from '../transport';
import {
	outputBinaryPropertyOption,
	readOutputProperty,
	readTaskId,
	taskIdProperty,
} from './taskParameters';
import type { ItemResult, Operation } from './types';

const properties: INodeProperties[] = [
	taskIdProperty,
	{
		displayName: 'Download Video',
		name: 'download',
		type: 'boolean',
		default: true,
		description: 'Whether to download the finished video as binary data, ready for a storage node',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 10,
				description:
					'How often to check a running task. The first checks come sooner; a rate limit from OctopusX slows checking down.',
			},
			outputBinaryPropertyOption,
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 600,
				description:
					'How long to wait for a task before giving up with an error that names the task. The task itself keeps running and can be picked up with Get Status.',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { operation: ['waitUntilDone'] } },
	properties,
);

interface WaitPlan {
	itemIndex: number;
	taskId: string;
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
		throw new NodeOperationError(fn.getNode(), `"${name}" is ${JSON.stringify(value)}`, {
			itemIndex,
			description: `Use a number of seconds of at least 1 (default ${fallback}).`,
		});
	}
	return Math.round(n * 1000);
}

async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<WaitPlan> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		itemIndex,
		taskId: readTaskId(this, itemIndex),
		download: this.getNodeParameter('download', itemIndex, true) as boolean,
		binaryProperty: readOutputProperty(this, itemIndex),
		intervalMs: seconds(this, itemIndex, options.pollInterval, 'Poll Interval (Seconds)', 10),
		timeoutMs: seconds(this, itemIndex, options.timeout, 'Timeout (Seconds)', 600),
	};
}

/** Follows all the items' tasks together and downloads each video as soon as it is ready. */
async function run(
	this: IExecuteFunctions,
	api: OctopusApi,
	plans: WaitPlan[],
): Promise<ItemResult[]> {
	const settled = await waitForTasks(api, plans, async (plan, status) =>
		taskOutput(api, plan.itemIndex, status, {
			download: plan.download,
			binaryProperty: plan.binaryProperty,
		}),
	);
	return settled.map((s) => ('value' in s ? s.value : { error: s.error }));
}

export const operation: Operation<WaitPlan> = { description, prepare, run };
