import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { ExecutionLifecycleHooks, WorkflowExecute, prepareBinaryData } from 'n8n-core';
import {
	NodeHelpers,
	UserError,
	Workflow,
	createRunExecutionData,
	type ExecutionStatus,
	type IBinaryData,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IRun,
	type IWorkflowBase,
} from 'n8n-workflow';

import { buildAdditionalData } from './additional-data';
import { TestCredentialsHelper, type CredentialStore } from './credentials-helper';
import { getEngine, type BinaryMode } from './engine';
import { NODE_TYPE, loadPackage, type LoadedPackage } from './package-loader';

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface InputItem {
	json?: IDataObject;
	binary?: Record<string, InputBinary>;
}

export interface InputBinary {
	bytes: Buffer;
	mimeType?: string;
	fileName?: string;
	/**
	 * Stored, then pointed at a file the store does not have: what a queue-mode worker sees of a file
	 * the main instance kept on its own disk.
	 */
	storedElsewhere?: boolean;
	/**
	 * The size recorded for the stored file, when it is not the file's real size: a file that
	 * changed on disk after the previous node stored it.
	 */
	announcedBytes?: number;
}

export interface RunOptions {
	/** The first node's parameters, e.g. `{ operation: 'submit', prompt: '...' }`. */
	parameters: INodeParameters;
	/** The first node's input, as if a previous node produced it. Default `[{ json: {} }]`. */
	items?: InputItem[];
	/** The node's credential (`octopusXApi` for the real node); `null` attaches none. */
	credentials?: { apiKey: string; baseUrl: string } | null;
	onError?: OnError;
	/** The first node's "Retry On Fail" setting (n8n's engine then runs the node again after an error). */
	retryOnFail?: boolean;
	/** How binaries are kept: n8n 2.x defaults to 'filesystem'. */
	binaryMode?: BinaryMode;
	/** Further nodes of the same type, each fed by the previous one's main output. */
	chain?: Array<{
		parameters: INodeParameters;
		onError?: OnError;
		retryOnFail?: boolean;
		/** Which output of the previous node feeds this one; default 0. */
		fromOutput?: number;
	}>;
	/** Cancels the execution after this long, as the Stop button does. */
	cancelAfterMs?: number;
	/** Another package directory (the harness's own fixture); default: this repository. */
	packageDir?: string;
	/** The node type to run; default: NODE_TYPE, or the package's only node. */
	nodeType?: string;
	/** The nodes' typeVersion, as a saved workflow records it; default: the newest the node has. */
	typeVersion?: number;
}

export type RunError = Error & {
	description?: string | null;
	context?: IDataObject;
	httpCode?: string | null;
	node?: INode;
	[key: string]: unknown;
};

export interface RunResult {
	/** The execution's error, when the workflow failed (or was cancelled). */
	error?: RunError;
	/** The last node's outputs: `[main]`, or `[success, error]` with continueErrorOutput. */
	outputs: INodeExecutionData[][];
	/** Node `index`'s outputs (0 = the first node); `[]` if it did not run. */
	nodeOutputs(index: number): INodeExecutionData[][];
	/**
	 * Node `index`'s outputs as n8n works them out from its description and parameters (what the
	 * editor draws): display names, n8n's "Error" output included; `main` for an unnamed one.
	 */
	outputNames(index: number): string[];
	/** The real bytes of a binary, read back through n8n's BinaryDataService. */
	binary(item: INodeExecutionData, property?: string): Promise<Buffer>;
	durationMs: number;
	/** Every line n8n's logger and the node wrote during this run, all levels. */
	logs: string[];
	/** 'success' | 'error' | 'canceled' | ... as n8n records it. */
	status: ExecutionStatus;
	/** The raw run data, for anything the fields above do not cover. */
	run: IRun;
	/** Names given to the nodes, in chain order. */
	nodeNames: string[];
	/** The id the engine ran it under (`this.getExecutionId()` in the node). */
	executionId: string;
	/** The workflow's id (`this.getWorkflow().id`). */
	workflowId: string;
}

const WORKFLOW_ID = 'octopusx-harness';
const CREDENTIAL_ID = 'harness-credential';
let executions = 0;

/**
 * Runs one OctopusX node (plus an optional chain of them) in n8n-core's WorkflowExecute, as a
 * manual execution: real credentials helper, real binary store, real HTTP.
 */
