import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { BinaryReference } from '../reference/binaryReference';
import { checkBinaryReference, encodeBinaryReference } from '../reference/binaryReference';
import { JsonBodyWithDataUri } from '../reference/jsonBodyWithDataUri';
import { buildSubmitFields, FieldProblem, MAX_IMAGES } from '../reference/submitFields';
import type { OctopusApi } from '../transport';
import { callApi, errorContext, isCancelled, stoppedError } from '../transport';
import { octopusError } from '../transport/apiErrors';
import { AT_ONCE, createLimiter } from '../transport/limit';
import type { WaitSettings } from './followTasks';
import {
	downloadProperty,
	followTasks,
	pollIntervalOption,
	readWaitSettings,
	timeoutOption,
} from './followTasks';
import { outputBinaryPropertyOption } from './taskParameters';
import { fromAi, runsAsTool } from './toolMode';
import type { ItemResult, Operation } from './types';

const properties: INodeProperties[] = [
	{
		displayName:
			'Each submit starts a paid task. Keep "Retry On Fail" (node Settings) off: it would submit again after an error and pay twice, so Submit refuses to run with it. The node already repeats a submit where that is safe.',
		name: 'paidNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: [
			{
				name: 'Omni Fast V2V (Video to Video)',
				value: 'omni-fast-v2v',
				description:
					'Generates a new video that keeps the reference video’s camera path, timing and motion',
			},
			{
				name: 'Omni Fast (Text/Image to Video)',
				value: 'omni-fast',
				description:
					'Generates a video from the prompt and optional images, without a reference video',
			},
		],
		default: 'omni-fast-v2v',
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder:
			'e.g. Keep the camera path and motion; turn it into a rainy cinematic night with neon reflections',
		description:
			'What to generate. Say what to keep from the reference (camera, timing, motion) and what to change, and ask for a newly generated video.',
		displayOptions: { hide: { '@tool': [true] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: fromAi(
			'prompt',
			'What the new video should look like, in English. Say what to keep from the source video (camera path, timing, motion) and what to change (style, setting, light, weather), as the user asked',
			'string',
		),
		required: true,
		description: 'What to generate. By default the AI Agent writes it.',
		displayOptions: { show: { '@tool': [true] } },
	},
	{
		displayName: 'Video Source',
		name: 'videoSource',
		type: 'options',
		// Binary data does not reach a tool: an AI Agent passes a public URL instead.
		displayOptions: { show: { model: ['omni-fast-v2v'] }, hide: { '@tool': [true] } },
		options: [
			{
				name: 'Binary File From Previous Node',
				value: 'binary',
				description: 'An MP4 of at most 15 MiB from the input item, sent inline as a data URI',
			},
			{
				name: 'Public URL',
				value: 'url',
				description: 'An http(s) address of an MP4 that OctopusX can download',
			},
		],
		default: 'binary',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		displayOptions: {
			show: { model: ['omni-fast-v2v'], videoSource: ['binary'] },
			hide: { '@tool': [true] },
		},
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the MP4 (at most 15 MiB)',
	},
	{
		displayName: 'Video URL',
		name: 'videoUrl',
		type: 'string',
		displayOptions: { show: { model: ['omni-fast-v2v'], videoSource: ['url'] } },
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/source.mp4',
		description: 'Public http(s) address of the reference MP4',
	},
	{
		displayName: 'Video URL',
		name: 'videoUrl',
		type: 'string',
		displayOptions: { show: { model: ['omni-fast-v2v'], '@tool': [true] } },
		default: fromAi(
			'video_url',
			'The public http or https address of the source MP4 video to transform, exactly as the user gave it',
			'string',
		),
		required: true,
		description: 'Public http(s) address of the reference MP4. By default the AI Agent gives it.',
	},
	{
		displayName: 'Duration (Seconds)',
		name: 'seconds',
		type: 'number',
		typeOptions: { minValue: 4, maxValue: 30, numberPrecision: 0 },
		default: 8,
		description: 'Length of the generated video, from 4 to 30 seconds',
		displayOptions: { hide: { '@tool': [true] } },
	},
	{
		displayName: 'Duration (Seconds)',
		name: 'seconds',
		type: 'string',
		default: fromAi(
			'duration_seconds',
			'Length of the new video in whole seconds, from 4 to 30. Use 8 unless the user asks for another length',
			'number',
		),
		description:
			'Length of the generated video, from 4 to 30 seconds. By default the AI Agent picks it.',
		displayOptions: { show: { '@tool': [true] } },
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: [
			{ name: '16:9 (Landscape)', value: '16:9' },
			{ name: '9:16 (Portrait)', value: '9:16' },
		],
		default: '16:9',
		displayOptions: { hide: { '@tool': [true] } },
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'string',
		default: fromAi(
			'aspect_ratio',
			'Either 16:9 for landscape or 9:16 for portrait. Use 16:9 unless the user asks for portrait or vertical video',
			'string',
		),
		description: '16:9 or 9:16. By default the AI Agent picks it.',
		displayOptions: { show: { '@tool': [true] } },
	},
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: [
			{ name: '720p', value: '720p' },
			{ name: '1080p', value: '1080p' },
			{ name: '2K', value: '2k' },
			{ name: '4K', value: '4k' },
		],
		default: '720p',
		displayOptions: { hide: { '@tool': [true] } },
	},
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'string',
		default: fromAi(
			'resolution',
			'One of 720p, 1080p, 2k or 4k. Use 720p unless the user asks for a higher resolution',
			'string',
		),
		description: '720p, 1080p, 2k or 4k. By default the AI Agent picks it.',
		displayOptions: { show: { '@tool': [true] } },
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description:
			'Whether to wait in this node until the video is ready and output it, as Wait Until Done does. Off: output the task right away.',
		displayOptions: { hide: { '@tool': [true] } },
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		// An AI Agent waits for its tool without a limit of its own, and wants the video's URL back.
		default: true,
		description:
			'Whether to wait until the video is ready, so the AI Agent gets its video_url. Off: the agent gets the task ID to check with a Get Status tool.',
		displayOptions: { show: { '@tool': [true] } },
	},
	{
		...downloadProperty,
		displayOptions: { show: { waitForCompletion: [true] }, hide: { '@tool': [true] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'First Frame Image URL',
				name: 'firstImageUrl',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://example.com/first-frame.jpg',
				description: 'Public http(s) address of an image to use as the first frame',
			},
			{
				displayName: 'Reference Image URLs',
				name: 'images',
				type: 'string',
				typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Image URL' },
				default: [],
				description: `Public http(s) addresses of up to ${MAX_IMAGES} images that guide the look`,
			},
			{
				displayName: 'Reference Video Field',
				name: 'videoField',
				type: 'options',
				displayOptions: { show: { '/model': ['omni-fast-v2v'] } },
				options: [
					{ name: 'Video', value: 'video', description: 'The field the API prefers' },
					{ name: 'Video URL', value: 'video_url', description: 'Compatibility field' },
					{ name: 'Input Video', value: 'input_video', description: 'Compatibility field' },
				],
				default: 'video',
				description:
					'Which request field carries the reference video (for gateways that expect another name)',
			},
			...[pollIntervalOption, timeoutOption].map((option) => ({
				...option,
				displayOptions: { show: { '/waitForCompletion': [true] } },
			})),
			{
				...outputBinaryPropertyOption,
				displayOptions: { show: { '/waitForCompletion': [true], '/download': [true] } },
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['submit'] } }, properties);

