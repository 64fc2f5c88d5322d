/**
 * `npm run bench:queue`: what a 15 MiB Submit and a 200 MB download add to an n8n worker's memory in
 * queue mode with binaries in Postgres (`database`), for the real node, the naive baseline
 * (bench/naive/, installed on the same worker) and a control that only moves the same file with one
 * of n8n's own nodes: n8n's share. Every measurement runs on a freshly started worker, after a
 * warm-up run with a small file; the figure is the worker process's peak RSS (VmHWM, reset through
 * /proc/<pid>/clear_refs after the warm-up) minus its RSS just before the run. Linux, as root.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OctopusSimulator } from '../../test/simulator';
import { simCredential } from '../../test/e2e/expect';
import { packPackage } from '../../test/e2e/package';
import { ensureRuntime } from '../../test/e2e/runtime';
import { QueueCluster } from '../../test/queue/cluster';
import { chain, nodeId, octopusX, webhook, type Node } from '../../test/queue/workflows';
import { createTasks } from '../engineRun';
import { describeMachine } from '../machine';
import { MB, MiB, mp4Bytes } from '../media';
import { renderTable, type Row } from '../table';
import { NAIVE_NODE_TYPE, packNaivePackage } from './naivePackage';

const UPLOAD_BYTES = 15 * MiB;
const DOWNLOAD_BYTES = 200 * MB;
const WARM_UP_BYTES = 256 * 1024;
const WORKER = 'worker-1';
const ROUNDS = Number(process.env.OCTOPUSX_BENCH_ROUNDS ?? 7);

type Variant = 'control' | 'node' | 'naive';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
	if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
	return Number(match[1]) * 1024;
}

/** One workflow per variant and direction, each behind its own webhook that answers when done. */
function benchWorkflows(outDir: string) {
	const answerWhenDone = (path: string) =>
		webhook(path, { respond: 'lastNode', responseData: 'firstEntryJson' });
	const upload: Record<Variant, Node> = {
		control: {
			id: nodeId(),
			name: 'Write File',
			type: 'n8n-nodes-base.readWriteFile',
			typeVersion: 1.1,
			position: [0, 0],
			parameters: {
				operation: 'write',
				fileName: `=${outDir}/upload-{{ $execution.id }}.mp4`,
				dataPropertyName: 'data',
				options: {},
			},
		},
		node: octopusX('Submit', {
			operation: 'submit',
			prompt: 'Benchmark upload',
			videoSource: 'binary',
			binaryPropertyName: 'data',
			options: {},
		}),
		naive: octopusX(
			'Naive Submit',
			{ operation: 'submit', prompt: 'Benchmark upload', binaryPropertyName: 'data' },
			NAIVE_NODE_TYPE,
		),
	};
	const download: Record<Variant, Node> = {
		control: {
			id: nodeId(),
			name: 'Download File',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [0, 0],
			parameters: {
				url: '={{ $json.body.url }}',
				options: { response: { response: { responseFormat: 'file' } } },
			},
		},
		node: octopusX('Wait Until Done', {
			operation: 'waitUntilDone',
			taskId: '={{ $json.body.id }}',
			download: true,
			options: { pollInterval: 1 },
		}),
		naive: octopusX(
			'Naive Wait',
			{
				operation: 'waitUntilDone',
				taskId: '={{ $json.body.id }}',
				pollInterval: 1,
				download: true,
			},
			NAIVE_NODE_TYPE,
		),
	};
	const variants: Variant[] = ['control', 'node', 'naive'];
	return variants.flatMap((v) => [
		chain(`benchUpload-${v}`, [answerWhenDone(`upload-${v}`), upload[v]]),
		chain(`benchDownload-${v}`, [answerWhenDone(`download-${v}`), download[v]]),
	]);
}

interface Figure {
	/** Bytes the run added to the worker's peak RSS. */
	added: number;
	before: number;
	peak: number;
}

