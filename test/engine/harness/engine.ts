import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';

import { LogCollector } from './log-collector';
import { acceptMainRealmErrors } from './realm-fix';

export type BinaryMode = 'filesystem' | 'default';

interface Engine {
	logs: LogCollector;
	binaryData: BinaryDataService;
	storagePath: string;
	/** Switches how new binaries are stored; existing filesystem binaries stay readable. */
	useBinaryMode(mode: BinaryMode): Promise<void>;
}

let engine: Promise<Engine> | undefined;
const cleanups: Array<() => void> = [];

// Registered when a test file imports the harness (jest refuses hooks added inside a test);
// outside jest (benchmarks, scripts) the process exit does it.
if (typeof afterAll === 'function') afterAll(() => cleanups.splice(0).forEach((fn) => fn()));
else process.once('exit', () => cleanups.splice(0).forEach((fn) => fn()));

/**
 * n8n's services live in one DI container per jest module registry (one per test file), so the
 * engine is set up once per test file and reused by every run in it.
 */
export async function getEngine(): Promise<Engine> {
	engine ??= startEngine();
	return await engine;
}

/** `@n8n/backend-common` is n8n-core's own dependency: take exactly the copy n8n-core uses. */
function requireFromCore<T>(name: string): T {
	const coreDir = dirname(require.resolve('n8n-core/package.json'));
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(require.resolve(name, { paths: [coreDir] })) as T;
}

async function startEngine(): Promise<Engine> {
	acceptMainRealmErrors();
	const logs = new LogCollector();
	// Before anything asks the container for a logger: n8n-core's services and the node's
	// `this.logger` resolve it there, the engine itself writes through LoggerProxy.
	const { Logger } = requireFromCore<{ Logger: new (...args: never[]) => unknown }>(
		'@n8n/backend-common',
	);
	Container.set(Logger, logs);
	LoggerProxy.init(logs);

	const storagePath = mkdtempSync(join(tmpdir(), 'octopusx-binary-'));
	cleanups.push(() => rmSync(storagePath, { recursive: true, force: true }));

	// The service reads its config in init(): set it first, as n8n does from N8N_* variables.
	const config = Container.get(BinaryDataConfig);
	config.localStoragePath = storagePath;
	const binaryData = Container.get(BinaryDataService);
	let current: BinaryMode | undefined;
	const useBinaryMode = async (mode: BinaryMode) => {
		if (mode === current) return;
		config.mode = mode;
		await binaryData.init();
		current = mode;
	};
	await useBinaryMode('filesystem');

	return { logs, binaryData, storagePath, useBinaryMode };
}
