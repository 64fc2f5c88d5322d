import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { SlotSettings } from '../task/slotAdmission';

/**
 * Submit's two options for OctopusX's limit of tasks at once per API key (see
 * task/slotAdmission.ts for what the node does with them).
 */

export const DEFAULT_FREE_SLOT_WAIT_MINUTES = 60;

export const maxTasksAtOnceOption: INodeProperties = {
	displayName: 'Max Tasks at Once',
	name: 'maxTasksAtOnce',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 0 },
	default: 0,
	description:
		"How many of this run's tasks may be unfinished at OctopusX at the same time. 0: as many as OctopusX accepts (the node then learns the key's limit from its refusals). Set it to your plan's limit to pace a batch without a single refusal.",
};

export const freeSlotWaitOption: INodeProperties = {
	displayName: 'Wait for a Free Slot (Minutes)',
	name: 'freeSlotWaitMinutes',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: DEFAULT_FREE_SLOT_WAIT_MINUTES,
	description:
		'How long an item may wait when the API key already runs as many tasks as OctopusX allows (default 60). After that, the items not yet sent end with an error saying they were not submitted and nothing was paid, so they are safe to run again.',
};

function invalid(
	fn: IExecuteFunctions,
	itemIndex: number,
	name: string,
	value: unknown,
	fix: string,
) {
	return new NodeOperationError(fn.getNode(), `'${name}' is ${JSON.stringify(value)}`, {
		itemIndex,
		description: `${fix} Nothing was sent.`,
	});
}

/** Reads and checks the item's slot options; sends nothing. */
export function readSlotSettings(fn: IExecuteFunctions, itemIndex: number): SlotSettings {
	const options = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const max = options.maxTasksAtOnce;
	let maxAtOnce = Number.POSITIVE_INFINITY;
	if (max !== undefined && max !== '' && max !== 0) {
		const n = Number(max);
		if (!Number.isInteger(n) || n < 0) {
			throw invalid(
				fn,
				itemIndex,
				'Max Tasks at Once',
				max,
				'Use a whole number: your plan’s limit of tasks at once, or 0 for no limit of the node’s own.',
			);
		}
		maxAtOnce = n;
	}
	const wait = options.freeSlotWaitMinutes;
	let patienceMs = DEFAULT_FREE_SLOT_WAIT_MINUTES * 60_000;
	if (wait !== undefined && wait !== '') {
		const n = Number(wait);
		if (!Number.isFinite(n) || n < 0) {
			throw invalid(
				fn,
				itemIndex,
				'Wait for a Free Slot (Minutes)',
				wait,
				`Use a number of minutes, 0 or more (default ${DEFAULT_FREE_SLOT_WAIT_MINUTES}).`,
			);
		}
		patienceMs = Math.round(n * 60_000);
	}
	return { maxAtOnce, patienceMs };
}
