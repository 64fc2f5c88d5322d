import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { OctopusApi } from '../transport';
import type { FollowJob } from './followTasks';
import {
	downloadProperty,
	followTasks,
	pollIntervalOption,
	readWaitSettings,
	timeoutOption,
	WAIT_OPTION_DEFAULTS,
} from './followTasks';
import {
	outputBinaryPropertyOption,
	pinSubmitNotice,
	readTaskId,
	taskIdProperty,
	taskIdToolProperty,
} from './taskParameters';
import type { ItemResult, Operation } from './types';

const properties: INodeProperties[] = [
	pinSubmitNotice,
	taskIdProperty,
	taskIdToolProperty,
	downloadProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: { ...WAIT_OPTION_DEFAULTS },
		options: [
			pollIntervalOption,
			{
				...outputBinaryPropertyOption,
				// As a tool nothing is downloaded (see readWaitSettings).
				displayOptions: { hide: { '@tool': [true] } },
			},
			timeoutOption,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { operation: ['waitUntilDone'] } },
	properties,
);

async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<FollowJob> {
	return { itemIndex, taskId: readTaskId(this, itemIndex), ...readWaitSettings(this, itemIndex) };
}

/** Follows all the items' tasks together and downloads each video as soon as it is ready. */
async function run(
	this: IExecuteFunctions,
	api: OctopusApi,
	jobs: FollowJob[],
): Promise<ItemResult[]> {
	return await followTasks(api, jobs);
}

export const operation: Operation<FollowJob> = { description, prepare, run };
