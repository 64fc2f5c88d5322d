import type {
	ExpressionString,
	IExecuteFunctions,
	INodeExecutionData,
	INodeOutputConfiguration,
	INodeProperties,
} from 'n8n-workflow';
import { NodeConnectionTypes, updateDisplayOptions } from 'n8n-workflow';

import { log, msSinceCreated, videoSize } from '../record';
import { taskFinished, taskPolled } from '../record/logLines';
import { taskOutput } from '../result/taskOutput';
import type { TaskState, TaskStatus } from '../task/taskStatus';
import { readTaskStatus, stateOf } from '../task/taskStatus';
import type { HttpAnswer, OctopusApi } from '../transport';
import { callApi } from '../transport';
import { AT_ONCE, createLimiter } from '../transport/limit';
import {
	outputBinaryPropertyOption,
	pinSubmitNotice,
	readOutputProperty,
	readTaskId,
	taskIdProperty,
	taskIdToolProperty,
} from './taskParameters';
import { downloadProperty } from './followTasks';
import { runsAsTool } from './toolMode';
import type { ItemResult, Operation } from './types';

const download: INodeProperties = {
	...downloadProperty,
	description:
		'Whether to download the video as binary data when the task has finished, ready for a storage node',
};

const properties: INodeProperties[] = [
	pinSubmitNotice,
	taskIdProperty,
	taskIdToolProperty,
	// Version 1 downloaded nothing unless asked, so Route by Status handed Completed items on without
	// their video. Version 1.1 downloads by default; nodes saved as version 1 keep their behaviour.
	// A tool answers with JSON only (n8n drops binary data there), so the tool panel has neither.
	{
		...download,
		default: false,
		displayOptions: { show: { '@version': [1] }, hide: { '@tool': [true] } },
	},
	{
		...download,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] }, hide: { '@tool': [true] } },
	},
	{
		displayName: 'Route by Status',
		name: 'routeByStatus',
		type: 'boolean',
		default: false,
		// It changes the node's outputs, which cannot differ from item to item.
		noDataExpression: true,
		// As an AI Agent's tool the node has one output, to the agent.
		displayOptions: { show: { '@tool': [false] } },
		description:
			"Whether to send each item to an output for its task's state: Completed, Still Running or Failed. Lets a Wait node loop back from Still Running without an If or Switch node.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [outputBinaryPropertyOption],
		displayOptions: { hide: { '@tool': [true] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['getStatus'] } }, properties);

/** The outputs with "Route by Status" on, in this order, and which state goes where. */
const ROUTED_OUTPUTS: INodeOutputConfiguration[] = ['Completed', 'Still Running', 'Failed'].map(
	(displayName) => ({ type: NodeConnectionTypes.Main, displayName }),
);
const OUTPUT_OF: Record<TaskState, number> = { succeeded: 0, running: 1, failed: 2 };

/**
 * The node's outputs, worked out by n8n (editor and engine) from the parameters, as its Switch node
 * does: one output unless Get Status routes by status. n8n appends its Error output after these.
 */
export const outputs: ExpressionString = `={{ $parameter.operation === 'getStatus' && $parameter.routeByStatus === true ? ${JSON.stringify(ROUTED_OUTPUTS)} : ${JSON.stringify([NodeConnectionTypes.Main])} }}`;

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
		// As a tool the video would be downloaded only to be dropped: the agent gets `video_url`.
		download: runsAsTool(this)
			? false
			: (this.getNodeParameter(
					'download',
					itemIndex,
					this.getNode().typeVersion >= 1.1,
				) as boolean),
		binaryProperty: readOutputProperty(this, itemIndex),
	};
}

async function statusOf(api: OctopusApi, plan: StatusPlan): Promise<TaskStatus> {
	const read = (body: unknown) => readTaskStatus(body, plan.taskId);
	const answer = (await callApi(
		api,
		'status',
		{
			method: 'GET',
			url: `/v1/videos/${encodeURIComponent(plan.taskId)}`,
			itemIndex: plan.itemIndex,
			taskId: plan.taskId,
			timeoutMs: 30_000,
		},
		(a) => read(a.body) !== undefined,
	)) as HttpAnswer;
	return read(answer.body) as TaskStatus;
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
					const output = await taskOutput(api, plan.itemIndex, status, {
						download: plan.download,
						binaryProperty: plan.binaryProperty,
					});
					const video = output.binary?.[plan.binaryProperty];
					// A look-up is routine (a scheduled check may ask every few minutes); a downloaded
					// video ends the task's story, e.g. when picking tasks up after a crash.
					if (video) {
						log(this, taskFinished, plan.itemIndex, plan.taskId, {
							status: status.status,
							msFromSubmit: msSinceCreated(status.json),
							downloaded: true,
							videoBytes: await videoSize(this, video),
						});
					} else {
						log(this, taskPolled, plan.itemIndex, plan.taskId, {
							status: status.status,
							progress: status.progress,
							poll: 1,
						});
					}
					return output;
				} catch (error) {
					return { error };
				}
			}),
		),
	);
}

/**
 * With "Route by Status" on, each item goes to the output of its task's state, in item order. An
 * item whose status could not be read (under Continue) goes to Failed; with "Continue (using error
 * output)" n8n moves it on to the Error output.
 */
function route(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	results: ItemResult[],
): INodeExecutionData[][] | undefined {
	// A property of the node (its outputs), not of an item: read once.
	if (!(this.getNodeParameter('routeByStatus', 0, false) as boolean)) return undefined;
	const routed: INodeExecutionData[][] = ROUTED_OUTPUTS.map(() => []);
	results.forEach((result, i) => {
		const output =
			'error' in result ? OUTPUT_OF.failed : OUTPUT_OF[stateOf(String(result.json.status))];
		routed[output].push(items[i]);
	});
	return routed;
}

export const operation: Operation<StatusPlan> = { description, prepare, run, route };
