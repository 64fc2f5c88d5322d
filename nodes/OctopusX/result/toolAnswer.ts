import type { IDataObject } from 'n8n-workflow';

/** The fields of a task an AI Agent can act on; the rest of the API's answer only costs tokens. */
const FOR_THE_AGENT = ['status', 'progress', 'video_url', 'error'] as const;

/**
 * What an AI Agent receives from the node used as a tool: n8n serialises the output items' JSON into
 * the model's context (and drops binary data), so it gets a small object, never file contents. The
 * id is called `task_id`, the name the Get Status tool asks the model for.
 */
export function toolAnswer(json: IDataObject): IDataObject {
	const answer: IDataObject = { task_id: json.id ?? json.task_id };
	for (const key of FOR_THE_AGENT) {
		if (json[key] !== undefined && json[key] !== null) answer[key] = json[key];
	}
	return answer;
}
