import {
	NodeApiError,
	NodeConnectionTypes,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';

/**
 * The naive way to call OctopusX, written beside the benchmark as its baseline. It does what n8n's
 * OpenAI video operation and most community video nodes do: one item after another, the reference
 * turned into a base64 string inside a JSON object (`json: true`, so the request is
 * `JSON.stringify`'d), a status check every interval until done, and the result downloaded into
 * one Buffer before it is handed to n8n. It uses the same n8n helpers and the same credential as the
 * real node, and runs in the same engine.
 */
export class NaiveOctopusX implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OctopusX (naive)',
		name: 'octopusXNaive',
		group: ['transform'],
		version: 1,
		description: 'Benchmark baseline',
		defaults: { name: 'Naive' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'octopusXApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Generate (Submit and Wait)', value: 'generate' },
					{ name: 'Submit', value: 'submit' },
					{ name: 'Wait Until Done', value: 'waitUntilDone' },
				],
				default: 'generate',
			},
			{ displayName: 'Prompt', name: 'prompt', type: 'string', default: '' },
			{
				displayName: 'Input Binary Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
			},
			{ displayName: 'Task ID', name: 'taskId', type: 'string', default: '={{ $json.id }}' },
			{ displayName: 'Poll Interval (Seconds)', name: 'pollInterval', type: 'number', default: 10 },
			{ displayName: 'Download Video', name: 'download', type: 'boolean', default: true },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const credentials = await this.getCredentials<{ baseUrl: string }>('octopusXApi');
		const baseUrl = String(credentials.baseUrl).replace(/\/+$/, '');
		const out: INodeExecutionData[] = [];

		const api = async (method: 'GET' | 'POST', path: string, body?: IDataObject) => {
			try {
				return (await this.helpers.httpRequestWithAuthentication.call(this, 'octopusXApi', {
					method,
					url: `${baseUrl}${path}`,
					body,
					json: true,
				})) as IDataObject;
			} catch (error) {
				throw new NodeApiError(this.getNode(), error as JsonObject);
			}
		};

		const submit = async (i: number): Promise<IDataObject> => {
			const property = this.getNodeParameter('binaryPropertyName', i) as string;
			const buffer = await this.helpers.getBinaryDataBuffer(i, property);
			return await api('POST', '/v1/videos', {
				model: 'omni-fast-v2v',
				prompt: this.getNodeParameter('prompt', i) as string,
				seconds: '8',
				aspect_ratio: '16:9',
				resolution: '720p',
				video: `data:video/mp4;base64,${buffer.toString('base64')}`,
			});
		};

		const waitAndDownload = async (i: number, id: string): Promise<INodeExecutionData> => {
			const intervalMs = (this.getNodeParameter('pollInterval', i) as number) * 1000;
			let task = await api('GET', `/v1/videos/${id}`);
			while (task.status !== 'completed' && task.status !== 'failed') {
				await sleep(intervalMs, this.getExecutionCancelSignal());
				task = await api('GET', `/v1/videos/${id}`);
			}
			if (task.status === 'failed') {
				throw new NodeApiError(this.getNode(), task as JsonObject, { message: 'Task failed' });
			}
			if (!(this.getNodeParameter('download', i) as boolean)) return { json: task };
			const file = (await this.helpers.httpRequest({
				method: 'GET',
				url: task.video_url as string,
				encoding: 'arraybuffer',
			})) as Buffer;
			const data = await this.helpers.prepareBinaryData(
				Buffer.isBuffer(file) ? file : Buffer.from(file),
				`${id}.mp4`,
				'video/mp4',
			);
			return { json: task, binary: { data } };
		};

		const operation = this.getNodeParameter('operation', 0) as string;
		for (let i = 0; i < items.length; i++) {
			let result: INodeExecutionData;
			if (operation === 'submit') {
				result = { json: await submit(i) };
			} else if (operation === 'waitUntilDone') {
				result = await waitAndDownload(i, this.getNodeParameter('taskId', i) as string);
			} else {
				const task = await submit(i);
				result = await waitAndDownload(i, task.id as string);
			}
			out.push({ ...result, pairedItem: { item: i } });
		}
		return [out];
	}
}
