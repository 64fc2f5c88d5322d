import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { MAX_IMAGES } from '../reference/submitFields';
import {
	downloadProperty,
	pollIntervalOption,
	timeoutOption,
	WAIT_OPTION_DEFAULTS,
} from './followTasks';
import { freeSlotWaitOption, maxTasksAtOnceOption } from './slotParameters';
import { outputBinaryPropertyOption } from './taskParameters';
import { fromAi } from './toolMode';

/** Submit's Options; its default depends on the node version (see below). */
const submitOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	// Sorted by display name.
	options: [
		{
			displayName: 'First Frame Image URL',
			name: 'firstImageUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://example.com/first-frame.jpg',
			description: 'Public http(s) address of an image to use as the first frame',
		},
		maxTasksAtOnceOption,
		{
			...pollIntervalOption,
			description:
				'How often to check a running task, in seconds (default 10): while waiting for it to complete, and while items wait for a free slot. The first checks come sooner; a rate limit from OctopusX slows checking down.',
		},
		{
			...outputBinaryPropertyOption,
			displayOptions: {
				show: { '/waitForCompletion': [true], '/download': [true] },
				hide: { '@tool': [true] },
			},
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
				{ name: 'Input Video', value: 'input_video', description: 'Compatibility field' },
				{ name: 'Video', value: 'video', description: 'The field the API prefers' },
				{ name: 'Video URL', value: 'video_url', description: 'Compatibility field' },
			],
			default: 'video',
			description:
				'Which request field carries the reference video (for gateways that expect another name)',
		},
		{
			...timeoutOption,
			displayOptions: { show: { '/waitForCompletion': [true] } },
		},
		freeSlotWaitOption,
	],
};

/** What Submit shows in the editor and offers an AI Agent. Its behaviour is in submit.operation.ts. */
const properties: INodeProperties[] = [
	{
		displayName:
			"Each run starts a paid task per item. Keep 'Retry On Fail' (Settings) off: Submit refuses to run with it.",
		name: 'paidNotice',
		type: 'notice',
		default: '',
		// The tool's own description tells the model that a call is paid.
		displayOptions: { hide: { '@tool': [true] } },
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: [
			{
				name: 'Omni Fast (Text/Image to Video)',
				value: 'omni-fast',
				description:
					'Generates a video from the prompt and optional images, without a reference video',
			},
			{
				name: 'Omni Fast V2V (Video to Video)',
				value: 'omni-fast-v2v',
				description:
					'Generates a new video that keeps the reference video’s camera path, timing and motion',
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
		// n8n fills in a collection's default only on a new node: switching this on adds nothing to
		// Options. So say where the wait settings are, and no figure the user could change there.
		displayName:
			'How often the task is checked and how long the node waits: Poll Interval and Timeout, under Options',
		name: 'waitSettingsNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { waitForCompletion: [true] }, hide: { '@tool': [true] } },
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
	// Versions 1 and 1.1 gave a new Submit Poll Interval and Timeout in Options. n8n drops what a
	// collection holds but does not show on the first edit (Timeout, with Wait for Completion off),
	// and never adds a default later, so a new node showed Poll Interval alone, whether it waited or
	// not. From 1.2 Options starts empty, as in Get Status; nodes saved before keep what they had.
	{
		...submitOptions,
		default: { ...WAIT_OPTION_DEFAULTS },
		displayOptions: { show: { '@version': [1, 1.1] } },
	},
	{
		...submitOptions,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.2 } }] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['submit'] } }, properties);
