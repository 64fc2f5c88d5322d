/**
 * `npm run bench`: the built node against the naive baseline (bench/naive/), both run by n8n-core's
 * engine against the OctopusX simulator, every measurement in a fresh process. Prints one table:
 * each figure, the baseline's, their ratio and the target, and writes it to bench/results/latest.md.
 *
 * The naive timing runs take a minute (they go one item after another), so they run in the
 * background, each in its own process with its own simulator, while the node's runs go one at a time
 * in the foreground (but for polling, which counts requests and whole seconds, and the two throttled
 * transfer runs side by side). The memory runs talk to a simulator in this process, so the server's
 * buffers stay out of their figures.
 *
 * OCTOPUSX_BENCH_NODE=/path/to/node runs the measurement processes on another Node (n8n 2.36+ runs
 * on Node 24).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OctopusSimulator } from '../test/simulator';
import { built } from './built';
import { createTasks } from './engineRun';
import type { Job, RemoteSim, Variant } from './jobs';
import { describeMachine } from './machine';
import { MB, MiB } from './media';
import type { BatchResult } from './scenarios/batch';
import type { DownloadMemoryResult } from './scenarios/downloadMemory';
import type { EncodeCpuResult } from './scenarios/encodeCpu';
import type { PollingResult } from './scenarios/polling';
import type { ThroughputResult } from './scenarios/throughput';
import type { UploadCpuResult, UploadMemoryResult } from './scenarios/uploadMemory';
import { hasGnuTime, measurementNode, spawnJob, type JobOutcome } from './spawnJob';
import { renderTable, type Row } from './table';

/** Fresh processes per variant for the CPU rows; each measures 3 runs. */
const CPU_PROCESSES = 3;

const BATCH = {
	items: 20,
	taskMs: 3000,
	intervalS: 1,
	referenceBytes: 1 * MiB,
	resultBytes: 1 * MiB,
};
const THROUGHPUT = { items: 20, fileBytes: 10 * MB, bytesPerSec: 5 * MB };
/** Each connection's speed for the five uploads in flight: slow enough for them to go side by side. */
const FIVE_LINK_BYTES_PER_SEC = 10 * MB;
const POLLING = { taskMs: 6000, intervalS: 2, retryAfterS: 2, retryAfterTimes: 2 };
const UPLOAD_BYTES = 15 * MiB;
const SMALL_UPLOAD_BYTES = 3 * MiB;
const DOWNLOAD_BYTES = 200 * MB;

