/**
 * Soak run (`npm run soak`): many items through Submit → Wait Until Done in n8n's engine against
 * a simulator that injects random faults (seeded, so a run can be replayed). Every item must end
 * with its video or a clear error, with exactly one task per item whose submit got through and
 * never two. Exits 1 when an invariant fails.
 *
 * Every 40th task is made to fail on the server's side. SOAK_ITEMS (default 200), SOAK_RATE (0.1), SOAK_SEED (20261125) change the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import type { RunResult } from '../engine/harness';
import type { OctopusSimulator as Simulator } from '../simulator';

const ITEMS = Number(process.env.SOAK_ITEMS ?? 200);
const RATE = Number(process.env.SOAK_RATE ?? 0.1);
const SEED = Number(process.env.SOAK_SEED ?? 20261125);
const KEY = 'sk-octo-SOAKRUN-3e8b1f6a9d2c7e4b5a0f';

/** Every 40th task fails on the server's side, so the "error names the task" path runs in bulk too. */
const promptOf = (i: number) => `soak item ${i}${i % 40 === 39 ? ' [sim:fail]' : ''}`;

type Outcome =
	| { kind: 'video'; taskId: string }
	| { kind: 'task-error'; taskId: string; message: string }
	| { kind: 'ambiguous-submit'; message: string }
	| { kind: 'refused-submit'; message: string }
	| { kind: 'otherwise'; why: string };

function pairedIndex(item: INodeExecutionData): number {
	const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
	return typeof paired === 'object' && paired !== null ? paired.item : -1;
}

function errorText(item: INodeExecutionData): {
	message: string;
	description: string;
	taskId?: string;
} {
	const json = item.json;
	const details = (json.details ?? {}) as Record<string, unknown>;
	return {
		message: String(json.error ?? ''),
		description: String(details.description ?? json.description ?? ''),
		taskId: (details.task_id ?? json.task_id) as string | undefined,
	};
}

/** What became of each input item, read from the two nodes' outputs. */
async function outcomes(sim: Simulator, result: RunResult): Promise<Outcome[]> {
	const found: Outcome[][] = Array.from({ length: ITEMS }, () => []);
	const [submitted = [], submitFailed = []] = result.nodeOutputs(0);
	const [done = [], waitFailed = []] = result.nodeOutputs(1);

	for (const item of submitFailed) {
		const i = pairedIndex(item);
		const { message, description } = errorText(item);
		if (
			/may or may not have been (created|taken)/.test(message) &&
			/NOT sent again/.test(description)
		) {
			found[i]?.push({ kind: 'ambiguous-submit', message });
		} else if (/\(HTTP 429\)/.test(message) && /No task was created/.test(description)) {
			found[i]?.push({ kind: 'refused-submit', message });
		} else {
			found[i]?.push({
				kind: 'otherwise',
				why: `submit error without a clear account: ${message}`,
			});
		}
	}
	const original = (waitIndex: number) => pairedIndex(submitted[waitIndex]);
	for (const item of done) {
		const i = original(pairedIndex(item));
		const taskId = String(item.json.id ?? '');
		const expected = submitted[pairedIndex(item)]?.json.id;
		if (!item.binary?.data) {
			found[i]?.push({ kind: 'otherwise', why: `success without a video (task ${taskId})` });
		} else if (taskId !== expected) {
			found[i]?.push({
				kind: 'otherwise',
				why: `video of task ${taskId}, submitted ${String(expected)}`,
			});
		} else if (!(await result.binary(item)).equals(sim.resultFor(taskId))) {
			found[i]?.push({ kind: 'otherwise', why: `video of task ${taskId} differs from the result` });
		} else {
			found[i]?.push({ kind: 'video', taskId });
		}
	}
	for (const item of waitFailed) {
		const i = original(pairedIndex(item));
		const { message, taskId } = errorText(item);
		const expected = String(submitted[pairedIndex(item)]?.json.id);
		if (taskId === expected && message.includes(expected)) {
			found[i]?.push({ kind: 'task-error', taskId: expected, message });
		} else {
			found[i]?.push({
				kind: 'otherwise',
				why: `wait error not naming task ${expected}: ${message}`,
			});
		}
	}
	return found.map((list, i) =>
		list.length === 1
			? list[0]
			: { kind: 'otherwise', why: `item ${i} ended ${list.length} times: ${JSON.stringify(list)}` },
	);
}

function tally<T extends string>(values: T[]): string {
	const counts = new Map<T, number>();
	for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
	return [...counts].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
}

