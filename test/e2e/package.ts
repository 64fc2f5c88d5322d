/**
 * Puts the package into n8n the way a user gets it: `npm pack` of the build, the tarball installed into
 * `<user folder>/.n8n/nodes/`, where Settings → Community Nodes installs, so the node type is
 * `n8n-nodes-octopusx.octopusX`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from './runtime';

export const PACKAGE_NAME = 'n8n-nodes-octopusx';
export const NODE_TYPE = `${PACKAGE_NAME}.octopusX`;
export const CREDENTIAL_TYPE = 'octopusXApi';

/** The environment for npm, without what an enclosing `npm run` sets for its own project. */
function npmEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_/i.test(key)) env[key] = value;
	}
	return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
}

function npm(args: string[], cwd: string): string {
	return execFileSync('npm', args, {
		cwd,
		env: npmEnv(),
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

/** `npm pack` of `packageDir` (default: this repo, whose `dist/` must be built) into `destDir`. */
export function packPackage(destDir: string, packageDir = REPO_ROOT): string {
	if (packageDir === REPO_ROOT && !existsSync(join(REPO_ROOT, 'dist'))) {
		throw new Error('dist/ is missing: run `npm run build` first (npm run test:e2e does)');
	}
	mkdirSync(destDir, { recursive: true });
	const out = npm(
		['pack', '--json', '--ignore-scripts', '--pack-destination', destDir],
		packageDir,
	);
	const [info] = JSON.parse(out) as Array<{ filename: string }>;
	return join(destDir, info.filename);
}

/**
 * Unpacks `tarball`, lets `edit` change its package.json, and packs it again: a package with a mistake
 * in it, to prove the suite notices.
 */
export function repackWith(
	tarball: string,
	workDir: string,
	edit: (packageJson: Record<string, unknown>) => void,
): string {
	const unpacked = join(workDir, 'unpacked');
	mkdirSync(unpacked, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
	const manifestPath = join(unpacked, 'package', 'package.json');
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
	edit(manifest);
	writeFileSync(manifestPath, `${JSON.stringify(manifest, null, '\t')}\n`);
	return packPackage(join(workDir, 'repacked'), join(unpacked, 'package'));
}

/**
 * Installs `tarball` into `<userFolder>/.n8n/nodes/node_modules/`. Peer dependencies stay out: the
 * package resolves n8n-workflow from n8n itself, as it does after an install from the editor.
 */
export function installPackage(tarball: string, userFolder: string): string {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	const manifest = join(nodesDir, 'package.json');
	if (!existsSync(manifest)) {
		writeFileSync(
			manifest,
			`${JSON.stringify({ name: 'installed-nodes', private: true }, null, 2)}\n`,
		);
	}
	npm(
		[
			'install',
			'--ignore-scripts',
			'--legacy-peer-deps',
			'--offline',
			'--no-audit',
			'--no-fund',
			'--no-package-lock',
			'--bin-links=false',
			tarball,
		],
		nodesDir,
	);
	const installed = join(nodesDir, 'node_modules', PACKAGE_NAME);
	if (!existsSync(join(installed, 'package.json'))) {
		throw new Error(`npm install of ${tarball} left no ${installed}`);
	}
	return installed;
}