interface SubmitPlan {
	itemIndex: number;
	fields: IDataObject;
	videoField?: string;
	reference?: BinaryReference;
	/** Set when the node waits for the task itself ("Wait for Completion"). */
	wait?: WaitSettings;
}

function readSubmitFields(fn: IExecuteFunctions, itemIndex: number) {
	const options = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const model = fn.getNodeParameter('model', itemIndex);
	let videoSource: unknown;
	if (model === 'omni-fast-v2v') {
		videoSource = runsAsTool(fn) ? 'url' : fn.getNodeParameter('videoSource', itemIndex, 'binary');
	}
	try {
		return buildSubmitFields({
			model,
			prompt: fn.getNodeParameter('prompt', itemIndex, ''),
			videoSource,
			videoUrl: videoSource === 'url' ? fn.getNodeParameter('videoUrl', itemIndex, '') : undefined,
			seconds: fn.getNodeParameter('seconds', itemIndex, 8),
			aspectRatio: fn.getNodeParameter('aspectRatio', itemIndex, '16:9'),
			resolution: fn.getNodeParameter('resolution', itemIndex, '720p'),
			videoField: options.videoField,
			firstImageUrl: options.firstImageUrl,
			images: options.images,
		});
	} catch (error) {
		const problem = error as FieldProblem;
		throw new NodeOperationError(fn.getNode(), problem.message, {
			itemIndex,
			description: problem instanceof FieldProblem ? problem.fix : undefined,
		});
	}
}

