#!/usr/bin/env node
/**
 * Checks the package as npm would publish it, offline: packs it, unpacks the tarball and runs n8n's
 * community-package scanner over it the way n8n's verification does (the compiled tarball and the
 * source), then checks what the scanner does not: which files ship, the package.json fields n8n
 * reads, and that every file the `n8n` section and the nodes point at is in the tarball.
 * Prints every finding with its file and rule and exits 1 if there is any.
 *
 * Run after a build: `npm run build && node scripts/scan.mjs` (`--keep` keeps the unpacked tarball).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');

/** Files a user needs, outside dist/. npm adds package.json, README and LICENSE by itself. */
const REQUIRED_TOP = ['package.json', 'README.md', 'LICENSE'];
const ALLOWED_TOP = new Set([...REQUIRED_TOP, 'CHANGELOG.md']);
const EXPECTED_PEERS = { 'n8n-workflow': '*' };

const work = mkdtempSync(join(tmpdir(), 'octopusx-scan-'));
const unpacked = join(work, 'package');

/** @type {Array<{ file: string; rule: string; message: string }>} */
const findings = [];
const report = (file, rule, message) => findings.push({ file, rule, message });

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function run(command, args, options) {
	const result = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
	if (result.status !== 0) {
		throw new Error(
			`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`,
		);
	}
	return result.stdout;
}

/** Every file under dir, as a path relative to it with forward slashes. */
function listFiles(dir, prefix = '') {
	return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
		const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
		return entry.isDirectory() ? listFiles(dir, rel) : [rel];
	});
}

/** What shipped file `rel` (under dist/) was built from, or undefined if it is no build output. */
function sourceOf(rel) {
	const m = /^dist\/((?:nodes|credentials)\/.+?)(\.d\.ts|\.js|\.svg|\.png|\.node\.json)$/.exec(rel);
	if (!m) return undefined;
	const [, stem, ext] = m;
	return ext === '.js' || ext === '.d.ts' ? `${stem}.ts` : `${stem}${ext}`;
}

function checkFileList(files) {
	for (const file of REQUIRED_TOP) {
		if (!files.includes(file)) {
			report(file, 'package/missing-file', 'is not in the tarball; n8n verification needs it');
		}
	}
	const shipped = new Set(files);
	for (const file of files) {
		if (!file.includes('/')) {
			if (!ALLOWED_TOP.has(file)) {
				report(file, 'package/unexpected-file', 'a user does not need it: keep it out of "files"');
			}
			continue;
		}
		if (!file.startsWith('dist/')) {
			report(file, 'package/unexpected-file', 'only dist/ ships: keep it out of "files"');
			continue;
		}
		if (file.endsWith('.map')) {
			report(file, 'package/source-map', 'source maps point at sources that do not ship');
			continue;
		}
		const source = sourceOf(file);
		if (!source) {
			report(
				file,
				'package/unexpected-file',
				'not a node or credential build output (only dist/nodes and dist/credentials ship)',
			);
		} else if (!existsSync(join(root, source))) {
			report(
				file,
				'package/stale-output',
				`its source ${source} is gone: build from a clean dist/`,
			);
		} else if (file.endsWith('.d.ts') && !shipped.has(file.replace(/\.d\.ts$/, '.js'))) {
			report(file, 'package/unexpected-file', 'a declaration without its .js');
		}
	}
}

