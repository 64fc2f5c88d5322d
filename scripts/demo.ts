/**
 * `npm run demo`: the node end to end, with no OctopusX key. A local simulator stands in for the API
 * (and for a CDN on a second address); the node runs inside n8n's own execution engine, as n8n runs
 * it: Read files → Submit → Wait Until Done → video files out, then a bad input caught before any
 * request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { mp4Bytes, sha256 } from '../test/engine/fixtures';
import { OctopusSimulator } from '../test/simulator';

const userFolder = mkdtempSync(join(tmpdir(), 'octopusx-demo-'));
process.env.N8N_USER_FOLDER = userFolder;

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

async function main() {
	// Imported after N8N_USER_FOLDER is set: n8n-core reads it when it loads.
	const { runOctopusX, NODE_TYPE } = await import('../test/engine/harness');
	const sim = await OctopusSimulator.start({ taskDurationMs: 3000 });
	const credentials = { apiKey: sim.apiKey, baseUrl: sim.baseUrl };
	try {
		console.log(`OctopusX simulator: API ${sim.baseUrl}, result files on ${sim.cdnBaseUrl}`);
		console.log(
			`Node: ${NODE_TYPE}, built package from dist/, run by n8n-core's WorkflowExecute\n`,
		);

		const clips = ['beach.mp4', 'city.mp4', 'forest.mp4'].map((name, i) => ({
			name,
			bytes: mp4Bytes(200 * 1024 + i * 50 * 1024, i + 1),
		}));
		console.log(`Input: ${clips.map((c) => `${c.name} (${kib(c.bytes.length)})`).join(', ')}`);

		const started = Date.now();
		const run = await runOctopusX({
			credentials,
			parameters: {
				operation: 'submit',
				prompt:
					'Keep the camera path and motion; make it a rainy cinematic night with neon reflections',
			},
			items: clips.map((clip) => ({
				json: { file: clip.name },
				binary: { data: { bytes: clip.bytes, mimeType: 'video/mp4', fileName: clip.name } },
			})),
			chain: [{ parameters: { operation: 'waitUntilDone', options: { pollInterval: 1 } } }],
		});
		if (run.error) throw run.error;

		const submitted = run.nodeOutputs(0)[0];
		console.log(`\nSubmit → ${submitted.length} tasks, one POST /v1/videos each:`);
		for (const [i, item] of submitted.entries()) {
			const task = sim.tasks.get(item.json.id as string);
			const same = task?.referenceSha256 === sha256(clips[i].bytes);
			console.log(
				`  ${clips[i].name} → ${item.json.id} (${item.json.status}); the API received the file ${same ? 'byte for byte' : 'ALTERED'} as a data URI`,
			);
		}

		console.log(
			`\nWait Until Done → all finished after ${((Date.now() - started) / 1000).toFixed(1)} s, followed together:`,
		);
		let allSame = true;
		for (const item of run.outputs[0]) {
			const bytes = await run.binary(item);
			const same = bytes.equals(sim.resultFor(item.json.id as string));
			allSame &&= same;
			const file = item.binary?.data;
			console.log(
				`  ${item.json.id}: ${item.json.status}, binary "${file?.fileName}" (${file?.mimeType}, ${kib(bytes.length)}) ${same ? 'identical to the generated video' : 'DIFFERENT from the generated video'}`,
			);
		}
		const polls = sim.requestsTo('status').length;
		const withKey = sim.requests.filter(
			(r) => r.server === 'cdn' && r.headers.authorization,
		).length;
		console.log(
			`  ${polls} status checks; ${sim.requestsTo('cdn').length} downloads from the CDN host, ${withKey} of them carrying the API key`,
		);

		sim.reset();
		console.log('\nBad input: a PNG handed to Submit');
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		const bad = await runOctopusX({
			credentials,
			parameters: { operation: 'submit', prompt: 'Restyle it' },
			items: [{ binary: { data: { bytes: png, mimeType: 'video/mp4', fileName: 'holiday.png' } } }],
		});
		console.log(`  Error: ${bad.error?.message}`);
		console.log(`  What to do: ${bad.error?.description}`);
		console.log(`  Requests the API received: ${sim.requests.length}`);

		const ok = allSame && withKey === 0 && bad.error !== undefined && sim.requests.length === 0;
		console.log(ok ? '\nThe node works end to end.' : '\nSomething is off: see above.');
		process.exitCode = ok ? 0 : 1;
	} finally {
		await sim.stop();
		rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
