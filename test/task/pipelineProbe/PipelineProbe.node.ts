import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import type { NotSent, SubmitItem } from '../../../nodes/OctopusX/task/submitPipeline';
import { submitAndFollow } from '../../../nodes/OctopusX/task/submitPipeline';
import { callApi, openApi } from '../../../nodes/OctopusX/transport';

/** What one submit of an item answers: `accept` really creates the task at the API. */
export type SendAnswer = 'accept' | 'no slot' | 'throw';

/** One input item's part in the run. */
export interface ProbeItem {
	/** Left out of the plans, as the router leaves out an item whose parameters fail: plan j is then not item j. */
	skip?: boolean;
	/** The answers of its submits, in turn; the last one repeats. Default `['accept']`. */
	sends?: SendAnswer[];
	/** Prompt markers for the simulator, e.g. `[sim:ms=300] [sim:fail]`. */
	prompt?: string;
	/** Followed to its end ("Wait for Completion"): the output is then what `deliver` made. */
	follow?: boolean;
	/** The size of its submit's body, as the pipeline weighs a refusal; default 100. */
	bodyBytes?: number;
	/** How long delivering a finished task takes (a download). */
	deliverMs?: number;
	deliverThrows?: boolean;
}

export interface ProbeScript {
	/** Absent: as many as OctopusX accepts. */
	maxAtOnce?: number;
	patienceMs: number;
	/** How often tasks are looked at; default 100 ms. */
	pollIntervalMs?: number;
	/** One per input item. */
	items: ProbeItem[];
}

/** What the probe saw, in order; `at` in ms since the pipeline started. */
export interface ProbeEvent {
	at: number;
	kind: 'send' | 'accepted' | 'deliver' | 'delivered';
	item: number;
	answer?: SendAnswer;
	taskId?: string;
}

/** One output item's JSON: where its input item ended, and the whole run's events. */
export interface ProbeResult {
	item: number;
	skipped?: boolean;
	value?: IDataObject;
	error?: { message: string; description?: string; taskId?: string };
	notSent?: NotSent;
	events: ProbeEvent[];
}

interface ProbePlan extends SubmitItem {
	script: ProbeItem;
	sent: number;
}

/**
 * Runs `submitAndFollow` over its input items as a script says: each submit answers as scripted,
 * an accepted one creating a real task at the API (the simulator) through the node's transport, so
 * the pipeline's watch polls a real task over n8n's HTTP helpers. One output item per input item.
 */
export class PipelineProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pipeline Probe',
		name: 'pipelineProbe',
		group: ['transform'],
		version: 1,
		description: "Drives Submit's pipeline with scripted submits (tests only)",
		defaults: { name: 'Pipeline Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'octopusXApi', required: true }],
		properties: [{ displayName: 'Script (JSON)', name: 'script', type: 'string', default: '{}' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const script = JSON.parse(this.getNodeParameter('script', 0) as string) as ProbeScript;
		const api = await openApi(this);
		const started = Date.now();
		const events: ProbeEvent[] = [];
		const note = (event: Omit<ProbeEvent, 'at'>) =>
			events.push({ at: Date.now() - started, ...event });
		const intervalMs = script.pollIntervalMs ?? 100;

		const items = this.getInputData();
		const plans: ProbePlan[] = [];
		items.forEach((_, itemIndex) => {
			const item = script.items[itemIndex];
			if (item.skip) return;
			plans.push({
				itemIndex,
				bodyBytes: item.bodyBytes ?? 100,
				pollIntervalMs: intervalMs,
				follow: item.follow ? { intervalMs, timeoutMs: 10_000 } : undefined,
				script: item,
				sent: 0,
			});
		});

		const outcomes = await submitAndFollow<ProbePlan, IDataObject>(api, {
			slots: {
				maxAtOnce: script.maxAtOnce ?? Number.POSITIVE_INFINITY,
				patienceMs: script.patienceMs,
			},
			plans,
			send: async (plan) => {
				const item = plan.itemIndex;
				const sends = plan.script.sends ?? ['accept'];
				const answer = sends[Math.min(plan.sent++, sends.length - 1)];
				note({ kind: 'send', item, answer });
				if (answer === 'no slot') return 'no slot';
				if (answer === 'throw') {
					throw new NodeOperationError(this.getNode(), `Scripted submit failure of item ${item}`);
				}
				const created = await callApi(
					api,
					'submit',
					{
						method: 'POST',
						url: '/v1/videos',
						body: { model: 'omni-fast', prompt: `item ${item} ${plan.script.prompt ?? ''}` },
						itemIndex: item,
					},
					(a) => typeof (a.body as IDataObject)?.id === 'string',
				);
				if (created === 'no slot') return created;
				const taskId = (created.body as IDataObject).id as string;
				note({ kind: 'accepted', item, taskId });
				return { accepted: { item, taskId }, taskId };
			},
			deliver: async (plan, status) => {
				const item = plan.itemIndex;
				note({ kind: 'deliver', item, taskId: status.id });
				if (plan.script.deliverMs) {
					await sleep(plan.script.deliverMs, this.getExecutionCancelSignal());
				}
				if (plan.script.deliverThrows) {
					throw new NodeOperationError(this.getNode(), `Scripted download failure of item ${item}`);
				}
				note({ kind: 'delivered', item, taskId: status.id });
				return { item, delivered: status.id, status: status.status };
			},
		});

		const results: ProbeResult[] = items.map((_, item) => ({ item, skipped: true, events }));
		outcomes.forEach((outcome, j) => {
			const result: ProbeResult = { item: plans[j].itemIndex, events };
			if ('value' in outcome) result.value = outcome.value;
			else if ('notSent' in outcome) result.notSent = outcome.notSent;
			else {
				const error = outcome.error as NodeOperationError;
				result.error = {
					message: error.message,
					description: error.description ?? undefined,
					taskId: error.context?.taskId as string | undefined,
				};
			}
			results[plans[j].itemIndex] = result;
		});
		return [
			results.map((result) => ({
				json: result as unknown as IDataObject,
				pairedItem: { item: result.item },
			})),
		];
	}
}
