import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import type { OctopusApi } from '../transport';

export type ItemError = NodeApiError | NodeOperationError;

/** What one input item turned into: an output item, or an error that names its task where one exists. */
export type ItemResult = { json: IDataObject; binary?: IBinaryKeyData } | { error: ItemError };

/**
 * An operation works in two steps. `prepare` reads and checks one item's parameters and sends
 * nothing, so bad input is reported before anything is paid for. `run` then does the work for all
 * the prepared items together (concurrently where that helps) and returns one result per plan.
 */
export interface Operation<Plan> {
	description: INodeProperties[];
	prepare(this: IExecuteFunctions, itemIndex: number): Promise<Plan>;
	run(this: IExecuteFunctions, api: OctopusApi, plans: Plan[]): Promise<ItemResult[]>;
	/**
	 * Spreads the output items (one per result, same order) over several outputs; undefined, or no
	 * `route`, means the one output.
	 */
	route?(
		this: IExecuteFunctions,
		items: INodeExecutionData[],
		results: ItemResult[],
	): INodeExecutionData[][] | undefined;
}
