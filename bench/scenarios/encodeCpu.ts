import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { getEngine } from '../../test/engine/harness/engine';
import { encodeBinaryReference } from '../buffered/bufferedBody';
import { JsonBodyWithDataUri } from '../buffered/jsonBodyWithDataUri';
import { built } from '../built';
import type { Job } from '../jobs';
import { mp4Bytes } from '../media';

type EncodeJob = Extract<Job, { scenario: 'encodeCpu' }>;

export interface EncodeCpuResult {
	/** CPU (user + system) of reading the stored file through getBinaryStream and encoding the body, per round. */
	roundsMs: number[];
	bodyBytes: number;
}

/**
 * Target 5, the node's own part: the built node's body (read from n8n's binary store in filesystem
 * mode, encoded, the stream drained here) or the buffered one it replaced, without the engine or the
 * HTTP exchange around them.
 */
export async function encodeCpu(job: EncodeJob): Promise<EncodeCpuResult> {
	const { referenceBody } = built.streamedBody();
	const engine = await getEngine();
	const stored: IBinaryData = await engine.binaryData.store(
		{ type: 'execution', workflowId: 'bench', executionId: 'encode' },
		mp4Bytes(job.fileBytes),
		{ data: '', mimeType: 'video/mp4', fileName: 'clip.mp4' },
	);
	// The only helper the body uses, as n8n's execute context provides it.
	const fn = {
		helpers: {
			getBinaryStream: async (id: string, chunkSize?: number) =>
				await engine.binaryData.getAsStream(id, chunkSize),
		},
	} as unknown as IExecuteFunctions;
	const fields = { model: 'omni-fast-v2v', prompt: 'Keep the motion', seconds: '8' };
	const reference = { propertyName: 'data', bytes: job.fileBytes, binary: stored };
	const roundsMs: number[] = [];
	let bodyBytes = 0;
	for (let round = 0; round < job.rounds; round++) {
		const start = process.cpuUsage();
		if (job.variant === 'buffered') {
			const body = new JsonBodyWithDataUri(fields, 'video', job.fileBytes);
			await encodeBinaryReference(fn, reference, body);
			bodyBytes = body.finish().length;
		} else {
			const body = await referenceBody(fn, reference, fields, 'video')();
			if (!('stream' in body)) throw new Error('expected a streamed body');
			bodyBytes = 0;
			for await (const piece of body.stream as unknown as AsyncIterable<Buffer>) {
				bodyBytes += piece.length;
			}
		}
		const used = process.cpuUsage(start);
		roundsMs.push((used.user + used.system) / 1000);
	}
	return { roundsMs, bodyBytes };
}
