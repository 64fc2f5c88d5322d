/**
 * `node bench/floors/download-floor.js`: what streaming a 200 MB download to a file costs on
 * this Node with no n8n node involved at all, measured as the benchmark measures target 3 (peak of
 * heap + arrayBuffers above the level after a full collection, sampled every millisecond).
 * Two clients: Node's own http piped into a file stream, and axios (the client n8n-core's
 * httpRequest runs on) with responseType 'stream' into fs.promises.writeFile (what n8n-core's binary
 * store does with a stream). The gap between them is garbage V8 has not collected yet, not data
 * anyone keeps: the node cannot lower it, since the chunks never pass through the node.
 */
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const axios = require('axios');

const TOTAL = 200e6;
const piece = Buffer.alloc(1 << 20, 7);

function serve() {
	const server = http.createServer((req, res) => {
		res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': TOTAL });
		let sent = 0;
		const pump = () => {
			while (sent < TOTAL) {
				const n = Math.min(piece.length, TOTAL - sent);
				sent += n;
				if (!res.write(n === piece.length ? piece : piece.subarray(0, n)))
					return res.once('drain', pump);
			}
			res.end();
		};
		pump();
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function measure(download) {
	global.gc();
	const base = process.memoryUsage();
	let peak = 0;
	const timer = setInterval(() => {
		const m = process.memoryUsage();
		peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
	}, 1);
	await download();
	clearInterval(timer);
	return peak / 1e6;
}

async function one(client) {
	const server = await serve();
	const url = `http://127.0.0.1:${server.address().port}/`;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octopusx-floor-'));
	const file = path.join(dir, 'out.mp4');
	try {
		const peak =
			client === 'plain'
				? await measure(
						() =>
							new Promise((resolve, reject) =>
								http.get(url, (res) =>
									res.pipe(fs.createWriteStream(file)).on('finish', resolve).on('error', reject),
								),
							),
					)
				: await measure(async () => {
						const response = await axios({
							url,
							responseType: 'stream',
							maxContentLength: Infinity,
						});
						await fs.promises.writeFile(file, response.data);
					});
		console.log(peak.toFixed(1));
	} finally {
		server.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Each client in a fresh process, three times, so neither inherits the other's heap. */
function main() {
	const { execFileSync } = require('node:child_process');
	const runs = (client) =>
		[1, 2, 3].map((_) =>
			Number(
				execFileSync(process.execPath, ['--expose-gc', __filename, client], {
					encoding: 'utf8',
				}).trim(),
			),
		);
	const median = (xs) => xs.sort((a, b) => a - b)[1];
	const plain = runs('plain');
	const viaAxios = runs('axios');
	console.log(
		`Node ${process.version}, 200 MB download to a file, peak heap + arrayBuffers added (median of 3):`,
	);
	console.log(
		`  Node's http piped to a file stream:        ${median(plain).toFixed(1)} MB  (${plain.join(', ')})`,
	);
	console.log(
		`  axios stream into fs.promises.writeFile:   ${median(viaAxios).toFixed(1)} MB  (${viaAxios.join(', ')})`,
	);
}

const client = process.argv[2];
(client ? one(client) : Promise.resolve(main())).catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
