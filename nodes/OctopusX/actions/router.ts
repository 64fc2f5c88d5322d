import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { toolAnswer } from '../result/toolAnswer';
import { openApi } from '../transport';
import { errorOutputJson } from './errorOutputItem';
import * as getStatus from './getStatus.operation';
import * as submit from './submit.operation';
import { runsAsTool } from './toolMode';
import type { ItemError, ItemResult, Operation } from './types';
import * as waitUntilDone from './waitUntilDone.operation';

const operations: Record<string, Operation<unknown>> = {
	submit: submit.operation as Operation<unknown>,
	getStatus: getStatus.operation as Operation<unknown>,
	waitUntilDone: waitUntilDone.operation as Operation<unknown>,
};

function asItemError(fn: IExecuteFunctions, error: unknown, itemIndex: number): ItemError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(fn.getNode(), error as Error, { itemIndex });
}

function taskIdOf(result: ItemResult | undefined): string | undefined {
	if (!result) return undefined;
	if ('error' in result) return result.error.context.taskId as string | undefined;
	return typeof result.json.id === 'string' ? result.json.id : undefined;
}

/**
 * The error item under "Continue On Fail": the message, and the task id so the task can be found.
 * n8n sends an item to the error output only when its JSON holds nothing but `error`, `message` and
 * `details` (and it replaces the JSON of items that carry an Error object), so there the rest goes
 * under `details` (as text in `message` on older n8n, see errorOutputItem.ts); n8n then merges in the
 * input item, which keeps Submit's `id` and `task_id` on top.
 */
function errorItem(
	error: ItemError,
	itemIndex: number,
	toErrorOutput: boolean,
): INodeExecutionData {
	const details: IDataObject = {};
	if (error.description) details.description = error.description;
	const taskId = error.context.taskId;
	if (taskId) details.task_id = taskId;
	if (error instanceof NodeApiError && error.httpCode) details.http_code = error.httpCode;
	if (error.context.apiCode) details.code = error.context.apiCode;
	const json: IDataObject = toErrorOutput
		? errorOutputJson(error.message, details)
		: { error: error.message, ...details };
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * When one item stops the execution, the others' tasks must not be forgotten: they were paid for.
 * Their ids go into the error's description.
 */
function withOtherTasks(error: ItemError, results: Array<ItemResult | undefined>, failed: number) {
	const others = results
		.map((result, i) => ({ i, taskId: taskIdOf(result), ok: result && !('error' in result) }))
		.filter((o) => o.i !== failed && o.taskId)
		.map((o) => `item ${o.i}: task ${o.taskId}${o.ok ? '' : ' (failed too)'}`);
	if (others.length > 0) {
		error.description =
			`${error.description ?? ''}\n\nOther items of this run have tasks that are not lost: ${others.join(', ')}. Use 'Continue On Fail' (Settings) to get every item's result even when one fails.`.trim();
	}
	return error;
}

/** Runs the chosen operation over all input items: checks first, work second, one output item per input item, in order. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// The operation is a fixed choice of the node, the same for every item.
	const operation = operations[this.getNodeParameter('operation', 0) as string];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), 'Unknown operation', {
			description: 'Choose Submit, Get Status or Wait Until Done.',
		});
	}
	// An AI Agent's tool answers with a few fields of JSON; see toolAnswer. Its errors are answers
	// too: n8n would pass the model only an error's message, and the model needs the fix and task id.
	const asTool = runsAsTool(this);
	const continueOnFail = this.continueOnFail() || asTool;
	const toErrorOutput = !asTool && this.getNode().onError === 'continueErrorOutput';
	const results: Array<ItemResult | undefined> = new Array(items.length);

	const plans: unknown[] = [];
	const planItems: number[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			plans.push(await operation.prepare.call(this, itemIndex));
			planItems.push(itemIndex);
		} catch (error) {
			const itemError = asItemError(this, error, itemIndex);
			// Nothing has been sent yet: stop here, before anything is paid for.
			if (!continueOnFail) throw itemError;
			results[itemIndex] = { error: itemError };
		}
	}

	if (plans.length > 0) {
		const api = await openApi(this);
		const done = await operation.run.call(this, api, plans);
		done.forEach((result, j) => {
			results[planItems[j]] =
				'error' in result ? { error: asItemError(this, result.error, planItems[j]) } : result;
		});
	}

	if (asTool) {
		results.forEach((result, i) => {
			if (result && !('error' in result)) results[i] = { json: toolAnswer(result.json) };
		});
	}

	if (!continueOnFail) {
		const failed = results.findIndex((result) => result && 'error' in result);
		if (failed >= 0)
			throw withOtherTasks((results[failed] as { error: ItemError }).error, results, failed);
	}

	const output = results.map((result, itemIndex) => {
		if (!result)
			throw new NodeOperationError(this.getNode(), 'Item was not processed', { itemIndex });
		if ('error' in result) return errorItem(result.error, itemIndex, toErrorOutput);
		return { ...result, pairedItem: { item: itemIndex } };
	});
	return operation.route?.call(this, output, results as ItemResult[]) ?? [output];
}
