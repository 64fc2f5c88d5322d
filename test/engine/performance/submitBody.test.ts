import { ReadStream } from 'node:fs';

import { PIECE_BYTES } from '../../../nodes/OctopusX/reference/streamedBody';
import { OctopusSimulator } from '../../simulator';
import { PROMPT, randomMp4, sha256 } from '../fixtures';
import { runOctopusX, type BinaryMode } from '../harness';

/**
 * A 15 MiB reference is sent as one body of exactly its encoded size: a Content-Length equal to the
 * JSON with the data URI, nothing chunked, nothing added. The body is the largest thing a submit
 * holds, so its size is the submit's memory floor (about 4/3 of the file).
 */
let sim: OctopusSimulator;

beforeAll(async () => {
	sim = await OctopusSimulator.start();
});
afterAll(async () => sim.stop());
beforeEach(() => sim.reset());

const MiB = 1024 * 1024;

/** The body a plain JSON.stringify would give, fields in the order the simulator received them. */
function expectedBody(received: Record<string, unknown>, file: Buffer): string {
	const dataUri = `data:video/mp4;base64,${file.toString('base64')}`;
	return JSON.stringify(
		Object.fromEntries(
			Object.entries(received).map(([key, value]) => [
				key,
				(value as { dataUri?: boolean })?.dataUri ? dataUri : value,
			]),
		),
	);
}

/** One Submit of `file` from the item's binary field: the run, the request received, its video reference. */
async function submitFile(file: Buffer, binaryMode: BinaryMode) {
	const result = await runOctopusX({
		credentials: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
		parameters: { operation: 'submit', prompt: PROMPT },
		items: [{ binary: { data: { bytes: file, mimeType: 'video/mp4' } } }],
		binaryMode,
	});
	const [submit] = sim.requestsTo('submit');
	const reference = Object.values((submit?.json ?? {}) as Record<string, { sha256?: string }>).find(
		(value) => value?.sha256,
	);
	return { result, submit, reference };
}

describe.each(['filesystem', 'default'] as BinaryMode[])('binary data in %s mode', (binaryMode) => {
	test('one 15 MiB submit sends exactly the encoded body, with its length announced', async () => {
		// Random content: every one of the file's read chunks must arrive intact.
		const file = randomMp4(15 * MiB);
		const { result, submit, reference } = await submitFile(file, binaryMode);
		expect(result.error).toBeUndefined();
		expect(reference?.sha256).toBe(sha256(file));
		const expected = Buffer.byteLength(expectedBody(submit.json as Record<string, unknown>, file));
		expect(submit.headers['transfer-encoding']).toBeUndefined();
		expect(Number(submit.headers['content-length'])).toBe(expected);
		expect(submit.bodyBytes).toBe(expected);
		// 15 MiB × 4/3 for the base64, and a few hundred bytes of JSON around it.
		const base64 = 4 * Math.ceil(file.length / 3);
		expect(expected - base64).toBeGreaterThan(0);
		expect(expected - base64).toBeLessThan(1024);
	});
});

test('every piece read from the file store is freed as soon as it is encoded, not at a collection', async () => {
	// n8n's file store reads each piece into a buffer of its own. The node frees it after encoding
	// (a detached buffer has length 0), so a file's worth of read pieces never waits for the garbage
	// collector. The pieces are seen where the file stream hands them over.
	const pieces: Buffer[] = [];
	const push = ReadStream.prototype.push;
	const spy = jest.spyOn(ReadStream.prototype, 'push').mockImplementation(function (
		this: ReadStream,
		chunk: unknown,
		encoding?: BufferEncoding,
	) {
		if (Buffer.isBuffer(chunk) && this.readableHighWaterMark === PIECE_BYTES) pieces.push(chunk);
		return push.call(this, chunk, encoding);
	});
	try {
		const file = randomMp4(3 * MiB + 5);
		const { result, reference } = await submitFile(file, 'filesystem');
		expect(result.error).toBeUndefined();
		expect(reference?.sha256).toBe(sha256(file));
	} finally {
		spy.mockRestore();
	}
	expect(pieces.length).toBe(Math.ceil((3 * MiB + 5) / PIECE_BYTES));
	expect(pieces.map((piece) => piece.length)).toEqual(pieces.map(() => 0));
});

describe('the uploads of one Submit (transport/uploadLane.ts)', () => {
	/**
	 * Submits `count` copies of `file` in one run (no limit on the key), each body checked intact:
	 * how many arrived, when the first body was whole and when the last upload began.
	 */
	async function submitCopies(file: Buffer, count: number) {
		const result = await runOctopusX({
			credentials: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
			parameters: { operation: 'submit', prompt: '={{ "clip " + $json.n + ": " + $json.prompt }}' },
			items: Array.from({ length: count }, (_, n) => ({
				json: { n, prompt: PROMPT },
				binary: { data: { bytes: file, mimeType: 'video/mp4', fileName: `clip-${n}.mp4` } },
			})),
		});
		expect(result.error).toBeUndefined();
		const submits = sim.requestsTo('submit').sort((a, b) => a.seq - b.seq);
		expect(submits.map((s) => s.status)).toEqual(submits.map(() => 200));
		for (const s of submits) {
			const reference = Object.values(s.json as Record<string, { sha256?: string }>).find(
				(value) => value?.sha256,
			);
			expect(reference?.sha256).toBe(sha256(file));
		}
		return {
			count: submits.length,
			firstWhole: Math.min(...submits.map((s) => s.bodyAt ?? Infinity)),
			lastBegun: Math.max(...submits.map((s) => s.at)),
		};
	}

	test('on a fast link they go one after another: the first body is whole before the last upload begins', async () => {
		// Side by side, all five would begin at once and be whole only at the end, together.
		const { count, firstWhole, lastBegun } = await submitCopies(randomMp4(3 * MiB), 5);
		expect(count).toBe(5);
		expect(firstWhole).toBeLessThan(lastBegun);
	});

	test('on a slow link they go side by side: every upload begins before the first is whole', async () => {
		// 10 MiB clips (13 MiB bodies, more than the sockets' buffers take at once), every connection
		// held to 10 MB/s: one after another would take about 4 s, side by side about 1.5 s.
		sim.setOptions({ throttleBytesPerSec: 10 * 1e6 });
		const { count, firstWhole, lastBegun } = await submitCopies(randomMp4(10 * MiB), 3).finally(
			() => sim.setOptions({ throttleBytesPerSec: 0 }),
		);
		expect(count).toBe(3);
		expect(lastBegun).toBeLessThan(firstWhole);
	});
});
