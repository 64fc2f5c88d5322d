/**
 * `npm run bench:upload-parts`: what each part of a streamed 15 MiB upload costs in CPU on this
 * machine, measured apart, to show where the node's CPU goes and what it could still change:
 *
 * - reading the file from n8n-core's real file store (`getAsStream`, the helper behind
 *   `getBinaryStream`) at three chunk sizes, each chunk freed as the node frees it;
 * - encoding it: the node's word-wise encoder, and Node's own `toString('base64')` on 48 KiB runs
 *   copied into a reused buffer (fast, but every run is a string on the heap);
 * - sending 20 MB over loopback HTTP to a server in another process: in one buffer, and as a stream
 *   of 64 KiB and of 384 KiB pieces (a 288 KiB piece is 384 KiB of base64).
 *
 * Each figure is the median CPU time (user + system) of 7 rounds after 2 warm-ups, in this process.
 * The engine benchmark (`npm run bench`) has the whole submit and its floor; this one only explains it.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { Readable } from 'node:stream';

import { getEngine } from '../../test/engine/harness/engine';
import { built } from '../built';
import { mp4Bytes } from '../media';

const FILE = 15 * 1024 * 1024;
const BODY = (FILE / 3) * 4;
const ROUNDS = 7;
const { Base64Pieces, base64Room } = built.dataUriBody();
const { freeChunk } = built.freeChunk();

async function cpuMs(work: () => Promise<unknown> | unknown): Promise<number> {
	for (let i = 0; i < 2; i++) await work();
	const rounds: number[] = [];
	for (let i = 0; i < ROUNDS; i++) {
		const start = process.cpuUsage();
		await work();
		const used = process.cpuUsage(start);
		rounds.push((used.user + used.system) / 1000);
	}
	return rounds.sort((a, b) => a - b)[ROUNDS >> 1];
}

/** A server in another process that reads each request to its end, so its work is not counted here. */
async function startSink(): Promise<{ port: number; stop: () => void }> {
	const code = `
		const server = require('node:http').createServer((req, res) => {
			req.on('data', () => {}).on('end', () => res.end('ok'));
		});
		server.listen(0, '127.0.0.1', () => process.send(server.address().port));`;
	const child = spawn(process.execPath, ['-e', code], {
		stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
	});
	const port = await new Promise<number>((resolve) => child.once('message', resolve));
	return { port, stop: () => child.kill() };
}

function send(port: number, body: Buffer | Readable): Promise<void> {
	return new Promise((resolve, reject) => {
		const req = request(
			{ host: '127.0.0.1', port, method: 'POST', headers: { 'content-length': BODY } },
			(res) => res.resume().on('end', resolve),
		);
		req.on('error', reject);
		if (Buffer.isBuffer(body)) req.end(body);
		else body.pipe(req);
	});
}

function pieces(body: Buffer, size: number): Readable {
	function* all() {
		for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
	}
	return Readable.from(all(), { objectMode: false, highWaterMark: 1 });
}

async function main() {
	const rows: Array<[string, number]> = [];
	const engine = await getEngine();
	const file = mp4Bytes(FILE);
	const stored = await engine.binaryData.store(
		{ type: 'execution', workflowId: 'parts', executionId: 'parts' },
		file,
		{ data: '', mimeType: 'video/mp4', fileName: 'clip.mp4' },
	);
	for (const kib of [64, 288, 1024]) {
		const reads = Math.ceil(FILE / (kib * 1024));
		const ms = await cpuMs(async () => {
			for await (const chunk of await engine.binaryData.getAsStream(stored.id!, kib * 1024)) {
				freeChunk(chunk as Uint8Array);
			}
		});
		rows.push([`read 15 MiB from the file store in ${kib} KiB chunks (${reads} reads)`, ms]);
	}

	const piece = 288 * 1024;
	const out = Buffer.allocUnsafeSlow(base64Room(piece));
	rows.push([
		"encode 15 MiB: the node's word-wise encoder, 288 KiB pieces",
		await cpuMs(() => {
			const base64 = new Base64Pieces(FILE);
			for (let at = 0; at < FILE; at += piece) base64.next(file.subarray(at, at + piece), out);
		}),
	]);
	rows.push([
		"encode 15 MiB: Node's toString('base64') on 48 KiB runs, copied into a reused buffer",
		await cpuMs(() => {
			for (let at = 0; at < FILE; at += 48 * 1024) {
				out.write(file.toString('base64', at, Math.min(at + 48 * 1024, FILE)), 0, 'latin1');
			}
		}),
	]);

	const sink = await startSink();
	try {
		const body = Buffer.alloc(BODY, 0x41);
		rows.push([
			'send 20 MB over loopback HTTP in one buffer',
			await cpuMs(() => send(sink.port, body)),
		]);
		for (const kib of [64, 384]) {
			rows.push([
				`send 20 MB over loopback HTTP as a stream of ${kib} KiB pieces (${Math.ceil(BODY / (kib * 1024))} pieces)`,
				await cpuMs(() => send(sink.port, pieces(body, kib * 1024))),
			]);
		}
	} finally {
		sink.stop();
	}

	console.log(`Node ${process.version}, CPU ms (user + system), median of ${ROUNDS}:`);
	for (const [what, ms] of rows) console.log(`${ms.toFixed(1).padStart(7)}  ${what}`);
	process.exit(0);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
