import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { taskOutput } from '../result/taskOutput';
import { readTaskStatus } from '../task/taskStatus';
import type { OctopusApi } from '../transport';
import { callApi, errorContext } from '../transport';
import { unreadableStatusError } from '../transport/apiErrors';
import { ATTEMPTS } from '../transport/retryPolicy';
import { AT_ONCE, createLimiter } from '../transport/limit';
import {
	outputBinaryPropertyOption,
	readOutputProperty,
	readTaskId,
	taskIdProperty,
	taskIdToolProperty,
} from './taskParameters';
import type { ItemResult, Operation } from './types';

const properties: INodeProperties[] = [
	taskIdProperty,
	taskIdToolProperty,
	{
		displayName: 'Download Video',
		name: 'download',
		type: 'boolean',
		default: false,
		description: 'Whether to download the video as binary data when the task has finished',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [outputBinaryPropertyOption],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['getStatus'] } }, properties);

interface StatusPlan {
	itemIndex: number;
	taskId: string;
	download: boolean;
	binaryProperty: string;
}

async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<StatusPlan> {
	return {
		itemIndex,
		taskId: readTaskId(this, itemIndex),
		download: this.getNodeParameter('download', itemIndex, false) as boolean,
		binaryProperty: readOutputProperty(this, itemIndex),
	};
}

async function statusOf(api: OctopusApi, plan: StatusPlan) {
	const answer = await callApi(
		api,
		'status',
		{
			method: 'GET',
			url: `/v1/videos/${encodeURIComponent(plan.taskId)}`,
			itemIndex: plan.itemIndex,
			taskId: plan.taskId,
			timeoutMs: 30_000,
		},
		(a) => readTaskStatus(a.body, plan.taskId) !== undefined,
	);
	const status = readTaskStatus(answer.body, plan.taskId);
	if (!status) {
		throw unreadableStatusError(
			errorContext(api, plan.itemIndex, plan.taskId),
			answer.body,
			ATTEMPTS.statusMalformed,
		);
	}
	return status;
}

/** Looks each task up once. A failed task is reported as data here: asking for a status is not an error. */
async function run(
	this: IExecuteFunctions,
	api: OctopusApi,
	plans: StatusPlan[],
): Promise<ItemResult[]> {
	const limit = createLimiter(AT_ONCE.statusChecks);
	return await Promise.all(
		plans.map(async (plan) =>
			limit(async () => {
				try {
					const status = await statusOf(api, plan);
					return await taskOutput(api, plan.itemIndex, status, {
						download: plan.download,
						binaryProperty: plan.binaryProperty,
					});
				} catch (error) {
					return { error };
				}
			}),
		),
	);
}

export const operation: Operation<StatusPlan> = { description, prepare, run };