async function main(): Promise<number> {
	// n8n-core writes its settings under N8N_USER_FOLDER: keep them out of the user's ~/.n8n.
	const userFolder = mkdtempSync(join(tmpdir(), 'octopusx-soak-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.once('exit', () => rmSync(userFolder, { recursive: true, force: true }));
	const { runOctopusX } = await import('../engine/harness');
	const { OctopusSimulator } = await import('../simulator');
	const { mp4Bytes, visibleText } = await import('../engine/faults/support');

	const sim = await OctopusSimulator.start({
		apiKey: KEY,
		// Long enough that most tasks are still running when Wait Until Done starts polling.
		taskDurationMs: 4000,
		resultBytes: 16 * 1024,
		randomFaults: { rate: RATE, seed: SEED },
	});
	const started = Date.now();
	let result: RunResult;
	try {
		const video = mp4Bytes(4 * 1024);
		result = await runOctopusX({
			parameters: { operation: 'submit', prompt: '={{ $json.prompt }}' },
			items: Array.from({ length: ITEMS }, (_, i) => ({
				json: { prompt: promptOf(i) },
				binary: { data: { bytes: video, mimeType: 'video/mp4', fileName: `in-${i}.mp4` } },
			})),
			credentials: { apiKey: KEY, baseUrl: sim.baseUrl },
			onError: 'continueErrorOutput',
			chain: [
				{
					parameters: { operation: 'waitUntilDone', options: { pollInterval: 1, timeout: 120 } },
					onError: 'continueErrorOutput',
				},
			],
		});
	} finally {
		await sim.stop();
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(1);

	const ends = await outcomes(sim, result);
	const tasksByPrompt = new Map<string, number>();
	for (const task of sim.tasks.values())
		tasksByPrompt.set(task.prompt, (tasksByPrompt.get(task.prompt) ?? 0) + 1);

	const problems: string[] = [];
	const count = (kind: Outcome['kind']) => ends.filter((e) => e.kind === kind).length;
	if (result.error) problems.push(`the run itself failed: ${result.error.message}`);
	let ambiguousWithTask = 0;
	ends.forEach((end, i) => {
		const prompt = promptOf(i);
		const tasks = tasksByPrompt.get(prompt) ?? 0;
		if (tasks >= 2) problems.push(`item ${i}: ${tasks} tasks created`);
		if (end.kind === 'otherwise') problems.push(`item ${i}: ${end.why}`);
		if ((end.kind === 'video' || end.kind === 'task-error') && tasks !== 1) {
			problems.push(`item ${i}: submit got through but ${tasks} tasks exist`);
		}
		if (end.kind === 'refused-submit' && tasks !== 0)
			problems.push(`item ${i}: refused, yet ${tasks} tasks`);
		if (end.kind === 'ambiguous-submit' && tasks === 1) ambiguousWithTask++;
	});

	// Each item's submit ends in exactly one exchange that was not a 429 (a 429 is repeated, nothing
	// else is), unless the rate limit never lifted. A faulted submit may not show its prompt (the
	// fault can come before the body is read), so this is counted over the whole run.
	const submits = sim.requestsTo('submit');
	const final = submits.filter((r) => r.status !== 429).length;
	if (final !== ITEMS - count('refused-submit')) {
		problems.push(
			`${final} submits were answered other than 429, expected one per item (${ITEMS - count('refused-submit')})`,
		);
	}

	// The key: in no output, error or log line; on no request to the CDN.
	const text = visibleText(result);
	if (text.includes(KEY) || text.includes(KEY.slice(-16)))
		problems.push('the API key appears in the output or logs');
	const keyed = sim.requests.filter(
		(r) => r.server !== 'api' && r.headers.authorization !== undefined,
	);
	if (keyed.length > 0)
		problems.push(`${keyed.length} CDN requests carried an Authorization header`);

	const counts = [...tasksByPrompt.values()];
	const faulted = sim.requests.filter((r) => r.faulted);
	const byRoute = (route: string) =>
		tally(
			faulted
				.filter((r) => r.route === route)
				.map((r) => (r.faulted ?? '').replace(/^random /, '')),
		);
	const perItem = ends.map((_, i) => tasksByPrompt.get(promptOf(i)) ?? 0);
	const line = (label: string, value: string | number) =>
		console.log(`${label.padEnd(58)} ${value}`);

	console.log(
		`OctopusX soak: ${ITEMS} items, Submit → Wait Until Done, random faults at ${RATE * 100}% on every route, seed ${SEED}`,
	);
	console.log(`requests: ${sim.requests.length} (${faulted.length} faulted)`);
	for (const route of ['submit', 'status', 'cdn', 'content'] as const) {
		console.log(
			`  ${route.padEnd(8)} ${String(sim.requestsTo(route).length).padStart(5)}  faults: ${byRoute(route)}`,
		);
	}
	line('items succeeded (video arrived, byte for byte)', count('video'));
	line(
		'items ended in a clear error',
		count('task-error') + count('ambiguous-submit') + count('refused-submit'),
	);
	line('  after submit, the error names the task', count('task-error'));
	line(
		'  submit may or may not have been taken (said so, not resent)',
		`${count('ambiguous-submit')} (a task exists for ${ambiguousWithTask})`,
	);
	line('  submit refused by the server, nothing created', count('refused-submit'));
	line(
		'tasks created per item whose submit got through',
		tally(
			ends.flatMap((e, i) =>
				e.kind === 'video' || e.kind === 'task-error' ? [String(perItem[i])] : [],
			),
		),
	);
	line(
		'tasks created per item whose submit was refused',
		tally(ends.flatMap((e, i) => (e.kind === 'refused-submit' ? [String(perItem[i])] : []))),
	);
	line('items with 2 or more tasks', counts.filter((n) => n >= 2).length);
	line('submits answered other than 429 (must be one per item)', `${final} for ${ITEMS} items`);
	line('items that ended otherwise', count('otherwise'));
	line(
		'API key leaks (outputs, errors, logs, CDN headers)',
		problems.filter((p) => /key|Authorization/.test(p)).length,
	);
	line('duration', `${seconds} s`);
	if (problems.length > 0) {
		console.log(`\nFAILED: ${problems.length} invariant violation(s)`);
		for (const p of problems.slice(0, 50)) console.log(`  - ${p}`);
		return 1;
	}
	console.log('\nOK: no lost item, no duplicate task, no leaked key');
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