async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<SubmitPlan> {
	// n8n's Retry On Fail runs the whole node again, so every item of the batch would be submitted,
	// and paid for, a second time. The node's own retries are the safe ones.
	if (this.getNode().retryOnFail) {
		throw new NodeOperationError(this.getNode(), 'Turn off "Retry On Fail" for Submit', {
			itemIndex,
			description:
				'Retry On Fail (node Settings) would run every submit again after an error, paying twice for tasks that were already created. The node already repeats a submit where that is safe (HTTP 429, a refused connection). Turn the setting off; nothing was sent.',
		});
	}
	const built = readSubmitFields(this, itemIndex);
	const plan: SubmitPlan = { itemIndex, fields: built.fields, videoField: built.videoField };
	if (this.getNodeParameter('waitForCompletion', itemIndex, false) === true) {
		plan.wait = readWaitSettings(this, itemIndex);
	}
	if (built.fromBinary) {
		const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
		if (property === '') {
			throw new NodeOperationError(this.getNode(), '"Input Binary Field" is empty', {
				itemIndex,
				description: 'Enter the name of the input binary field that holds the MP4, usually "data".',
			});
		}
		plan.reference = await checkBinaryReference(this, itemIndex, property);
	}
	return plan;
}

async function submitOne(this: IExecuteFunctions, api: OctopusApi, plan: SubmitPlan) {
	let body: Buffer | IDataObject = plan.fields;
	if (plan.reference && plan.videoField) {
		const encoder = new JsonBodyWithDataUri(plan.fields, plan.videoField, plan.reference.bytes);
		await encodeBinaryReference(this, plan.reference, encoder);
		body = encoder.finish();
	}
	const answer = await callApi(api, 'submit', {
		method: 'POST',
		url: '/v1/videos',
		body,
		itemIndex: plan.itemIndex,
		// A large data-URI body can take a while on a slow uplink.
		timeoutMs: 300_000,
	});
	const task = answer.body as IDataObject;
	const id = typeof task?.id === 'string' && task.id ? task.id : task?.task_id;
	if (typeof id !== 'string' || id === '') {
		throw octopusError(
			errorContext(api, plan.itemIndex),
			'OctopusX accepted the submit but its answer has no task id',
			`The task was probably created and may be charged. Do not submit this item again before checking your OctopusX task list. The answer was: ${JSON.stringify(answer.body).slice(0, 300)}`,
		);
	}
	return { json: { ...task, id, task_id: (task.task_id as string) || id } };
}

async function run(
	this: IExecuteFunctions,
	api: OctopusApi,
	plans: SubmitPlan[],
): Promise<ItemResult[]> {
	const limit = createLimiter(AT_ONCE.uploads);
	const results: ItemResult[] = await Promise.all(
		plans.map(async (plan) =>
			limit(async () => {
				try {
					return await submitOne.call(this, api, plan);
				} catch (error) {
					return { error };
				}
			}),
		),
	);
	// "Wait for Completion": the submitted tasks are followed on Wait Until Done's own path.
	const waiting = plans.flatMap((plan, j) => {
		const submitted = results[j];
		if (!plan.wait || 'error' in submitted) return [];
		return [
			{ j, job: { itemIndex: plan.itemIndex, taskId: submitted.json.id as string, ...plan.wait } },
		];
	});
	if (waiting.length === 0) return results;
	let followed: ItemResult[];
	try {
		followed = await followTasks(
			api,
			waiting.map((w) => w.job),
		);
	} catch (error) {
		// Stopped while waiting, or anything unforeseen: the tasks were paid for and keep running.
		const failure = isCancelled(api)
			? stoppedError(api)
			: new NodeOperationError(this.getNode(), error as Error);
		failure.description = `Submitted tasks, which keep running (pick them up with Get Status): ${waiting.map((w) => `item ${w.job.itemIndex}: task ${w.job.taskId}`).join(', ')}.`;
		throw failure;
	}
	waiting.forEach((w, k) => {
		results[w.j] = followed[k];
	});
	return results;
}

export const operation: Operation<SubmitPlan> = { description, prepare, run };
