/** The e2e driver's settings per installed n8n, on fake install folders shaped like the real ones. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { N8nRuntime } from '../e2e/runtime';
import { versionEnv, withVersionId } from '../e2e/versionDifferences';

describe('versionEnv', () => {
	let dir: string;
	beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'octopusx-versions-'))));
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	/** An install with n8n's modules `modules` and, if given, isolated-vm asking for `isolatedVmNode`. */
	function install(nodeVersion: string, modules: string[], isolatedVmNode?: string): N8nRuntime {
		const nodeModules = join(dir, 'n8n', 'node_modules');
		for (const name of modules)
			mkdirSync(join(nodeModules, 'n8n', 'dist', 'modules', name), { recursive: true });
		mkdirSync(join(nodeModules, 'n8n', 'bin'), { recursive: true });
		if (isolatedVmNode) {
			mkdirSync(join(nodeModules, 'isolated-vm'), { recursive: true });
			writeFileSync(
				join(nodeModules, 'isolated-vm', 'package.json'),
				JSON.stringify({ engines: { node: isolatedVmNode } }),
			);
		}
		return {
			node: '/usr/bin/node',
			nodeVersion,
			n8n: join(nodeModules, 'n8n', 'bin', 'n8n'),
			n8nVersion: 'x',
			dir,
		};
	}

	it('2.41 on Node 24: the MCP registry off, the default expression engine', () => {
		expect(versionEnv(install('v24.21.0', ['mcp', 'mcp-registry'], '>=22.0.0'))).toEqual({
			N8N_DISABLED_MODULES: 'mcp-registry',
		});
	});

	it('1.123 on Node 20: no module named that n8n lacks, the legacy engine isolated-vm leaves', () => {
		expect(versionEnv(install('v20.20.2', ['mcp'], '>=22.0.0'))).toEqual({
			N8N_EXPRESSION_ENGINE: 'legacy',
		});
	});

	it('2.0 (no isolated-vm): nothing to set', () => {
		expect(versionEnv(install('v20.20.2', ['mcp']))).toEqual({});
	});
});

describe('withVersionId', () => {
	const workflow = { id: 'w1', name: 'w', nodes: [], connections: {} };

	it('gives a workflow without one a versionId, and keeps one that has it', () => {
		expect(withVersionId(workflow).versionId).toMatch(/^[0-9a-f-]{36}$/);
		expect(withVersionId({ ...workflow, versionId: 'v1' }).versionId).toBe('v1');
	});
});
