import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BinaryReference } from '../reference/binaryReference';
import { checkBinaryReference } from '../reference/binaryReference';
import { referenceBody } from '../reference/streamedBody';
import { buildSubmitFields, FieldProblem } from '../reference/submitFields';
import type { OctopusApi } from '../transport';
import { callApi, errorContext, isCancelled, stoppedError } from '../transport';
import { CONCURRENCY_LIMIT_CODE, isConcurrencyRefusal, octopusError } from '../transport/apiErrors';
import { AT_ONCE } from '../transport/limit';
import { log, rememberTask, submitFacts } from '../record';
import { slotWaitEnded, slotWaitStarted, taskSubmitted } from '../record/logLines';
import type { OutputChoice } from '../result/taskOutput';
import { pollDelayMs } from '../task/pollSchedule';
import type { SlotSettings } from '../task/slotAdmission';
import type { Attempt, NotSent, Sent } from '../task/submitWithinSlots';
import { submitWithinSlots } from '../task/submitWithinSlots';
import type { Settled, WaitJob } from '../task/waitForTasks';
import { watchTasks } from '../task/waitForTasks';
import type { WaitSettings } from './followTasks';
import { deliverTask, readPollInterval, readWaitSettings } from './followTasks';
import { readSlotSettings } from './slotParameters';
import { description } from './submit.description';
import { errorForModel, runsAsTool } from './toolMode';
import type { ItemError, ItemResult, Operation } from './types';

export { description };
interface SubmitPlan {
	itemIndex: number;
	fields: IDataObject;
	videoField?: string;
	reference?: BinaryReference;
	/** Set when the node waits for the task itself ("Wait for Completion"). */
	wait?: WaitSettings;
	/** How the item keeps to the key's limit of tasks at once. */
	slots: SlotSettings;
	/** How often the run's own tasks are looked at while items wait for a free slot. */
	pollIntervalMs: number;
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
	};
	if (this.getNodeParameter('waitForCompletion', itemIndex, false) === true) {
		plan.wait = readWaitSettings(this, itemIndex);
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
	}
	return plan;
}

/** One submit of one item: a task, or a refusal for the key's concurrency limit (nothing created). */
async function submitOne(
	this: IExecuteFunctions,
	api: OctopusApi,
	plan: SubmitPlan,
): Promise<Attempt<ItemOutput>> {
	// The reference video is streamed, from a fresh read of the file for every attempt (a retry
	// after a 429, or a later try once a slot is free).
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
		// Not a short rate limit: it lifts when a task of the key finishes, which submitWithinSlots waits for.
		passThrough: (a) => isConcurrencyRefusal(a.status, a.body),
	});
	if (isConcurrencyRefusal(answer.status, answer.body)) return { refused: true };
	const task = answer.body as IDataObject;
	const id = typeof task?.id === 'string' && task.id ? task.id : task?.task_id;
	if (typeof id !== 'string' || id === '') {
		throw octopusError(
			errorContext(api, plan.itemIndex),
			'OctopusX accepted the submit but its answer has no task id',
			`The task was probably created and may be charged. Do not submit this item again before checking your OctopusX task list. The answer was: ${JSON.stringify(answer.body).slice(0, 300)}`,
		);
	}
	log(
		this,
		taskSubmitted,
		plan.itemIndex,
		id,
		submitFacts(plan.fields, plan.videoField, plan.reference?.bytes),
	);
	rememberTask(this, plan.itemIndex, id);
	return {
		accepted: { json: { ...task, id, task_id: (task.task_id as string) || id } },
		taskId: id,
	};
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

type ItemOutput = { json: IDataObject };

/**
 * Submits the items in order within the key's limit of tasks at once. With "Wait for Completion" it
 * is a pipeline: each task is followed (and its video downloaded) from the moment it is accepted,
 * and the next item goes out as soon as a task finishes. Without it, the run's own tasks are only
 * watched while items wait for a slot, and the tasks are output as submitted.
 */
