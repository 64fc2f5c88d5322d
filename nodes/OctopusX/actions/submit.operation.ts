import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BinaryReference } from '../reference/binaryReference';
import { checkBinaryReference } from '../reference/binaryReference';
import { referenceBody } from '../reference/streamedBody';
import { buildSubmitFields, FieldProblem } from '../reference/submitFields';
import type { OctopusApi } from '../transport';
import { callApi, errorContext, isCancelled, stoppedError } from '../transport';
import { octopusError } from '../transport/apiErrors';
import { AT_ONCE, createLimiter } from '../transport/limit';
import type { WaitSettings } from './followTasks';
import { followTasks, readWaitSettings } from './followTasks';
import { description } from './submit.description';
import { runsAsTool } from './toolMode';
import type { ItemResult, Operation } from './types';

export { description };
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
	// The reference video is streamed, from a fresh read of the file for every attempt.
	const body =
		plan.reference && plan.videoField
			? referenceBody(this, plan.reference, plan.fields, plan.videoField)
			: plan.fields;
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