function checkPackageJson(pkg, files) {
	const shipped = new Set(files);
	for (const field of [
		'dependencies',
		'optionalDependencies',
		'bundleDependencies',
		'bundledDependencies',
	]) {
		const value = pkg[field];
		if (value && (Array.isArray(value) ? value.length : Object.keys(value).length)) {
			report(
				'package.json',
				'package-json/no-dependencies',
				`"${field}" is ${JSON.stringify(value)}: a community node may only use n8n-workflow (as a peer)`,
			);
		}
	}
	if (JSON.stringify(pkg.peerDependencies) !== JSON.stringify(EXPECTED_PEERS)) {
		report(
			'package.json',
			'package-json/peer-dependencies',
			`"peerDependencies" is ${JSON.stringify(pkg.peerDependencies)}, expected ${JSON.stringify(EXPECTED_PEERS)}`,
		);
	}
	if (pkg.main !== undefined && !shipped.has(pkg.main.replace(/^\.\//, ''))) {
		report(
			'package.json',
			'package-json/main',
			`"main" is "${pkg.main}", which is not in the tarball: remove it (n8n loads the package through its "n8n" section)`,
		);
	}

	const n8n = pkg.n8n ?? {};
	if (n8n.n8nNodesApiVersion !== 1) {
		report(
			'package.json',
			'n8n/api-version',
			`"n8n.n8nNodesApiVersion" is ${n8n.n8nNodesApiVersion}, expected 1`,
		);
	}
	if (!Array.isArray(n8n.nodes) || n8n.nodes.length === 0) {
		report('package.json', 'n8n/nodes', '"n8n.nodes" lists no node');
	}
	for (const kind of ['nodes', 'credentials']) {
		for (const path of n8n[kind] ?? []) {
			if (!path.startsWith('dist/') || !shipped.has(path)) {
				report(
					'package.json',
					'n8n/missing-path',
					`n8n.${kind} names "${path}", not a dist/ file in the tarball`,
				);
				continue;
			}
			if (kind === 'nodes') checkCodex(pkg, path, shipped);
			checkIcons(path, shipped);
		}
	}
}

/** n8n reads a node's codex (categories, aliases, documentation links) from beside its .node.js. */
function checkCodex(pkg, nodePath, shipped) {
	const codexPath = nodePath.replace(/\.js$/, '.json');
	if (!shipped.has(codexPath)) {
		report(nodePath, 'n8n/missing-codex', `its codex ${codexPath} is not beside it`);
		return;
	}
	let codex;
	try {
		codex = JSON.parse(readFileSync(join(unpacked, codexPath), 'utf8'));
	} catch (error) {
		report(codexPath, 'n8n/codex', `does not parse: ${error.message}`);
		return;
	}
	if (typeof codex.node !== 'string' || !codex.node.startsWith(`${pkg.name}.`)) {
		report(
			codexPath,
			'n8n/codex',
			`"node" is ${JSON.stringify(codex.node)}, expected "${pkg.name}.<node name>"`,
		);
	}
}

/** An icon named `file:x.svg` is read from beside the compiled file that names it. */
function checkIcons(jsPath, shipped) {
	const code = readFileSync(join(unpacked, jsPath), 'utf8');
	const icons = [...code.matchAll(/['"]file:([^'"]+)['"]/g)].map((m) => m[1]);
	if (icons.length === 0) report(jsPath, 'n8n/icon', 'names no file: icon');
	for (const icon of icons) {
		const iconPath = `${dirname(jsPath)}/${icon}`;
		if (!shipped.has(iconPath))
			report(jsPath, 'n8n/icon', `its icon ${iconPath} is not in the tarball`);
	}
}

/** Runs the scanner's analysis and prints what it found, with paths relative to what was scanned. */
async function scanWith(analyzePackage, label, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	if (result.passed && result.message) {
		// "No files found to analyze" is a pass for the scanner, not for us.
		report(label, 'scanner/no-files', result.message);
	} else if (!result.passed) {
		const details = (result.details ?? '').split(`${dir}${sep}`).join(`${label}/`);
		const count = /(\d+) problems?/.exec(details)?.[1] ?? '?';
		console.log(`\nn8n scanner, ${label}: ${result.message}${details}`);
		report(label, 'scanner/eslint', `${count} finding(s) from n8n's scanner, listed above`);
	}
}

try {
	if (!existsSync(join(root, 'dist')))
		throw new Error('dist/ is missing: run `npm run build` first');

	const packed = JSON.parse(
		run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root }),
	)[0];
	run('tar', ['-xzf', join(work, packed.filename), '-C', work]);

	// What the tarball really holds, read back from it rather than from npm's account of it.
	const files = listFiles(unpacked).sort();
	console.log(
		`${packed.filename}: ${files.length} files, ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} unpacked`,
	);
	for (const file of files) {
		console.log(`  ${kib(statSync(join(unpacked, file)).size).padStart(9)}  ${file}`);
	}

	checkFileList(files);
	const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
	checkPackageJson(pkg, files);

	// The scanner makes its own temp folder when loaded and never removes it: keep it inside ours.
	process.env.TMPDIR = work;
	const { analyzePackage, SOURCE_FILE_PATTERNS } =
		await import('@n8n/scan-community-package/scanner/scanner.mjs');
	// The same two legs as n8n's verification: the compiled tarball (JavaScript and package.json
	// only; the rules for .ts would misfire on declarations), and the source it was built from.
	await scanWith(analyzePackage, 'tarball', unpacked, ['**/*.js', 'package.json']);
	await scanWith(analyzePackage, 'source', root, SOURCE_FILE_PATTERNS);
} catch (error) {
	report('-', 'scan/error', error.message);
} finally {
	if (keep) console.log(`\nkept ${work}`);
	else rmSync(work, { recursive: true, force: true });
}

if (findings.length > 0) {
	console.log(`\n${findings.length} finding(s):`);
	for (const { file, rule, message } of findings) console.log(`  ${file}  [${rule}]  ${message}`);
	process.exit(1);
}
console.log(
	"\nscan passed: the tarball holds only what a user needs and n8n's scanner found nothing",
);
