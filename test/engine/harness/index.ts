/**
 * Runs this package's node inside n8n's own execution engine (n8n-core's WorkflowExecute), with
 * no CLI and no database: the built package from `dist/`, n8n's credential handling, binary data
 * store and HTTP helpers, all real. See README.md beside this file.
 */
export { runOctopusX } from './run-workflow';
export type {
	InputBinary,
	InputItem,
	OnError,
	RunError,
	RunOptions,
	RunResult,
} from './run-workflow';
export { testCredentialsRequest } from './credential-test';
export type { CredentialTestOptions } from './credential-test';
export { CREDENTIAL_TYPE, NODE_TYPE, PACKAGE_DIR, REPO_ROOT, loadPackage } from './package-loader';
export type { LoadedNode, LoadedPackage } from './package-loader';
export type { BinaryMode } from './engine';
