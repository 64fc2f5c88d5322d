import { getDefaultHighWaterMark, setDefaultHighWaterMark } from 'node:stream';

import type { OctopusSimulator, RecordedRequest } from '../simulator';
import { randomMp4, sha256 } from './fixtures';
import { run, submit, withSim } from './faults/support';
import type { BinaryMode } from './harness';

/**
 * The reference video is streamed: its exact length announced first, the file read and encoded while
 * it is sent, a fresh read for every attempt, and a file whose size is not the one recorded cuts the
 * request off before the body is complete (the server then creates nothing).
 */
const MiB = 1024 * 1024;

/** What the body of a submit carrying `fileBytes` of video, and these fields, weighs. */
function bodyLength(submitRequest: RecordedRequest, fileBytes: number): number {
	const { video: _video, ...fields } = submitRequest.json as Record<string, unknown>;
	const json = JSON.stringify({ ...fields, video: '' });
	return Buffer.byteLength(json) + 'data:video/mp4;base64,'.length + 4 * Math.ceil(fileBytes / 3);
}

function referenceOf(request: RecordedRequest) {
	return (request.json as { video?: { sha256?: string; bytes?: number } } | undefined)?.video;
}

async function until(done: () => boolean, ms = 3000): Promise<void> {
	for (const end = Date.now() + ms; !done() && Date.now() < end;) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const item = (bytes: Buffer, extra: { announcedBytes?: number } = {}) => ({
	binary: { data: { bytes, mimeType: 'video/mp4', fileName: 'clip.mp4', ...extra } },
});

describe.each(['filesystem', 'default'] as BinaryMode[])('binary data in %s mode', (binaryMode) => {
	test.concurrent('a submit tried again after a 429 sends the whole file again', async () => {
		await withSim(async (sim) => {
			sim.inject('submit', { kind: 'status', status: 429, retryAfter: 1 });
			const file = randomMp4(3 * MiB + 2);
			const result = await run(sim, {
				parameters: submit('a rainy night'),
				items: [item(file)],
				binaryMode,
			});

			expect(result.error).toBeUndefined();
			const [refused, taken] = sim.requestsTo('submit');
			expect(refused.status).toBe(429);
			expect(taken.status).toBe(200);
			for (const request of [refused, taken]) {
				expect(request.headers['transfer-encoding']).toBeUndefined();
				expect(Number(request.headers['content-length'])).toBe(bodyLength(taken, file.length));
				expect(request.bodyBytes).toBe(bodyLength(taken, file.length));
			}
			expect(referenceOf(taken)?.sha256).toBe(sha256(file));
			expect(sim.tasks.size).toBe(1);
		});
	});
});

test.concurrent(
	'over a slow link the file arrives intact: no piece is overwritten while queued',
	async () => {
		// The socket cannot write at once, so encoded pieces wait in the streams on the way.
		await withSim(
			async (sim) => {
				const file = randomMp4(6 * MiB);
				const result = await run(sim, { parameters: submit('a rainy night'), items: [item(file)] });

				expect(result.error).toBeUndefined();
				const [taken] = sim.requestsTo('submit');
				expect(referenceOf(taken)?.sha256).toBe(sha256(file));
				expect(taken.bodyBytes).toBe(bodyLength(taken, file.length));
			},
			{ throttleBytesPerSec: 8_000_000 },
		);
	},
);

describe('a file whose size is not the one n8n recorded', () => {
	async function expectCutOff(sim: OctopusSimulator, announced: number) {
		// The server records a request whose client left once it sees the connection close.
		await until(() => sim.requestsTo('submit').length > 0);
		const submits = sim.requestsTo('submit');
		expect(submits).toHaveLength(1);
		const [cut] = submits;
		// The length announced is that of the recorded size; less than that arrived, and no answer.
		const announcedLength = Number(cut.headers['content-length']);
		expect(announcedLength).toBeGreaterThan(4 * Math.ceil(announced / 3));
		expect(announcedLength).toBeLessThan(4 * Math.ceil(announced / 3) + 400);
		expect(cut.bodyBytes).toBeLessThan(announcedLength);
		expect(cut.status).toBe(0);
		expect(cut.json).toBeUndefined();
		expect(sim.tasks.size).toBe(0);
	}

	test.concurrent(
		'shorter: the request is cut off before its end, and the error says so',
		async () => {
			await withSim(async (sim) => {
				const file = randomMp4(2 * MiB);
				const announced = file.length + 100_000;
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [item(file, { announcedBytes: announced })],
				});

				expect(result.error?.message).toMatch(
					new RegExp(
						`'clip.mp4'.*changed while it was being sent: it is shorter than the ${announced} bytes`,
					),
				);
				expect(result.error?.description).toMatch(/cut off before its end.*created no task/);
				await expectCutOff(sim, announced);
			});
		},
	);

	test.concurrent(
		'longer: the request is cut off before its end, and the error says so',
		async () => {
			await withSim(async (sim) => {
				const file = randomMp4(2 * MiB);
				const announced = file.length - 100_000;
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [item(file, { announcedBytes: announced })],
				});

				expect(result.error?.message).toMatch(
					new RegExp(
						`'clip.mp4'.*changed while it was being sent: it is longer than the ${announced} bytes`,
					),
				);
				await expectCutOff(sim, announced);
			});
		},
	);

	test.concurrent(
		'under continue-on-fail only that item fails; the others are sent whole',
		async () => {
			await withSim(async (sim) => {
				const good = randomMp4(MiB);
				const changed = randomMp4(MiB);
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [item(good), item(changed, { announcedBytes: changed.length + 3 }), item(good)],
					onError: 'continueRegularOutput',
				});

				expect(result.error).toBeUndefined();
				const [first, second, third] = result.outputs[0];
				expect(first.json.id).toEqual(expect.any(String));
				expect(second.json.error).toMatch(/shorter than the 1048579 bytes/);
				expect(third.json.id).toEqual(expect.any(String));
				expect(sim.tasks.size).toBe(2);
				const taken = sim.requestsTo('submit').filter((r) => r.status === 200);
				expect(taken.map((r) => referenceOf(r)?.sha256)).toEqual([sha256(good), sha256(good)]);
			});
		},
	);
});