async function run(
	this: IExecuteFunctions,
	api: OctopusApi,
	plans: SubmitPlan[],
): Promise<ItemResult[]> {
	const watch = watchTasks(api, async (job: SubmitJob, status) => {
		// Done at OctopusX: its slot is free while the video downloads.
		job.slotFreed();
		return job.output
			? await deliverTask(api, job.itemIndex, status, job.output)
			: { json: status.json as IDataObject };
	});
	// Awaited below where it matters; a Stop ends the slot wait and the watch alike.
	watch.ended.catch(() => undefined);
	const followed = new Map<number, Promise<Settled<ItemOutput> | undefined>>();
	const submitted: Array<{ itemIndex: number; taskId: string }> = [];

	let sent: Array<Sent<ItemOutput>>;
	try {
		sent = await submitWithinSlots(api, {
			// Limits of one run: the first item's options apply to all.
			settings: plans[0].slots,
			plans,
			sendingAtOnce: AT_ONCE.uploads,
			send: async (plan) => await submitOne.call(this, api, plan),
			onWait: (event, plan) => {
				if (event.kind === 'started') {
					log(this, slotWaitStarted, plan.itemIndex, undefined, {
						runningTasks: event.running,
						code: event.reason === 'max at once' ? 'max_tasks_at_once' : CONCURRENCY_LIMIT_CODE,
					});
				} else {
					log(this, slotWaitEnded, plan.itemIndex, undefined, {
						waitedMs: event.waitedMs,
						outcome: event.outcome === 'sent' ? 'free' : event.outcome,
					});
				}
			},
			occupy: async (plan, _accepted, taskId) => {
				submitted.push({ itemIndex: plan.itemIndex, taskId });
				let slotFreed = () => {};
				const freed = new Promise<void>((resolve) => (slotFreed = resolve));
				const job: SubmitJob = {
					itemIndex: plan.itemIndex,
					taskId,
					intervalMs: plan.pollIntervalMs,
					timeoutMs: Number.POSITIVE_INFINITY,
					...plan.wait,
					output: plan.wait,
					// Just created: the first look is worth it only once the task may be done.
					firstLookMs: pollDelayMs(1, plan.wait?.intervalMs ?? plan.pollIntervalMs),
					slotFreed,
					// Without Wait for Completion the task is only watched for its slot: Wait Until Done logs its end.
					slotOnly: !plan.wait,
				};
				const settled = watch.add(job);
				followed.set(plan.itemIndex, settled);
				// Failed, timed out or no longer watched: the slot counts as free too.
				void settled.then(slotFreed);
				return await freed;
			},
		});
		if (plans.some((plan) => plan.wait)) {
			watch.close();
			await watch.ended;
		} else {
			// Every item is sent: the tasks are the next node's to follow.
			watch.abandon();
		}
	} catch (error) {
		watch.abandon();
		// Stopped while waiting, or anything unforeseen: the tasks were paid for and keep running.
		const failure = isCancelled(api)
			? stoppedError(api)
			: new NodeOperationError(this.getNode(), error as Error);
		if (submitted.length > 0) {
			failure.description = `Submitted tasks, which keep running (pick them up with Get Status): ${submitted.map((s) => `item ${s.itemIndex}: task ${s.taskId}`).join(', ')}.`;
		}
		throw failure;
	}

	return await Promise.all(
		plans.map(async (plan, j): Promise<ItemResult> => {
			const outcome = sent[j];
			if ('notSent' in outcome) return { error: notSubmittedError(this, plan, outcome.notSent) };
			if ('error' in outcome) return { error: outcome.error as ItemError };
			if (!plan.wait) return outcome.accepted;
			const settled = await followed.get(plan.itemIndex);
			if (!settled) return outcome.accepted;
			return 'value' in settled ? settled.value : { error: settled.error };
		}),
	);
}

/** A task the run follows: to its output ("Wait for Completion"), or only to know when its slot frees. */
interface SubmitJob extends WaitJob {
	output?: OutputChoice;
	/** Called when the task no longer holds one of the key's slots. */
	slotFreed: () => void;
}

export const operation: Operation<SubmitPlan> = { description, prepare, run };
