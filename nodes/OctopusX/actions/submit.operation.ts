import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BinaryReference } from '../reference/binaryReference';
import { checkBinaryReference } from '../reference/binaryReference';
import { dataUriFrame } from '../reference/dataUriBody';
import { referenceBody } from '../reference/streamedBody';
import { buildSubmitFields, FieldProblem } from '../reference/submitFields';
import type { OctopusApi } from '../transport';
import { callApi } from '../transport';
import { CONCURRENCY_LIMIT_CODE } from '../transport/apiErrors';
import { UploadLane } from '../transport/uploadLane';
import { log, rememberTask, submitFacts } from '../record';
import { taskSubmitted } from '../record/logLines';
import type { SlotSettings } from '../task/slotAdmission';
import type { Attempt, NotSent, SubmitItem } from '../task/submitPipeline';
import { submitAndFollow } from '../task/submitPipeline';
import type { WaitSettings } from './followTasks';
import { deliverTask, readPollInterval, readWaitSettings } from './followTasks';
import { readSlotSettings } from './slotParameters';
import { description } from './submit.description';
import { errorForModel, runsAsTool } from './toolMode';
import type { ItemError, ItemResult, Operation } from './types';

export { description };
interface SubmitPlan extends SubmitItem {
	fields: IDataObject;
	videoField?: string;
	reference?: BinaryReference;
	/** Set when the node waits for the task itself ("Wait for Completion"). */
	follow?: WaitSettings;
	/** How the item keeps to the key's limit of tasks at once. */
	slots: SlotSettings;
}

/** The parameter behind each field a FieldProblem names, for the ones a model can fill. */
const PARAMETER_OF: Record<string, string> = {
	Prompt: 'prompt',
	'Video URL': 'videoUrl',
	'Duration (Seconds)': 'seconds',
	'Aspect Ratio': 'aspectRatio',
	Resolution: 'resolution',
};

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
		const description = problem instanceof FieldProblem ? problem.fix : undefined;
		const parameter = problem instanceof FieldProblem ? PARAMETER_OF[problem.field] : undefined;
		const forModel = parameter
			? errorForModel(fn, parameter, problem.field, problem.message, description)
			: undefined;
		throw new NodeOperationError(fn.getNode(), forModel?.message ?? problem.message, {
			itemIndex,
			description: forModel?.description ?? description,
		});
	}
}

async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<SubmitPlan> {
	// n8n's Retry On Fail runs the whole node again, so every item of the batch would be submitted,
	// and paid for, a second time. The node's own retries are the safe ones.
	if (this.getNode().retryOnFail) {
		throw new NodeOperationError(this.getNode(), "Turn off 'Retry On Fail' for Submit", {
			itemIndex,
			description:
				'Retry On Fail (node Settings) would run every submit again after an error, paying twice for tasks that were already created. The node already repeats a submit where that is safe (HTTP 429, a refused connection). Turn the setting off; nothing was sent.',
		});
	}
	const built = readSubmitFields(this, itemIndex);
	const plan: SubmitPlan = {
		itemIndex,
		fields: built.fields,
		videoField: built.videoField,
		slots: readSlotSettings(this, itemIndex),
		pollIntervalMs: readPollInterval(this, itemIndex),
		bodyBytes: JSON.stringify(built.fields).length,
	};
	if (this.getNodeParameter('waitForCompletion', itemIndex, false) === true) {
		plan.follow = readWaitSettings(this, itemIndex);
	}
	if (built.fromBinary) {
		const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
		if (property === '') {
			throw new NodeOperationError(this.getNode(), "'Input Binary Field' is empty", {
				itemIndex,
				description: "Enter the name of the input binary field that holds the MP4, usually 'data'.",
			});
		}
		plan.reference = await checkBinaryReference(this, itemIndex, property);
		plan.bodyBytes = dataUriFrame(
			built.fields,
			plan.videoField as string,
			plan.reference.bytes,
		).length;
	}
	return plan;
}