export async function runOctopusX(options: RunOptions): Promise<RunResult> {
	const engine = await getEngine();
	const pkg = await loadPackage(options.packageDir);
	const nodeType = options.nodeType ?? pickNodeType(pkg);
	const described = describeNode(pkg, nodeType);
	const { credentialType } = described;
	const version = options.typeVersion ?? described.version;
	await engine.useBinaryMode(options.binaryMode ?? 'filesystem');

	const executionId = String(++executions);
	const store: CredentialStore = new Map();
	const credentialsHelper = new TestCredentialsHelper(pkg, store);
	const nodeCredentials =
		options.credentials && credentialType
			? { [credentialType]: { id: CREDENTIAL_ID, name: 'OctopusX account' } }
			: undefined;
	if (options.credentials && credentialType) {
		store.set(CREDENTIAL_ID, { type: credentialType, data: { ...options.credentials } });
	}

	const steps: NonNullable<RunOptions['chain']> = [
		{ parameters: options.parameters, onError: options.onError, retryOnFail: options.retryOnFail },
		...(options.chain ?? []),
	];
	const baseName = (pkg.nodeTypes.getByNameAndVersion(nodeType, version).description.defaults
		.name ?? 'Node') as string;
	const nodes: INode[] = steps.map((step, index) => ({
		id: randomUUID(),
		// n8n numbers copies of a node this way: "OctopusX", "OctopusX1", "OctopusX2".
		name: index === 0 ? baseName : `${baseName}${index}`,
		type: nodeType,
		typeVersion: version,
		position: [index * 220, 0],
		parameters: structuredClone(step.parameters),
		...(nodeCredentials && { credentials: nodeCredentials }),
		...(step.onError && { onError: step.onError }),
		...(step.retryOnFail && { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 }),
	}));
	const connections: IConnections = {};
	for (let index = 0; index + 1 < nodes.length; index++) {
		// Outputs before the connected one stay unconnected, as n8n saves them: empty lists.
		const main: IConnections[string]['main'] = Array.from(
			{ length: (steps[index + 1].fromOutput ?? 0) + 1 },
			() => [],
		);
		main[main.length - 1] = [{ node: nodes[index + 1].name, type: 'main', index: 0 }];
		connections[nodes[index].name] = { main };
	}

	const workflowData: IWorkflowBase = {
		id: WORKFLOW_ID,
		name: 'OctopusX engine test',
		active: false,
		isArchived: false,
		activeVersionId: null,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
	};
	const workflow = new Workflow({
		id: WORKFLOW_ID,
		name: workflowData.name,
		nodes,
		connections,
		active: false,
		nodeTypes: pkg.nodeTypes,
		settings: workflowData.settings,
	});

	const items = await Promise.all(
		(options.items ?? [{ json: {} }]).map(async (item) => toExecutionItem(item, executionId)),
	);

	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	let hookRun: IRun | undefined;
	hooks.addHandler('workflowExecuteAfter', (run) => {
		hookRun = run;
	});
	const additionalData = buildAdditionalData({
		credentialsHelper,
		executionId,
		workflowId: WORKFLOW_ID,
		hooks,
	});
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: nodes[0], data: { main: [items] }, source: null }],
		},
	});

	const logMark = engine.logs.lines.length;
	const started = performance.now();
	const execution = new WorkflowExecute(
		additionalData,
		'manual',
		runExecutionData,
	).processRunExecutionData(workflow);
	const cancelTimer =
		options.cancelAfterMs !== undefined
			? setTimeout(() => execution.cancel(), options.cancelAfterMs)
			: undefined;
	let settled: IRun;
	try {
		// Resolves once the node has returned, also after a cancel (the engine does not reject).
		settled = await execution;
	} finally {
		clearTimeout(cancelTimer);
	}
	const durationMs = performance.now() - started;
	// The hook fires with the final data on a normal end. On cancel it fired at the moment of the
	// Stop, and n8n records the execution as 'canceled' whatever the node threw while stopping; the
	// settled value holds what the node did until it returned.
	const run = execution.isCanceled ? settled : (hookRun ?? settled);
	const status = execution.isCanceled ? 'canceled' : run.status;

	const outputsOf = (index: number): INodeExecutionData[][] => {
		const tasks = run.data.resultData.runData[nodes[index]?.name] ?? [];
		return (tasks.at(-1)?.data?.main ?? []).map((output) => output ?? []);
	};
	return {
		error: run.data.resultData.error as RunError | undefined,
		outputs: outputsOf(nodes.length - 1),
		nodeOutputs: outputsOf,
		outputNames: (index) => {
			const node = workflow.getNode(nodes[index].name)!;
			const { description } = pkg.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
			return NodeHelpers.getNodeOutputs(workflow, node, description).map((output) =>
				typeof output === 'string' ? output : (output.displayName ?? output.type),
			);
		},
		binary: async (item, property = 'data') => {
			const binaryData = item.binary?.[property];
			if (!binaryData) throw new UserError(`The item has no binary property "${property}"`);
			return await engine.binaryData.getAsBuffer(binaryData);
		},
		durationMs,
		logs: engine.logs.since(logMark),
		status,
		run,
		nodeNames: nodes.map((node) => node.name),
		executionId,
		workflowId: WORKFLOW_ID,
	};
}

function pickNodeType(pkg: LoadedPackage): string {
	if (pkg.nodes.some((node) => node.type === NODE_TYPE)) return NODE_TYPE;
	if (pkg.nodes.length === 1) return pkg.nodes[0].type;
	throw new UserError(`Say which node to run: ${pkg.nodes.map((node) => node.type).join(', ')}`);
}

function describeNode(pkg: LoadedPackage, nodeType: string) {
	// `<type>Tool` is the node as an AI Agent's tool (see asTool in package-loader.ts).
	const loaded = pkg.nodes.find(
		(node) => node.type === nodeType || `${node.type}Tool` === nodeType,
	);
	if (!loaded) throw new UserError(`Package ${pkg.packageName} has no node "${nodeType}"`);
	const { description } = pkg.nodeTypes.getByNameAndVersion(nodeType, loaded.version);
	return { version: loaded.version, credentialType: description.credentials?.[0]?.name };
}

/** Input binaries go through n8n-core's prepareBinaryData, as a Read File node would store them. */
async function toExecutionItem(item: InputItem, executionId: string): Promise<INodeExecutionData> {
	const result: INodeExecutionData = { json: structuredClone(item.json ?? {}) };
	if (item.binary) {
		const binary: Record<string, IBinaryData> = {};
		for (const [property, spec] of Object.entries(item.binary)) {
			const { bytes, mimeType, fileName, storedElsewhere, announcedBytes } = spec;
			binary[property] = await prepareBinaryData(
				bytes,
				executionId,
				WORKFLOW_ID,
				fileName,
				mimeType ?? 'application/octet-stream',
			);
			const stored = binary[property];
			if (storedElsewhere && stored.id) stored.id = `${stored.id}-on-another-host`;
			if (announcedBytes !== undefined) stored.bytes = announcedBytes;
		}
		result.binary = binary;
	}
	return result;
}