async function main(): Promise<void> {
	const started = performance.now();
	const scratch = mkdtempSync(join(tmpdir(), 'octopusx-bench-'));
	process.once('exit', () => rmSync(scratch, { recursive: true, force: true, maxRetries: 5 }));
	const run = <T>(job: Job) => spawnJob<T>(job, scratch);
	const runtime = measurementNode();
	const machine = describeMachine(execFileSync(runtime, ['-v']).toString().trim());
	console.log(`Machine: ${machine}`);
	console.log(
		hasGnuTime ? 'Max RSS from /usr/bin/time -v.' : '/usr/bin/time not found: no max RSS.',
	);

	// The naive runs: one item after another, about a minute each; in the background.
	const naive = {
		batch: run<BatchResult>({ scenario: 'batch', variant: 'naive', ...BATCH }),
		upload: run<ThroughputResult>({
			scenario: 'throughput',
			variant: 'naive',
			direction: 'upload',
			...THROUGHPUT,
		}),
		download: run<ThroughputResult>({
			scenario: 'throughput',
			variant: 'naive',
			direction: 'download',
			...THROUGHPUT,
		}),
		polling: run<PollingResult>({ scenario: 'polling', variant: 'naive', ...POLLING }),
	};
	// Polling is counted in requests and whole seconds, which a busy machine does not change.
	const nodePolling = run<PollingResult>({ scenario: 'polling', variant: 'node', ...POLLING });
	// Keeps an early failure from going unhandled while the foreground runs.
	[...Object.values(naive), nodePolling].forEach((p) => p.catch(() => undefined));

	const sim = await OctopusSimulator.start({ taskDurationMs: 0, resultBytes: 64 * 1024 });
	const remote: RemoteSim = { baseUrl: sim.baseUrl, apiKey: sim.apiKey };
	const upload = async (variant: UploadVariant, fileBytes = UPLOAD_BYTES, items = 1) =>
		await run<UploadMemoryResult>({
			scenario: 'uploadMemory',
			variant,
			fileBytes,
			items,
			sim: remote,
		});
	const cpu = async (variant: CpuVariant) =>
		await run<UploadCpuResult>({
			scenario: 'uploadCpu',
			variant,
			fileBytes: UPLOAD_BYTES,
			items: 1,
			sim: remote,
		});
	const up = {
		control: await upload('control'),
		node: await upload('node'),
		buffered: await upload('buffered'),
		naive: await upload('naive'),
	};
	// What still grows with the file: the same upload with a file a fifth the size.
	const small = {
		control: await upload('control', SMALL_UPLOAD_BYTES),
		node: await upload('node', SMALL_UPLOAD_BYTES),
		buffered: await upload('buffered', SMALL_UPLOAD_BYTES),
	};
	// Five uploads in flight at once (the node's bound), in one Submit of five items. On a fast link
	// the node sends them one after another (transport/uploadLane.ts); every connection held to
	// 10 MB/s, they go side by side, which is what this measures.
	sim.setOptions({ throttleBytesPerSec: FIVE_LINK_BYTES_PER_SEC });
	const five = {
		control: await upload('control', UPLOAD_BYTES, 5),
		node: await upload('node', UPLOAD_BYTES, 5),
		buffered: await upload('buffered', UPLOAD_BYTES, 5),
	};
	sim.setOptions({ throttleBytesPerSec: 0 });
	const [warmUpTaskId] = await createTasks(remote, 1);
	sim.setOptions({ resultBytes: DOWNLOAD_BYTES });
	const [taskId] = await createTasks(remote, 1);
	sim.setOptions({ resultBytes: 2 * DOWNLOAD_BYTES });
	const [doubleTaskId] = await createTasks(remote, 1);
	const download = async (
		variant: Variant | 'control',
		id = taskId,
		resultBytes = DOWNLOAD_BYTES,
	) =>
		await run<DownloadMemoryResult>({
			scenario: 'downloadMemory',
			variant,
			taskId: id,
			warmUpTaskId,
			resultBytes,
			sim: remote,
		});
	const down = {
		control: await download('control'),
		node: await download('node'),
		naive: await download('naive'),
		// Twice the size: a streamed download's peak must not follow the file's size.
		nodeDouble: await download('node', doubleTaskId, 2 * DOWNLOAD_BYTES),
	};
	const batch = await run<BatchResult>({ scenario: 'batch', variant: 'node', ...BATCH });
	// Both are held back by the simulator's throttle, not by the CPU: they run side by side.
	const [uploads, downloads] = await Promise.all(
		(['upload', 'download'] as const).map(
			async (direction) =>
				await run<ThroughputResult>({
					scenario: 'throughput',
					variant: 'node',
					direction,
					...THROUGHPUT,
				}),
		),
	);
	const node = { batch, upload: uploads, download: downloads, polling: await nodePolling };
	const baseline = {
		batch: await naive.batch,
		upload: await naive.upload,
		download: await naive.download,
		polling: await naive.polling,
	};

	// CPU time last, on a quiet machine: the two cores' threads slow each other down when both are busy.
	// The variants take turns, each in CPU_PROCESSES fresh processes, so a machine that gets busier or
	// quieter during the run weighs on all of them alike.
	const cpus: Figures['cpus'] = { control: [], node: [], freeEncoder: [], buffered: [], naive: [] };
	for (let turn = 0; turn < CPU_PROCESSES; turn++) {
		for (const variant of Object.keys(cpus) as CpuVariant[]) cpus[variant].push(await cpu(variant));
	}
	const encode = async (variant: 'node' | 'buffered') =>
		await run<EncodeCpuResult>({
			scenario: 'encodeCpu',
			variant,
			fileBytes: UPLOAD_BYTES,
			rounds: 7,
		});
	const encodes = { node: await encode('node'), buffered: await encode('buffered') };

	await sim.stop();

	const rows = buildRows({ up, small, five, cpus, encodes, down, node, baseline });
	const seconds = (performance.now() - started) / 1000;
	const table = renderTable(rows);
	const notes = [
		`Machine: ${machine}. Bench time ${seconds.toFixed(0)} s (measurements only; \`npm run bench\` builds first).`,
		"Every figure comes from one run of the real node (dist/), of the same node sending the body built whole in one buffer as before it was streamed (bench/buffered/), and of the naive baseline (bench/naive/) in n8n-core's WorkflowExecute, each in a fresh process; the naive timing runs ran in the background meanwhile.",
		`Memory: heap + arrayBuffers from process.memoryUsage() every millisecond, the level after a full collection subtracted; "control" is the same run without the file (a URL reference, or no download).${hasGnuTime ? ' Max RSS: /usr/bin/time -v, whole process.' : ''}`,
	];
	const report = `${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
	console.log(`\n${report}`);
	const dir = join(__dirname, 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'latest.md.tmp'), report);
	renameSync(join(dir, 'latest.md.tmp'), join(dir, 'latest.md'));
	writeFileSync(
		join(dir, 'latest.json.tmp'),
		JSON.stringify({ machine, up, small, five, cpus, encodes, down, node, baseline }, null, '\t'),
	);
	renameSync(join(dir, 'latest.json.tmp'), join(dir, 'latest.json'));
	if (rows.some((row) => row.met === false)) process.exitCode = 1;
}

/** naive: the naive baseline node; buffered: this node with the body built whole, as before it was streamed. */
type UploadVariant = Variant | 'control' | 'buffered';
/** freeEncoder: the node with an encoder that costs nothing (bench/floors/freeEncoder.ts). */
type CpuVariant = UploadVariant | 'freeEncoder';

interface Figures {
	up: Record<UploadVariant, JobOutcome<UploadMemoryResult>>;
	small: Record<'control' | 'node' | 'buffered', JobOutcome<UploadMemoryResult>>;
	five: Record<'control' | 'node' | 'buffered', JobOutcome<UploadMemoryResult>>;
	/** Every variant's processes, in the order they ran. */
	cpus: Record<CpuVariant, Array<JobOutcome<UploadCpuResult>>>;
	encodes: Record<'node' | 'buffered', JobOutcome<EncodeCpuResult>>;
	down: Record<Variant | 'control' | 'nodeDouble', JobOutcome<DownloadMemoryResult>>;
	node: {
		batch: JobOutcome<BatchResult>;
		upload: JobOutcome<ThroughputResult>;
		download: JobOutcome<ThroughputResult>;
		polling: JobOutcome<PollingResult>;
	};
	baseline: Figures['node'];
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const times = (x: number) => `${x.toFixed(2)} ×`;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function buildRows(f: Figures): Row[] {
	const { AT_ONCE } = built.limit();
	const rows: Row[] = [];

	const nb = f.node.batch.result;
	const bb = f.baseline.batch.result;
	rows.push({
		target: '1a',
		what: `${nb.items} items Submit → Wait Until Done, each task ${BATCH.taskMs / 1000} s, poll ${BATCH.intervalS} s: time against one item`,
		node: `${s(nb.allMs)} = ${times(nb.allMs / nb.oneMs)} one item (${s(nb.oneMs)})`,
		baseline: `${s(bb.allMs)} = ${times(bb.allMs / bb.oneMs)} one item (${s(bb.oneMs)})`,
		ratio: `${(bb.allMs / nb.allMs).toFixed(1)} × faster`,
		goal: '≤ 1.3 × one item',
		met: nb.allMs <= 1.3 * nb.oneMs,
	});

	for (const [direction, bound, route] of [
		['upload', AT_ONCE.uploads, 'submit'],
		['download', AT_ONCE.downloads, 'cdn'],
	] as const) {
		const n = f.node[direction].result;
		const b = f.baseline[direction].result;
		const speedup = b.ms / n.ms;
		rows.push({
			target: '1b',
			what: `${n.items} ${direction}s of ${mb(THROUGHPUT.fileBytes)}, every connection held to ${mb(THROUGHPUT.bytesPerSec)}/s; most in flight at once (simulator, ${route})`,
			node: `${s(n.ms)}, ${n.maxInFlight} in flight (bound ${bound})`,
			baseline: `${s(b.ms)}, ${b.maxInFlight} in flight`,
			ratio: `${speedup.toFixed(1)} × faster`,
			goal: `≥ 3 × faster, ≤ ${bound} in flight`,
			met: speedup >= 3 && n.maxInFlight <= bound,
		});
	}

	const file = UPLOAD_BYTES;
	const up = f.up;
	const added = (o: JobOutcome<UploadMemoryResult>) => o.result.memory.added;
	const upNet = (v: Exclude<UploadVariant, 'control'>) => added(up[v]) - added(up.control);
	const ofFile = (bytes: number, size = file) => `${mib(bytes)} = ${times(bytes / size)} file`;
	rows.push({
		target: '2',
		what: `one ${mib(file)} upload (filesystem mode): peak heap + arrayBuffers added by sending it (run − control: ${mib(added(up.control))}); baseline: the body built whole, as before`,
		node: `${ofFile(upNet('node'))} (run ${mib(added(up.node))})`,
		baseline: `${ofFile(upNet('buffered'))} (run ${mib(added(up.buffered))})`,
		ratio: `${(upNet('buffered') / upNet('node')).toFixed(1)} × less`,
		goal: '≤ 0.5 × file',
		met: upNet('node') <= 0.5 * file,
	});
	rows.push({
		target: '2',
		what: 'same, against the naive node',
		node: ofFile(upNet('node')),
		baseline: `${ofFile(upNet('naive'))} (run ${mib(added(up.naive))})`,
		ratio: `${(upNet('naive') / upNet('node')).toFixed(1)} × less`,
		goal: 'reported',
	});
	if (hasGnuTime) {
		const rss = (v: UploadVariant) => up[v].maxRssBytes ?? 0;
		// A process's RSS varies by a few MiB from run to run: one may end below the control.
		const extra = (v: Exclude<UploadVariant, 'control'>) => rss(v) - rss('control');
		const over = (v: Exclude<UploadVariant, 'control'>) =>
			extra(v) > 0
				? `${mib(rss(v))} (+${mib(extra(v))} = ${times(extra(v) / file)} file)`
				: `${mib(rss(v))} (${mib(-extra(v))} below the control)`;
		rows.push({
			target: '2',
			what: `same, whole process max RSS (/usr/bin/time -v); control ${mib(rss('control'))}`,
			node: over('node'),
			baseline: `buffered ${over('buffered')}; naive ${over('naive')}`,
			ratio:
				extra('node') > 0
					? `${(extra('buffered') / extra('node')).toFixed(1)} × less than buffered`
					: 'none added',
			goal: 'reported',
		});
	}
	const fiveNet = (v: 'node' | 'buffered') => added(f.five[v]) - added(f.five.control);
	rows.push({
		target: '2',
		what: `five ${mib(file)} uploads in flight at once (one Submit of 5 items, each connection held to ${mb(FIVE_LINK_BYTES_PER_SEC)}/s): peak added in all (run − control of 5 URL submits: ${mib(added(f.five.control))})`,
		node: `${ofFile(fiveNet('node'))} (run ${mib(added(f.five.node))})`,
		baseline: `${ofFile(fiveNet('buffered'))} (run ${mib(added(f.five.buffered))})`,
		ratio: `${(fiveNet('buffered') / fiveNet('node')).toFixed(1)} × less`,
		goal: '≤ 1 × one file in all',
		met: fiveNet('node') <= file,
	});
	const smallNet = (v: 'node' | 'buffered') => added(f.small[v]) - added(f.small.control);
	rows.push({
		target: '2',
		what: `one upload of ${mib(SMALL_UPLOAD_BYTES)} beside one of ${mib(file)}: what still grows with the file`,
		node: `${mib(smallNet('node'))} / ${mib(upNet('node'))}`,
		baseline: `${mib(smallNet('buffered'))} / ${mib(upNet('buffered'))}`,
		ratio: '',
		goal: 'reported',
	});

	const down = f.down;
	rows.push({
		target: '3',
		what: `one ${mb(DOWNLOAD_BYTES)} result, filesystem mode: peak heap + arrayBuffers added (control, no download: ${mb(down.control.result.memory.added)})`,
		node: mb(down.node.result.memory.added),
		baseline: mb(down.naive.result.memory.added),
		ratio: `${(down.naive.result.memory.added / down.node.result.memory.added).toFixed(1)} × less`,
		goal: '≤ 32 MB',
		met: down.node.result.memory.added <= 32 * MB,
	});
	rows.push({
		target: '3',
		what: `same with a ${mb(2 * DOWNLOAD_BYTES)} result (node only): the peak does not grow with the file`,
		node: mb(down.nodeDouble.result.memory.added),
		baseline: '',
		ratio: '',
		goal: 'reported',
	});
	if (hasGnuTime) {
		const rss = (v: Variant | 'control') => down[v].maxRssBytes ?? 0;
		rows.push({
			target: '3',
			what: `same, whole process max RSS (/usr/bin/time -v); control ${mb(rss('control'))}`,
			node: `${mb(rss('node'))} (+${mb(rss('node') - rss('control'))})`,
			baseline: `${mb(rss('naive'))} (+${mb(rss('naive') - rss('control'))})`,
			ratio: `${((rss('naive') - rss('control')) / (rss('node') - rss('control'))).toFixed(1)} × less`,
			goal: 'reported',
		});
	}

	const np = f.node.polling.result;
	const bp = f.baseline.polling.result;
	const allowed = Math.floor(np.taskMs / 1000 / np.intervalS + 3);
	rows.push({
		target: '4',
		what: `status requests for one task of ${np.taskMs / 1000} s, poll interval ${np.intervalS} s`,
		node: String(np.statusRequests),
		baseline: String(bp.statusRequests),
		ratio: '',
		goal: `≤ T / interval + 3 = ${allowed}`,
		met: np.statusRequests <= allowed,
	});
	rows.push({
		target: '4',
		what: "from the task's end to the status request that saw it done",
		node: s(np.seenAfterMs),
		baseline: s(bp.seenAfterMs),
		ratio: '',
		goal: `≤ one interval (${np.intervalS} s)`,
		met: np.seenAfterMs <= np.intervalS * 1000,
	});
	const ra = (r: PollingResult['retryAfter']) =>
		r.succeeded
			? `done; next poll ${r.gapsMs.map((g) => s(g)).join(', ')} after each 429`
			: `failed: ${(r.error ?? '').replace(/^\w+ \w+ failed: /, '').slice(0, 60)}`;
	rows.push({
		target: '4',
		what: `${POLLING.retryAfterTimes} status answers 429 with Retry-After: ${POLLING.retryAfterS}`,
		node: ra(np.retryAfter),
		baseline: ra(bp.retryAfter),
		ratio: '',
		goal: 'slowed down, not failed',
		met:
			np.retryAfter.succeeded &&
			np.retryAfter.gapsMs.length === POLLING.retryAfterTimes &&
			np.retryAfter.gapsMs.every((g) => g >= POLLING.retryAfterS * 1000),
	});

	// The median of every measured run of the variant, in all its processes.
	const cpuRuns = (v: CpuVariant) => f.cpus[v].flatMap((p) => p.result.runsMs);
	const cpu = (v: CpuVariant) => median(cpuRuns(v));
	const cpuAdded = (v: Exclude<CpuVariant, 'control'>) => cpu(v) - cpu('control');
	const runs = cpuRuns('node').length;
	rows.push({
		target: '5',
		what: `CPU (user + system, process.cpuUsage()) one ${mib(file)} Submit adds: engine run − the same run with a URL reference (${ms(cpu('control'))}); median of ${runs} runs in ${CPU_PROCESSES} processes per variant, the variants taking turns; baseline: the body built whole, as before`,
		node: `${ms(cpuAdded('node'))} = ${(cpuAdded('node') / cpuAdded('buffered')).toFixed(2)} × (run ${ms(cpu('node'))})`,
		baseline: `${ms(cpuAdded('buffered'))} (run ${ms(cpu('buffered'))})`,
		ratio: `${(cpuAdded('buffered') / cpuAdded('node')).toFixed(1)} × less`,
		goal: '≤ 0.5 × the buffered body',
		met: cpuAdded('node') <= 0.5 * cpuAdded('buffered'),
	});
	rows.push({
		target: '5',
		what: "same with the node's encoder replaced by one that costs nothing (bench/floors/freeEncoder.ts): reading the file, the streams and the HTTP exchange alone, what no faster encoder could take off",
		node: `${ms(cpuAdded('freeEncoder'))} = ${(cpuAdded('freeEncoder') / cpuAdded('buffered')).toFixed(2)} × (run ${ms(cpu('freeEncoder'))})`,
		baseline: `${ms(cpuAdded('buffered'))}`,
		ratio: `encoder ${ms(cpuAdded('node') - cpuAdded('freeEncoder'))}`,
		goal: 'reported',
	});
	rows.push({
		target: '5',
		what: 'same, against the naive node',
		node: ms(cpuAdded('node')),
		baseline: `${ms(cpuAdded('naive'))} (run ${ms(cpu('naive'))})`,
		ratio: `${(cpuAdded('naive') / cpuAdded('node')).toFixed(1)} × less`,
		goal: '< 100 ms',
		met: cpuAdded('node') < 100,
	});
	const rounds = (v: 'node' | 'buffered') => f.encodes[v].result.roundsMs;
	rows.push({
		target: '5',
		what: `of which reading the file (getBinaryStream) + encoding the body, no HTTP, ${rounds('node').length} rounds`,
		node: `median ${ms(median(rounds('node')))}, first ${ms(rounds('node')[0])}`,
		baseline: `median ${ms(median(rounds('buffered')))}, first ${ms(rounds('buffered')[0])}`,
		ratio: `${(median(rounds('buffered')) / median(rounds('node'))).toFixed(1)} × less`,
		goal: 'reported',
	});
	return rows;
}

// Ctrl-C (or a kill) ends the measurement processes too: the exit handler in spawnJob.ts.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
