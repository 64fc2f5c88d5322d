/**
 * The queue suite's workflows, each started by a production webhook of an active workflow: the way
 * work reaches n8n's workers (a manual run or `n8n execute` stays on the instance that starts it).
 */
import type { WorkflowJson } from '../e2e/n8n';
import { NODE_TYPE } from '../e2e/package';
import { SIM_CREDENTIAL } from '../e2e/expect';

const credentials = { octopusXApi: { ...SIM_CREDENTIAL } };
let nodeIds = 0;
export const nodeId = () => `00000000-0000-4000-8000-${String(++nodeIds).padStart(12, '0')}`;

export type Node = Record<string, unknown> & { name: string };

export interface WebhookOptions {
	/** `lastNode`: the HTTP answer waits for the run and carries its last node's output. */
	respond: 'onReceived' | 'lastNode';
	/** What a `lastNode` answer carries: the first item's file or JSON, or every item's JSON. */
	responseData?: 'firstEntryBinary' | 'firstEntryJson' | 'allEntries';
}

export function webhook(path: string, options: WebhookOptions): Node {
	return {
		id: nodeId(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: nodeId(),
		parameters: {
			httpMethod: 'POST',
			path,
			responseMode: options.respond,
			...(options.responseData && { responseData: options.responseData }),
			options: {},
		},
	};
}

/** A node of `type` (default the OctopusX node) with the simulator credential. */
export function octopusX(
	name: string,
	parameters: Record<string, unknown>,
	type = NODE_TYPE,
): Node {
	return {
		id: nodeId(),
		name,
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials,
	};
}

const submitFile = (prompt: string): Node =>
	octopusX('Submit', {
		operation: 'submit',
		prompt,
		videoSource: 'binary',
		binaryPropertyName: 'data',
		options: {},
	});

const submitUrl = (prompt: string, videoUrl: string): Node =>
	octopusX('Submit', { operation: 'submit', prompt, videoSource: 'url', videoUrl, options: {} });

const waitUntilDone = (): Node =>
	octopusX('Wait Until Done', {
		operation: 'waitUntilDone',
		taskId: '={{ $json.id }}',
		download: true,
		options: { pollInterval: 1, timeout: 600 },
	});

/** Nodes run one after the other, each fed by the previous one's output. */
export function chain(
	id: string,
	nodes: Node[],
	settings: Record<string, unknown> = {},
): WorkflowJson {
	const connections: Record<string, unknown> = {};
	nodes.forEach((node, i) => {
		node.position = [i * 220, 0];
		const next = nodes[i + 1];
		if (next) connections[node.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return {
		id,
		name: `queue: ${id}`,
		active: true,
		settings: { executionOrder: 'v1', ...settings },
		nodes,
		connections,
	};
}

/** The canonical chain: the MP4 posted as the raw body, the generated video as the answer. */
/** `{"videos":[{"url","prompt"}...]}` in a webhook body → one item per entry. */
function oneItemPerVideo(): Node {
	return {
		id: nodeId(),
		name: 'One Item per Video',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [0, 0],
		parameters: { fieldToSplitOut: 'body.videos', options: {} },
	};
}

export const CHAIN = {
	id: 'queueChain0000001',
	path: 'octopusx-chain',
	workflow(): WorkflowJson {
		return chain(this.id, [
			webhook(this.path, { respond: 'lastNode', responseData: 'firstEntryBinary' }),
			submitFile('Turn the clip into a snowy winter morning. Keep the camera path.'),
			waitUntilDone(),
		]);
	},
};

/** Many tasks in one execution: `{"videos":[{"url","prompt"}...]}`, one item per entry. */
export const BATCH = {
	id: 'queueBatch0000001',
	path: 'octopusx-batch',
	workflow(): WorkflowJson {
		return chain(this.id, [
			webhook(this.path, { respond: 'lastNode', responseData: 'allEntries' }),
			oneItemPerVideo(),
			submitUrl('={{ $json.prompt }}', '={{ $json.url }}'),
			waitUntilDone(),
		]);
	},
};

/**
 * A task that never finishes, answered at once: the execution goes on waiting on a worker until it
 * is stopped or its worker dies. Progress is saved after each node, so Submit's task id survives a
 * crash of the worker.
 */
export const ENDLESS = {
	id: 'queueEndless00001',
	path: 'octopusx-endless',
	workflow(): WorkflowJson {
		return chain(
			this.id,
			[
				webhook(this.path, { respond: 'onReceived' }),
				submitUrl(
					'={{ $json.body.prompt }} [sim:never]',
					'https://videos.example.com/long-job.mp4',
				),
				waitUntilDone(),
			],
			{ saveExecutionProgress: true },
		);
	},
};

/**
 * Several tasks of some seconds in one execution, `{"videos":[{"url","prompt"}...]}`, answered at
 * once: long enough to kill the worker while it waits, short enough to be done by the time n8n has
 * failed the execution. Progress is saved after each node, as the README asks for Wait Until Done.
 */
export const RECOVERABLE = {
	id: 'queueRecover00001',
	path: 'octopusx-recoverable',
	workflow(): WorkflowJson {
		return chain(
			this.id,
			[
				webhook(this.path, { respond: 'onReceived' }),
				oneItemPerVideo(),
				submitUrl('={{ $json.prompt }}', '={{ $json.url }}'),
				waitUntilDone(),
			],
			{ saveExecutionProgress: true },
		);
	},
};

/** The recovery workflow of docs/finding-tasks.md: one task id in, Get Status with Download Video on, the video out. */
export const GET_STATUS = {
	id: 'queueGetStatus001',
	path: 'octopusx-get-status',
	workflow(): WorkflowJson {
		return chain(this.id, [
			webhook(this.path, { respond: 'lastNode', responseData: 'firstEntryBinary' }),
			octopusX('Get Status', {
				operation: 'getStatus',
				taskId: '={{ $json.body.task_id }}',
				download: true,
				options: {},
			}),
		]);
	},
};
