import type { IDataObject } from 'n8n-workflow';

import type { TaskStatus } from '../task/taskStatus';
import type { OctopusApi } from '../transport';
import { downloadVideo } from './downloadVideo';

export interface OutputChoice {
	download: boolean;
	binaryProperty: string;
}

/**
 * The output item for a task: its JSON as the API gave it (with `video_url` filled in), and, when
 * asked and finished, the video as binary data ready for a storage node.
 */
export async function taskOutput(
	api: OctopusApi,
	itemIndex: number,
	status: TaskStatus,
	choice: OutputChoice,
): Promise<{
	json: IDataObject;
	binary?: Record<string, Awaited<ReturnType<typeof downloadVideo>>>;
}> {
	if (!choice.download || status.state !== 'succeeded') return { json: status.json };
	const video = await downloadVideo(api, itemIndex, status);
	return { json: status.json, binary: { [choice.binaryProperty]: video } };
}
