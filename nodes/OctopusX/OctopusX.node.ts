import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as getStatus from './actions/getStatus.operation';
import { router } from './actions/router';
import * as submit from './actions/submit.operation';
import { toolDescriptionProperties } from './actions/toolMode';
import * as waitUntilDone from './actions/waitUntilDone.operation';

export class OctopusX implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OctopusX',
		name: 'octopusX',
		icon: { light: 'file:octopusx.svg', dark: 'file:octopusx.dark.svg' },
		group: ['transform'],
		// 1.1: Get Status downloads a finished video by default. 1.2: Submit's Options start empty.
		// Nodes saved under an earlier version keep that version's defaults.
		version: [1, 1.1, 1.2],
		defaultVersion: 1.2,
		subtitle:
			'={{ {"submit": "Submit", "getStatus": "Get Status", "waitUntilDone": "Wait Until Done"}[$parameter["operation"]] }}',
		description:
			'Generate a new video from a reference video with OctopusX, keeping its camera path and motion',
		defaults: { name: 'OctopusX' },
		// The panel's Docs link. n8n opens an http(s) documentationUrl as it is; a codex URL gets its
		// tracking query appended, which after a '#' would spoil the heading.
		documentationUrl: 'https://github.com/octopusx-community/n8n-nodes-octopusx#operations',
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: getStatus.outputs,
		credentials: [{ name: 'octopusXApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Get Status',
						value: 'getStatus',
						action: 'Get video task status',
						description: 'Look a task up once, and download its video if it is done',
					},
					{
						name: 'Submit',
						value: 'submit',
						action: 'Submit video task',
						description: 'Start generating a video (a paid task) and return its task ID',
					},
					{
						name: 'Wait Until Done',
						value: 'waitUntilDone',
						action: 'Wait until video task is done',
						description: 'Wait for tasks to finish and download their videos',
					},
				],
				default: 'submit',
			},
			...toolDescriptionProperties,
			...submit.description,
			...getStatus.description,
			...waitUntilDone.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
