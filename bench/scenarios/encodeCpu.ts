import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { getEngine } from '../../test/engine/harness/engine';
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
 * Target 5, the node's own part: the built node's reader and encoder on a file in n8n's binary store
 * (filesystem mode), without the engine or the HTTP exchange around them.
 */
export async function encodeCpu(job: EncodeJob): Promise<EncodeCpuResult> {
	const { encodeBinaryReference } = built.binaryReference();
	const { JsonBodyWithDataUri } = built.jsonBody();
	const engine = await getEngine();
	const stored: IBinaryData = await engine.binaryData.store(
		{ type: 'execution', workflowId: 'bench', executionId: 'encode' },
		mp4Bytes(job.fileBytes),
		{ data: '', mimeType: 'video/mp4', fileName: 'clip.mp4' },
	);
	// The only helper the encoder uses, as n8n's execute context provides it.
	const fn = {
		helpers: {
			getBinaryStream: async (id: string, chunkSize?: number) =>
				await engine.binaryData.getAsStream(id, chunkSize),
		},
	} as unknown as IExecuteFunctions;
	const fields = { model: 'omni-fast-v2v', prompt: 'Keep the motion', seconds: '8' };
	const roundsMs: number[] = [];
	let bodyBytes = 0;
	for (let round = 0; round < job.rounds; round++) {
		const start = process.cpuUsage();
		const body = new JsonBodyWithDataUri(fields, 'video', job.fileBytes);
		await encodeBinaryReference(
			fn,
			{ propertyName: 'data', bytes: job.fileBytes, binary: stored },
			body,
		);
		bodyBytes = body.finish().length;
		const used = process.cpuUsage(start);
		roundsMs.push((used.user + used.system) / 1000);
	}
	return { roundsMs, bodyBytes };
}
