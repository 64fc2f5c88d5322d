import { Readable } from 'node:stream';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { checkBinaryReference } from '../../nodes/OctopusX/reference/binaryReference';
import { referenceBody } from '../../nodes/OctopusX/reference/streamedBody';
import type { StreamBody } from '../../nodes/OctopusX/transport/requestBody';
import { randomMp4 } from '../engine/fixtures';

/**
 * n8n's `database` binary store (the same code in n8n 1.123, 2.0 and 2.41) loads the whole file
 * from the database for every read and returns `Readable.from(buffer)`: one chunk, the whole file, in
 * a buffer of its own. This stands in for it here, since the engine tests run n8n-core without a
 * database; the queue-mode suite runs the real one end to end.
 */
function databaseStore(file: Buffer, items: number) {
	const reads: Buffer[] = [];
	const id = 'database:1a2b3c';
	const input: INodeExecutionData[] = Array.from({ length: items }, () => ({
		json: {},
		binary: {
			data: {
				id,
				data: 'database',
				mimeType: 'video/mp4',
				fileName: 'clip.mp4',
				bytes: file.length,
			},
		},
	}));
	const fn = {
		getNode: () => ({ name: 'OctopusX', type: 'n8n-nodes-octopusx.octopusX' }),
		getInputData: () => input,
		helpers: {
			assertBinaryData: (itemIndex: number, property: string) => input[itemIndex].binary![property],
			getBinaryMetadata: async () => ({ fileSize: file.length }),
			getBinaryStream: async () => {
				const copy = Buffer.allocUnsafeSlow(file.length);
				file.copy(copy);
				reads.push(copy);
				return Readable.from(copy);
			},
		},
	} as unknown as IExecuteFunctions;
	return { fn, reads };
}

async function sentVideo(body: StreamBody): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of body.stream as unknown as AsyncIterable<Buffer>)
		parts.push(Buffer.from(part));
	const json = JSON.parse(Buffer.concat(parts).toString()) as { video: string };
	return Buffer.from(json.video.replace('data:video/mp4;base64,', ''), 'base64');
}

const FIELDS = { model: 'omni-fast-v2v', prompt: 'Keep the motion' };

describe('a store that hands over whole files (database mode)', () => {
	it('with one item, the file the check read is the one sent: one read, freed once sent', async () => {
		const file = randomMp4(700_001);
		const { fn, reads } = databaseStore(file, 1);
		const reference = await checkBinaryReference(fn, 0, 'data');
		expect(reads).toHaveLength(1);
		const body = (await referenceBody(fn, reference, FIELDS, 'video')()) as StreamBody;
		expect((await sentVideo(body)).equals(file)).toBe(true);
		expect(reads).toHaveLength(1);
		expect(reads[0].length).toBe(0);
	});

	it('a second attempt of the same item reads the file afresh', async () => {
		const file = randomMp4(50_000);
		const { fn, reads } = databaseStore(file, 1);
		const reference = await checkBinaryReference(fn, 0, 'data');
		const source = referenceBody(fn, reference, FIELDS, 'video');
		expect((await sentVideo((await source()) as StreamBody)).equals(file)).toBe(true);
		expect((await sentVideo((await source()) as StreamBody)).equals(file)).toBe(true);
		expect(reads).toHaveLength(2);
	});

	it('with several items, nothing is kept between the check and the send: the check frees its read', async () => {
		const file = randomMp4(300_000);
		const { fn, reads } = databaseStore(file, 2);
		const first = await checkBinaryReference(fn, 0, 'data');
		await checkBinaryReference(fn, 1, 'data');
		expect(reads.map((read) => read.length)).toEqual([0, 0]);
		const body = (await referenceBody(fn, first, FIELDS, 'video')()) as StreamBody;
		expect((await sentVideo(body)).equals(file)).toBe(true);
		expect(reads).toHaveLength(3);
	});

	it('a file that is not an MP4 is refused and its read freed', async () => {
		const file = Buffer.alloc(40_000, 0x41);
		const { fn, reads } = databaseStore(file, 1);
		await expect(checkBinaryReference(fn, 0, 'data')).rejects.toThrow(/is not an MP4 video/);
		expect(reads[0].length).toBe(0);
	});
});
