import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorForModel, fromAi } from './toolMode';

/**
 * n8n's "Execute step" runs a node's predecessors again unless the editor holds their output from
 * an earlier run, with no error and nothing up to them changed since, or they are pinned (n8n-core's
 * findStartNodes and cleanRunData). When Submit runs again, it pays for a new task. The editor cannot
 * show a notice on that condition, so the notice states it.
 */
export const pinSubmitNotice: INodeProperties = {
	displayName:
		"Execute step runs Submit again, a new paid task, unless Submit's output is pinned or shown from a run with nothing changed since",
	name: 'pinSubmitNotice',
	type: 'notice',
	default: '',
	displayOptions: { hide: { '@tool': [true] } },
};

/** The Task ID field, shared by Get Status and Wait Until Done. */
export const taskIdProperty: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	default: '={{ $json.id }}',
	required: true,
	description: 'The task ID that Submit returned, e.g. video_abc123',
	hint: "Submit returns it in the field 'id', which the default expression reads from the input item",
	displayOptions: { hide: { '@tool': [true] } },
};

/** The same field when the node is an AI Agent's tool: the model gives the id. */
export const taskIdToolProperty: INodeProperties = {
	...taskIdProperty,
	default: fromAi(
		'task_id',
		'The task_id that an earlier OctopusX call returned, e.g. video_abc123',
		'string',
	),
	displayOptions: { show: { '@tool': [true] } },
};

export const outputBinaryPropertyOption: INodeProperties = {
	displayName: 'Put Video in Field',
	name: 'outputBinaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'The name of the output binary field the downloaded video is put in',
};

/** Reads and checks the task id of one item. */
export function readTaskId(fn: IExecuteFunctions, itemIndex: number): string {
	const raw = fn.getNodeParameter('taskId', itemIndex, '') as unknown;
	const taskId = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
	const fail = (message: string, description: string) => {
		const forModel = errorForModel(fn, 'taskId', 'Task ID', message, description);
		return new NodeOperationError(fn.getNode(), forModel?.message ?? message, {
			itemIndex,
			description: forModel?.description ?? description,
		});
	};
	if (taskId === '') {
		throw fail(
			"'Task ID' is empty",
			"Set 'Task ID' to the 'id' that Submit returned. The default {{ $json.id }} works when this node comes right after Submit; elsewhere, point it at the field that holds the id.",
		);
	}
	if (/[\s/?#]/.test(taskId)) {
		throw fail(
			`'Task ID' is not a task id: '${taskId.slice(0, 80)}'`,
			"A task id has no spaces or slashes, e.g. video_abc123. Check what the 'Task ID' expression resolves to.",
		);
	}
	return taskId;
}

export function readOutputProperty(fn: IExecuteFunctions, itemIndex: number): string {
	const options = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const name = String(options.outputBinaryPropertyName ?? 'data').trim();
	return name === '' ? 'data' : name;
}
