import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import {
	NodeHelpers,
	UnexpectedError,
	type ICredentialType,
	type IDataObject,
	type INodeType,
	type INodeTypes,
	type IVersionedNodeType,
} from 'n8n-workflow';

import { getEngine } from './engine';

/** The repository root: its package.json points n8n at `dist/`, as the published package does. */
export const REPO_ROOT = resolve(__dirname, '../../..');

/**
 * The package the tests load by default: the repository, or OCTOPUSX_PACKAGE_DIR (for instance
 * an unpacked `npm pack` tarball, to test exactly what gets published).
 */
export const PACKAGE_DIR = process.env.OCTOPUSX_PACKAGE_DIR
	? resolve(process.env.OCTOPUSX_PACKAGE_DIR)
	: REPO_ROOT;

/** The node's type name in workflows: `<package name>.<description.name>`. */
export const NODE_TYPE = 'n8n-nodes-octopusx.octopusX';

/** The credential type the node asks for. */
export const CREDENTIAL_TYPE = 'octopusXApi';

export interface LoadedNode {
	/** Full type name as workflows spell it: `<package name>.<node name>`. */
	type: string;
	version: number;
}

export interface LoadedPackage {
	dir: string;
	packageName: string;
	nodes: LoadedNode[];
	credentialTypes: string[];
	/** What `Workflow` needs to look node types up, over the loader. */
	nodeTypes: INodeTypes;
	getCredentialType(name: string): ICredentialType;
}

const cache = new Map<string, Promise<LoadedPackage>>();

/**
 * Loads a community package the way n8n loads one installed from the registry: its package.json
 * `n8n` section, through n8n-core's PackageDirectoryLoader. Cached per directory (per test file,
 * since jest gives every file its own module registry).
 */
export async function loadPackage(dir: string = PACKAGE_DIR): Promise<LoadedPackage> {
	const key = resolve(dir);
	let loaded = cache.get(key);
	if (!loaded) {
		loaded = load(key);
		cache.set(key, loaded);
		loaded.catch(() => cache.delete(key));
	}
	return await loaded;
}

async function load(dir: string): Promise<LoadedPackage> {
	assertBuilt(dir);
	await getEngine(); // the loader asks the container for a logger
	const loader = new PackageDirectoryLoader(dir);
	await loader.loadAll();
	const { packageName } = loader;

	// Workflows name nodes `<package>.<node>`; the loader knows them by the short name.
	const shortName = (type: string): string => {
		const prefix = `${packageName}.`;
		if (!type.startsWith(prefix)) {
			throw new UnexpectedError(`Unknown node type "${type}" (package ${packageName})`);
		}
		return type.slice(prefix.length);
	};

	const nodeTypes: INodeTypes = {
		getByName(type: string): INodeType | IVersionedNodeType {
			const tool = toolBase(type);
			if (tool) return asTool(NodeHelpers.getVersionedNodeType(loader.getNode(tool).type));
			return loader.getNode(shortName(type)).type;
		},
		getByNameAndVersion(type: string, version?: number): INodeType {
			const tool = toolBase(type);
			if (tool) return asTool(NodeHelpers.getVersionedNodeType(loader.getNode(tool).type, version));
			return NodeHelpers.getVersionedNodeType(loader.getNode(shortName(type)).type, version);
		},
		getKnownTypes(): IDataObject {
			return Object.fromEntries(
				Object.entries(loader.known.nodes).map(([name, known]) => [
					`${packageName}.${name}`,
					known,
				]),
			) as IDataObject;
		},
	};

	/** `<package>.<node>Tool`, the type n8n registers for a `usableAsTool` node, by its node's short name. */
	const toolBase = (type: string): string | undefined => {
		if (!type.endsWith('Tool')) return undefined;
		const base = shortName(type).slice(0, -'Tool'.length);
		return loader.loadedNodes.some((node) => node.name === base) ? base : undefined;
	};

	return {
		dir,
		packageName,
		nodes: loader.loadedNodes.map(({ name, version }) => ({
			type: `${packageName}.${name}`,
			version,
		})),
		credentialTypes: Object.keys(loader.known.credentials),
		nodeTypes,
		getCredentialType: (name) => loader.getCredential(name).type,
	};
}

/** Says plainly when the package has not been built, instead of a bare "Cannot find module". */
function assertBuilt(dir: string): void {
	const { n8n } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const missing = [...(n8n?.nodes ?? []), ...(n8n?.credentials ?? [])].filter(
		(file) => !existsSync(join(dir, file)),
	);
	if (missing.length > 0) {
		throw new UnexpectedError(
			`The package in ${dir} is not built: ${missing.join(', ')} missing. Run \`npm run build\` first.`,
		);
	}
}

/**
 * The node as an AI Agent's tool: n8n registers a `usableAsTool` node a second time under
 * `<type>Tool` with the same `execute` (the CLI's convertNodeToAiTool also gives it an `ai_tool`
 * output for the agent to connect to, which a run without an agent never uses). The node and
 * n8n's `@tool` display option tell the two apart by that name.
 */
function asTool(nodeType: INodeType): INodeType {
	return Object.create(nodeType, {
		description: {
			value: { ...nodeType.description, name: `${nodeType.description.name}Tool` },
		},
	}) as INodeType;
}
