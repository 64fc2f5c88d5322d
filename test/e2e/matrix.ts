/**
 * The compatibility matrix: the core end-to-end cases on each n8n release the package is proven on, one
 * jest run of the e2e suite per row (OCTOPUSX_N8N_VERSION and OCTOPUSX_N8N_BINARY_MODE tell global setup
 * which n8n to prepare), then a table of what passed. `npm run test:e2e:matrix`; exits 1 unless every
 * core case passed on every row.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EXPECT_BINARY_STORE_ENV } from './expect';
import { ensureRuntime, N8N_VERSION_ENV, REPO_ROOT } from './runtime';
import { BINARY_MODE_ENV } from './state';
import { errorOutputRules, type ErrorOutputRule } from './versionDifferences';

interface Row {
	n8nVersion: string;
	/** N8N_DEFAULT_BINARY_DATA_MODE given to n8n; undefined leaves n8n's own default. */
	binaryMode?: string;
	/** How the table names the mode n8n ran in. */
	binaryModeLabel: string;
	/** Where the canonical case checks that n8n kept its output file. */
	store: 'memory' | 'filesystem';
}

/** Newest 1.x, oldest 2.x, and today's (the version `npm run test:e2e` runs). */
const ROWS: Row[] = [
	{ n8nVersion: '1.123.81', binaryModeLabel: 'default: in memory (unset)', store: 'memory' },
	{
		n8nVersion: '1.123.81',
		binaryMode: 'filesystem',
		binaryModeLabel: 'filesystem',
		store: 'filesystem',
	},
	{ n8nVersion: '2.0.0', binaryModeLabel: 'filesystem (unset)', store: 'filesystem' },
	{ n8nVersion: '2.41.1', binaryModeLabel: 'filesystem (unset)', store: 'filesystem' },
];

/** The core cases, by file and exact test name: a renamed test fails the matrix instead of vanishing. */
const CORE_CASES: Array<{ file: string; name: string; short: string }> = [
	{
		file: 'workflows.test.ts',
		name: 'reads an MP4, submits it, waits, and writes the generated video byte for byte',
		short: 'file → Submit → Wait → file, byte-exact',
	},
	{
		file: 'workflows.test.ts',
		name: 'sends a failed task to the error output with its task id, the others on',
		short: 'batch with one failing task, error output',
	},
	{
		file: 'failures.test.ts',
		name: 'stops on a PNG given as the video: exit code 1, the error names the file and the field, nothing sent',
		short: 'bad input, nothing sent',
	},
	{
		file: 'stop.test.ts',
		name: 'stops Wait Until Done mid-wait: no status request after Stop, the execution ends canceled',
		short: 'Stop mid-wait',
	},
	{
		file: 'findingTasks.test.ts',
		name: 'a finished execution carries the ids of the tasks it created as custom data',
		short: 'task ids as custom data, log lines',
	},
	{
		file: 'editor.test.ts',
		name: 'reports "Connection successful" for the right key',
		short: 'credential test, right key',
	},
	{
		file: 'editor.test.ts',
		name: 'reports the refusal for a wrong key',
		short: 'credential test, wrong key',
	},
];

interface Outcome {
	row: Row;
	nodeVersion: string;
	/** Time scripts/n8n-runtime.sh took: an install the first time, a version check after. */
	runtimeMs: number;
	passed: string[];
	failed: string[];
	/** The error-output rule the installed engine applies, and the one the node infers from n8n-workflow. */
	errorOutput?: { engine: ErrorOutputRule; node: ErrorOutputRule };
	/** Why the row could not run at all. */
	error?: string;
	ms: number;
}

