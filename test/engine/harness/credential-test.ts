import { CredentialTestContext, ExecuteContext, RoutingNode } from 'n8n-core';
import {
	NodeHelpers,
	UnexpectedError,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunction,
	type ICredentialTestRequest,
	type ICredentialsDecrypted,
	type IDataObject,
	type INode,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypes,
	type IVersionedNodeType,
} from 'n8n-workflow';

import { buildAdditionalData } from './additional-data';
import { TestCredentialsHelper } from './credentials-helper';
import { getEngine } from './engine';
import { CREDENTIAL_TYPE, loadPackage, type LoadedPackage } from './package-loader';

export interface CredentialTestOptions {
	packageDir?: string;
	credentialType?: string;
}

/** The type the CLI borrows for a credential's own `test` request (n8n-nodes-base.noOp). */
const noOpDescription = {
	displayName: 'No Operation, do nothing',
	name: 'n8n-nodes-base.noOp',
	group: ['organization'],
	version: 1,
	description: 'No Operation',
	defaults: { name: 'No Operation, do nothing' },
	inputs: ['main'],
	outputs: ['main'],
	properties: [],
} as unknown as INodeType['description'];

/**
 * What Settings → Credentials → "Test" does (CredentialsTester.testCredentials in n8n's CLI):
 * fill in the credential's defaults, then send its `test` request through n8n-core's RoutingNode
 * with the credential applied, and read the answer the same way. The request is real.
 */
export async function testCredentialsRequest(
	data: ICredentialDataDecryptedObject,
	options: CredentialTestOptions = {},
): Promise<INodeCredentialTestResult> {
	await getEngine();
	const pkg = await loadPackage(options.packageDir);
	const type = options.credentialType ?? pickCredentialType(pkg);
	const credentialsHelper = new TestCredentialsHelper(pkg, new Map());
	const additionalData = buildAdditionalData({
		credentialsHelper,
		executionId: 'credential-test',
		workflowId: 'credential-test',
	});
	const credentials: ICredentialsDecrypted = {
		id: 'credential-under-test',
		name: 'Credential under test',
		type,
		data: credentialsHelper.applyDefaults(additionalData, data, type, 'internal'),
	};

	const test = findTest(pkg, type);
	if (test === undefined) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}
	if (typeof test === 'function') {
		return await test.call(new CredentialTestContext(), credentials);
	}

	const nodeType: INodeType = {
		description: {
			...(test.nodeType?.description ?? noOpDescription),
			credentials: [{ name: type, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.testRequest.request },
					default: '',
				},
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type]: { id: credentials.id, name: credentials.name } },
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: (_name: string, version?: number) =>
			NodeHelpers.getVersionedNodeType(nodeType, version),
		getKnownTypes: (): IDataObject => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);

	let response: Awaited<ReturnType<RoutingNode['runNode']>>;
	try {
		response = await new RoutingNode(context, nodeType, credentials).runNode();
	} catch (error) {
		return readFailure(error as FailedRequest, test.testRequest);
	}
	for (const rule of test.testRequest.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const body = response?.[0]?.[0]?.json;
		if (readPath(body, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

type FailedRequest = Error & {
	cause?: { response?: { status: number; statusText?: string }; code?: string };
};

/** The CLI's reading of a failed test request, rule for rule. */
function readFailure(error: FailedRequest, testRequest: ICredentialTestRequest) {
	const result = (message: string): INodeCredentialTestResult => ({ status: 'Error', message });
	const response = error.cause?.response;
	if (response) {
		for (const rule of testRequest.rules ?? []) {
			if (rule.type === 'responseCode' && response.status === rule.properties.value) {
				return result(rule.properties.message);
			}
		}
		if (response.status < 199 || response.status > 299) {
			return result(response.statusText || `Received HTTP status code: ${response.status}`);
		}
	} else if (error.cause?.code) {
		return result(error.cause.code);
	}
	return result(error.message.toString());
}

function readPath(value: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(current, key) =>
				current !== null && typeof current === 'object'
					? (current as Record<string, unknown>)[key]
					: undefined,
			value,
		);
}

function pickCredentialType(pkg: LoadedPackage): string {
	if (pkg.credentialTypes.includes(CREDENTIAL_TYPE)) return CREDENTIAL_TYPE;
	if (pkg.credentialTypes.length === 1) return pkg.credentialTypes[0];
	throw new UnexpectedError(`Say which credential to test: ${pkg.credentialTypes.join(', ')}`);
}

/** The credential's own `test`, else a node's `testedBy` (a method name or a request). */
function findTest(
	pkg: LoadedPackage,
	type: string,
):
	| ICredentialTestFunction
	| { testRequest: ICredentialTestRequest; nodeType?: INodeType }
	| undefined {
	const credentialType = pkg.getCredentialType(type);
	if (credentialType.test) return { testRequest: credentialType.test };
	for (const { type: nodeTypeName } of pkg.nodes) {
		const loaded = pkg.nodeTypes.getByName(nodeTypeName);
		const versions: INodeType[] =
			'nodeVersions' in loaded
				? Object.values((loaded as IVersionedNodeType).nodeVersions)
				: [loaded as INodeType];
		for (const version of versions) {
			const testedBy = version.description.credentials?.find((c) => c.name === type)?.testedBy;
			if (typeof testedBy === 'string') return version.methods?.credentialTest?.[testedBy];
			if (testedBy) return { testRequest: testedBy, nodeType: version };
		}
	}
	return undefined;
}