describe('checks before the first byte', () => {
	test.concurrent(
		'a file over 15 MiB or not an MP4, beside a good one: nothing at all is sent',
		async () => {
			await withSim(async (sim) => {
				const png = Buffer.alloc(4096);
				png.set([0x89, 0x50, 0x4e, 0x47]);
				for (const bad of [randomMp4(15 * MiB + 1), png]) {
					sim.reset();
					const result = await run(sim, {
						parameters: submit('a rainy night'),
						items: [item(randomMp4(MiB)), item(bad)],
					});

					expect(result.error?.message).toMatch(/too large|not an MP4/);
					expect(sim.requests).toHaveLength(0);
				}
			});
		},
	);
});

describe('the user stops the execution mid-upload', () => {
	test.concurrent(
		'the upload is cut off at once: no task, nothing sent again',
		async () => {
			// 2 MB/s: the 16.8 MB body would take eight seconds.
			await withSim(
				async (sim) => {
					const stopAfterMs = 1000;
					const result = await run(sim, {
						parameters: submit('a rainy night'),
						items: [item(randomMp4(12 * MiB))],
						cancelAfterMs: stopAfterMs,
					});
					const stoppedAt = Date.now() - result.durationMs + stopAfterMs;

					expect(result.status).toBe('canceled');
					expect(result.durationMs).toBeLessThan(stopAfterMs + 1000);
					// What the kernel had already taken (a few MB on loopback) still reaches the server, which
					// records the request once it has read that and seen the connection closed.
					await until(() => sim.requestsTo('submit').length > 0, 15_000);
					await new Promise((resolve) => setTimeout(resolve, 500));
					const [cut] = sim.requestsTo('submit');
					expect(sim.requests).toHaveLength(1);
					expect(cut.status).toBe(0);
					expect(cut.bodyBytes).toBeLessThan(0.75 * Number(cut.headers['content-length']));
					expect(sim.requests.filter((r) => r.at > stoppedAt + 50)).toEqual([]);
					expect(sim.tasks.size).toBe(0);
				},
				{ throttleBytesPerSec: 2_000_000 },
			);
		},
		30_000,
	);
});

describe('streams that hold more than a piece', () => {
	// Last in the file and not concurrent: the default is process-wide, and every concurrent case
	// above has finished before this one starts.
	test('with the default high-water marks raised to 4 MiB the file still arrives intact', async () => {
		const before = getDefaultHighWaterMark(false);
		setDefaultHighWaterMark(false, 4 * MiB);
		try {
			await withSim(
				async (sim) => {
					const file = randomMp4(12 * MiB);
					const result = await run(sim, { parameters: submit('a rainy night'), items: [item(file)] });

					expect(result.error).toBeUndefined();
					const [taken] = sim.requestsTo('submit');
					expect(referenceOf(taken)?.sha256).toBe(sha256(file));
				},
				{ throttleBytesPerSec: 4_000_000 },
			);
		} finally {
			setDefaultHighWaterMark(false, before);
		}
	});
});