/** One submit of one item: a task, or a refusal for the key's concurrency limit (nothing created). */
async function submitOne(
	this: IExecuteFunctions,
	api: OctopusApi,
	plan: SubmitPlan,
	lane: UploadLane,
): Promise<Attempt<ItemOutput>> {
	// The reference video is streamed, from a fresh read of the file for every attempt (a retry
	// after a 429, or a later try once a slot is free).
	const body =
		plan.reference && plan.videoField
			? referenceBody(this, plan.reference, plan.fields, plan.videoField, lane)
			: plan.fields;
	const answer = await callApi(
		api,
		'submit',
		// A large data-URI body can take a while on a slow uplink.
		{ method: 'POST', url: '/v1/videos', body, itemIndex: plan.itemIndex, timeoutMs: 300_000 },
		(a) => taskIdOf(a.body) !== undefined,
	);
	if (answer === 'no slot') return answer;
	const task = answer.body as IDataObject;
	const id = taskIdOf(task) as string;
	const facts = submitFacts(plan.fields, plan.videoField, plan.reference?.bytes);
	log(this, taskSubmitted, plan.itemIndex, id, facts);
	rememberTask(this, plan.itemIndex, id);
	return {
		accepted: { json: { ...task, id, task_id: (task.task_id as string) || id } },
		taskId: id,
	};
}

function taskIdOf(body: unknown): string | undefined {
	const task = body as IDataObject | undefined;
	const id = typeof task?.id === 'string' && task.id ? task.id : task?.task_id;
	return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The error of an item that never got a free slot: nothing was sent, so a re-run pays nothing twice. */
function notSubmittedError(fn: IExecuteFunctions, plan: SubmitPlan, notSent: NotSent) {
	const minutes = Math.max(1, Math.round(notSent.waitedMs / 60_000));
	const waited =
		notSent.waitedMs < 60_000 ? `${Math.round(notSent.waitedMs / 1000)} s` : `${minutes} min`;
	const error = new NodeOperationError(
		fn.getNode(),
		`Not submitted: the OctopusX API key had no free slot for ${waited}`,
		{
			itemIndex: plan.itemIndex,
			description: `This item was NOT submitted and nothing was paid for it, so it is safe to run it again. OctopusX runs only so many tasks at once per API key, and its tasks stayed busy for the whole 'Wait for a Free Slot' time (${notSent.refusals} submit${notSent.refusals === 1 ? ' was' : 's were'} refused with 'token_concurrency_limit_reached'). Run it again later, raise 'Wait for a Free Slot' in Submit's options, or check what else uses this API key.`,
		},
	);
	// Routable on: the same code OctopusX refused the submits with.
	error.context.apiCode = CONCURRENCY_LIMIT_CODE;
	return error;
}

type ItemOutput = Exclude<ItemResult, { error: unknown }>;

/**
 * Submits the items in order within the key's limit of tasks at once; with "Wait for Completion"
 * each task is followed and its video downloaded as soon as it is done (task/submitPipeline.ts).
 */
async function run(
	this: IExecuteFunctions,
	api: OctopusApi,
	plans: SubmitPlan[],
): Promise<ItemResult[]> {
	const lane = new UploadLane();
	const outcomes = await submitAndFollow(api, {
		// Limits of one run: the first item's options apply to all.
		slots: plans[0].slots,
		plans,
		send: async (plan) => await submitOne.call(this, api, plan, lane),
		deliver: async (plan, status) =>
			await deliverTask(api, plan.itemIndex, status, plan.follow as WaitSettings),
	});
	return outcomes.map((outcome, j): ItemResult => {
		if ('notSent' in outcome) return { error: notSubmittedError(this, plans[j], outcome.notSent) };
		return 'error' in outcome ? { error: outcome.error as ItemError } : outcome.value;
	});
}

export const operation: Operation<SubmitPlan> = { description, prepare, run };