async function main(): Promise<void> {
	const scratch = mkdtempSync(join(tmpdir(), 'octopusx-bench-queue-'));
	const outDir = join(scratch, 'out');
	mkdirSync(outDir);
	const runtime = await ensureRuntime();
	const nodeVersion = execFileSync(runtime.node, ['-v'], { encoding: 'utf8' }).trim();
	console.log(`Machine: ${describeMachine(nodeVersion)}; workers: n8n ${runtime.n8nVersion}`);
	const sim = await OctopusSimulator.start({ taskDurationMs: 200 });
	const cluster = await QueueCluster.start({
		runtime,
		tarball: packPackage(join(scratch, 'pack')),
		extraTarballs: [packNaivePackage(scratch)],
		parentDir: join(scratch, 'cluster'),
		workers: 1,
		concurrency: 1,
		binaryMode: 'database',
		credentials: [simCredential(sim)],
		workflows: benchWorkflows(outDir),
		env: { N8N_RESTRICT_FILE_ACCESS_TO: outDir },
	});

	const call = async (path: string, init: RequestInit) => {
		const answer = await cluster.webhook(path, init);
		const text = await answer.text();
		if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${text}`);
	};
	const upload = (v: Variant) => async (bytes: number) =>
		await call(`upload-${v}`, {
			headers: { 'content-type': 'video/mp4' },
			body: mp4Bytes(bytes),
		});
	const download = (v: Variant) => async (bytes: number) => {
		sim.setOptions({ resultBytes: bytes });
		const [id] = await createTasks(sim, 1, 'Benchmark download [sim:ms=100]');
		await new Promise((r) => setTimeout(r, 300));
		const task = (await (
			await fetch(`${sim.baseUrl}/v1/videos/${id}`, {
				headers: { authorization: `Bearer ${sim.apiKey}` },
			})
		).json()) as { video_url: string };
		await call(`download-${v}`, {
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ id, url: task.video_url }),
		});
	};

	/** A fresh worker, a warm-up run, then the measured run. */
	const measure = async (run: (bytes: number) => Promise<void>, bytes: number): Promise<Figure> => {
		await cluster.stopWorker(WORKER);
		const { process: worker } = await cluster.startWorker(WORKER);
		await run(WARM_UP_BYTES);
		await new Promise((r) => setTimeout(r, 1000));
		const pid = worker.pid as number;
		writeFileSync(`/proc/${pid}/clear_refs`, '5');
		const before = statusField(pid, 'VmRSS');
		await run(bytes);
		const peak = statusField(pid, 'VmHWM');
		rmSync(outDir, { recursive: true, force: true });
		mkdirSync(outDir);
		return { added: peak - before, before, peak };
	};

	// Every figure is the median of ROUNDS runs, the variants interleaved so that a slow spell of
	// the machine does not land on one variant only.
	const rounds: Record<string, Figure[]> = {};
	try {
		for (let round = 1; round <= ROUNDS; round++) {
			for (const v of ['control', 'node', 'naive'] as Variant[]) {
				const up = await measure(upload(v), UPLOAD_BYTES);
				(rounds[`upload-${v}`] ??= []).push(up);
				console.log(`round ${round}, upload ${v}: +${(up.added / MiB).toFixed(1)} MiB`);
				const down = await measure(download(v), DOWNLOAD_BYTES);
				(rounds[`download-${v}`] ??= []).push(down);
				console.log(`round ${round}, download ${v}: +${(down.added / MB).toFixed(1)} MB`);
			}
		}
	} finally {
		await cluster.stop();
		await sim.stop();
		rmSync(scratch, { recursive: true, force: true });
	}

	const median = (list: Figure[]) => [...list].sort((a, b) => a.added - b.added)[list.length >> 1];
	const figures = Object.fromEntries(Object.entries(rounds).map(([k, list]) => [k, median(list)]));
	const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
	const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
	const times = (a: number, b: number) => `${(a / b).toFixed(2)} ×`;
	const less = (node: number, naive: number) =>
		Math.abs(naive / node - 1) < 0.1 ? 'about the same' : `${(naive / node).toFixed(1)} × less`;
	const u = (v: Variant) => figures[`upload-${v}`].added;
	const d = (v: Variant) => figures[`download-${v}`].added;
	const rows: Row[] = [
		{
			target: 'Q1',
			what: `one ${mib(UPLOAD_BYTES)} Submit on a worker, binaries in Postgres: peak RSS added, median of ${ROUNDS} fresh workers (control: n8n's Write File node moving the same file from Postgres to disk: ${mib(u('control'))} = ${times(u('control'), UPLOAD_BYTES)} file)`,
			node: `${mib(u('node'))} = ${times(u('node'), UPLOAD_BYTES)} file`,
			baseline: `${mib(u('naive'))} = ${times(u('naive'), UPLOAD_BYTES)} file`,
			ratio: less(u('node'), u('naive')),
			goal: 'reported',
		},
		{
			target: 'Q1',
			what: `same, beyond n8n's share (run − control)`,
			node: `${mib(u('node') - u('control'))} = ${times(u('node') - u('control'), UPLOAD_BYTES)} file`,
			baseline: `${mib(u('naive') - u('control'))} = ${times(u('naive') - u('control'), UPLOAD_BYTES)} file`,
			ratio: '',
			goal: 'reported',
		},
		{
			target: 'Q2',
			what: `one ${mb(DOWNLOAD_BYTES)} result downloaded on a worker into Postgres: peak RSS added, median of ${ROUNDS} fresh workers (control: n8n's HTTP Request node downloading the same file as binary: ${mb(d('control'))} = ${times(d('control'), DOWNLOAD_BYTES)} file)`,
			node: `${mb(d('node'))} = ${times(d('node'), DOWNLOAD_BYTES)} file`,
			baseline: `${mb(d('naive'))} = ${times(d('naive'), DOWNLOAD_BYTES)} file`,
			ratio: less(d('node'), d('naive')),
			goal: 'reported',
		},
		{
			target: 'Q2',
			what: `same, beyond n8n's share (run − control)`,
			node: mb(d('node') - d('control')),
			baseline: mb(d('naive') - d('control')),
			ratio: '',
			goal: 'reported',
		},
	];
	const table = renderTable(rows);
	console.log(`\n${table}\n`);
	const resultsDir = join(__dirname, '..', 'results');
	writeFileSync(
		join(resultsDir, 'queue-latest.json'),
		`${JSON.stringify({ figures, rounds, uploadBytes: UPLOAD_BYTES, downloadBytes: DOWNLOAD_BYTES }, null, 2)}\n`,
	);
	writeFileSync(join(resultsDir, 'queue-latest.md'), `${table}\n`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