interface JestJson {
	testResults: Array<{
		assertionResults: Array<{ title: string; status: string; failureMessages: string[] }>;
	}>;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function runJest(row: Row, outputFile: string): Promise<number | null> {
	const pattern = CORE_CASES.map((c) => `${escapeRegExp(c.name)}$`).join('|');
	const files = [...new Set(CORE_CASES.map((c) => `test/e2e/${c.file}`))];
	const env: NodeJS.ProcessEnv = {
		...process.env,
		[N8N_VERSION_ENV]: row.n8nVersion,
		[EXPECT_BINARY_STORE_ENV]: row.store,
	};
	if (row.binaryMode) env[BINARY_MODE_ENV] = row.binaryMode;
	else delete env[BINARY_MODE_ENV];
	const child = spawn(
		'npx',
		[
			'jest',
			'-c',
			'jest.e2e.config.js',
			'--json',
			`--outputFile=${outputFile}`,
			`--testNamePattern=${pattern}`,
			...files,
		],
		{ cwd: REPO_ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] },
	);
	return await new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (code) => resolve(code));
	});
}

async function runRow(row: Row, scratch: string, index: number): Promise<Outcome> {
	const started = Date.now();
	const outcome: Outcome = { row, nodeVersion: '?', runtimeMs: 0, passed: [], failed: [], ms: 0 };
	process.stderr.write(
		`\n=== matrix row ${index + 1}/${ROWS.length}: n8n ${row.n8nVersion}, binary mode ${row.binaryModeLabel}\n`,
	);
	try {
		const runtime = await ensureRuntime(row.n8nVersion);
		outcome.runtimeMs = Date.now() - started;
		outcome.nodeVersion = runtime.nodeVersion;
		const rules = errorOutputRules(runtime);
		outcome.errorOutput = rules;
		if (rules.engine === 'unknown' || rules.engine !== rules.node) {
			outcome.error = `the node infers the ${rules.node} error-output rule, n8n applies ${rules.engine}`;
		}
		const outputFile = join(scratch, `row-${index}.json`);
		const code = await runJest(row, outputFile);
		const results = (JSON.parse(readFileSync(outputFile, 'utf8')) as JestJson).testResults.flatMap(
			(r) => r.assertionResults,
		);
		for (const c of CORE_CASES) {
			const result = results.find((r) => r.title === c.name);
			(result?.status === 'passed' ? outcome.passed : outcome.failed).push(c.short);
		}
		if (code !== 0 && outcome.failed.length === 0) outcome.error ??= `jest exited with ${code}`;
	} catch (err) {
		outcome.error = (err as Error).message.slice(0, 300);
		outcome.failed = CORE_CASES.map((c) => c.short);
	}
	outcome.ms = Date.now() - started;
	return outcome;
}

function table(outcomes: Outcome[]): string {
	const lines = [
		`n8n compatibility matrix, run ${new Date().toISOString().slice(0, 10)} (core cases: ${CORE_CASES.map((c) => c.short).join('; ')})`,
		'',
		'| n8n | Node.js | Binary data mode | Error-output rule (engine / node) | Core cases passed | Runtime script | Row time |',
		'| --- | --- | --- | --- | --- | --- | --- |',
	];
	for (const o of outcomes) {
		const cases = `${o.passed.length}/${CORE_CASES.length}${o.failed.length ? ` (failed: ${o.failed.join(', ')})` : ''}`;
		lines.push(
			`| ${o.row.n8nVersion} | ${o.nodeVersion} | ${o.row.binaryModeLabel} | ${o.errorOutput ? `${o.errorOutput.engine} / ${o.errorOutput.node}` : '?'} | ${cases}${o.error ? `; ${o.error}` : ''} | ${Math.round(o.runtimeMs / 1000)} s | ${Math.round(o.ms / 1000)} s |`,
		);
	}
	return lines.join('\n');
}

async function main(): Promise<void> {
	const scratch = mkdtempSync(join(tmpdir(), 'octopusx-matrix-'));
	const outcomes: Outcome[] = [];
	try {
		for (const [i, row] of ROWS.entries()) outcomes.push(await runRow(row, scratch, i));
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
	process.stdout.write(`\n${table(outcomes)}\n`);
	if (outcomes.some((o) => o.failed.length > 0 || o.error)) process.exitCode = 1;
}

void main();
