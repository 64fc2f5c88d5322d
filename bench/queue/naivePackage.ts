/**
 * The naive baseline (bench/naive/) as an installable community package, so that a real n8n worker
 * can run it beside the real node: compiled to JavaScript and packed like a release.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { packPackage } from '../../test/e2e/package';
import { REPO_ROOT } from '../../test/e2e/runtime';

export const NAIVE_NODE_TYPE = 'n8n-nodes-octopusx-naive.octopusXNaive';

/** Builds and packs the naive package into `workDir`; returns the tarball. */
export function packNaivePackage(workDir: string): string {
	const out = join(workDir, 'naive-package');
	const sources = ['bench/naive/NaiveOctopusX.node.ts', 'bench/naive/OctopusXApi.credentials.ts'];
	execFileSync(
		join(REPO_ROOT, 'node_modules', '.bin', 'tsc'),
		[
			'--outDir',
			out,
			'--rootDir',
			REPO_ROOT,
			'--module',
			'commonjs',
			'--target',
			'es2022',
			'--moduleResolution',
			'node',
			'--esModuleInterop',
			'--skipLibCheck',
			'--types',
			'node',
			...sources.map((s) => join(REPO_ROOT, s)),
		],
		{ cwd: REPO_ROOT, stdio: 'inherit' },
	);
	const manifest = {
		name: 'n8n-nodes-octopusx-naive',
		version: '0.0.0',
		keywords: ['n8n-community-node-package'],
		license: 'MIT',
		n8n: {
			n8nNodesApiVersion: 1,
			credentials: ['bench/naive/OctopusXApi.credentials.js'],
			nodes: ['bench/naive/NaiveOctopusX.node.js'],
		},
		peerDependencies: { 'n8n-workflow': '*' },
	};
	writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
	return packPackage(join(workDir, 'naive-pack'), out);
}
