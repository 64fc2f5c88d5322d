import { join } from 'node:path';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runOctopusX, type InputItem, type RunResult } from '../test/engine/harness';
import type { Variant } from './jobs';

const NAIVE_PACKAGE_DIR = join(__dirname, 'naive');
const NAIVE_NODE_TYPE = 'n8n-nodes-octopusx-naive.octopusXNaive';

export interface Api {
	baseUrl: string;
	apiKey: string;
}

export type Step = 'submit' | 'waitUntilDone' | 'submitAndWait';

export interface StepOptions {
	intervalS?: number;
	download?: boolean;
	/** Submit a URL reference instead of the input's binary (node only: the memory control). */
	urlReference?: boolean;
	prompt?: string;
}

const PROMPT = 'Keep the camera path and motion; turn it into a rainy night';

function nodeSteps(step: Step, o: StepOptions): INodeParameters[] {
	const submit: INodeParameters = {
		operation: 'submit',
		prompt: o.prompt ?? PROMPT,
		...(o.urlReference && { videoSource: 'url', videoUrl: 'https://example.com/reference.mp4' }),
	};
	const wait: INodeParameters = {
		operation: 'waitUntilDone',
		download: o.download ?? true,
		options: { pollInterval: o.intervalS ?? 10 },
	};
	if (step === 'submit') return [submit];
	if (step === 'waitUntilDone') return [wait];
	return [submit, wait];
}

function naiveSteps(step: Step, o: StepOptions): INodeParameters[] {
	const operation = step === 'submitAndWait' ? 'generate' : step;
	return [
		{
			operation,
			prompt: o.prompt ?? PROMPT,
			pollInterval: o.intervalS ?? 10,
			download: o.download ?? true,
		},
	];
}

/**
 * Runs one step (or Submit → Wait Until Done) through n8n's engine, with the real node or the naive
 * baseline. The real node does Submit and Wait as two nodes in a row, as a workflow would; the naive
 * one does both inside one item's turn, as n8n's OpenAI video operation does.
 */
export async function runStep(
	variant: Variant,
	step: Step,
	api: Api,
	items: InputItem[],
	options: StepOptions = {},
): Promise<RunResult> {
	const steps = variant === 'node' ? nodeSteps(step, options) : naiveSteps(step, options);
	const result = await runOctopusX({
		parameters: steps[0],
		chain: steps.slice(1).map((parameters) => ({ parameters })),
		items,
		credentials: { apiKey: api.apiKey, baseUrl: api.baseUrl },
		...(variant === 'naive' && { packageDir: NAIVE_PACKAGE_DIR, nodeType: NAIVE_NODE_TYPE }),
	});
	if (result.error) {
		throw Object.assign(new Error(`${variant} ${step} failed: ${result.error.message}`), {
			result,
		});
	}
	return result;
}

/** The items' binary sizes as n8n recorded them (no bytes read back). */
export function binarySizes(items: INodeExecutionData[]): number[] {
	return items.map((item) => item.binary?.data?.bytes ?? -1);
}

export function referenceItems(bytes: Buffer, count: number): InputItem[] {
	return Array.from({ length: count }, (_, i) => ({
		json: { n: i },
		binary: { data: { bytes, mimeType: 'video/mp4', fileName: `clip-${i}.mp4` } },
	}));
}

export function taskItems(ids: string[]): InputItem[] {
	return ids.map((id) => ({ json: { id } }));
}

/**
 * Creates tasks directly over HTTP (a URL reference, nothing uploaded), for measurements that start
 * from existing tasks.
 */
export async function createTasks(api: Api, count: number, prompt = PROMPT): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const answer = await fetch(`${api.baseUrl}/v1/videos`, {
			method: 'POST',
			headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				model: 'omni-fast-v2v',
				prompt,
				video: 'https://example.com/reference.mp4',
				seconds: '8',
			}),
		});
		const body = (await answer.json()) as { id?: string };
		if (!answer.ok || !body.id) throw new Error(`Could not create a task: ${JSON.stringify(body)}`);
		ids.push(body.id);
	}
	return ids;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
