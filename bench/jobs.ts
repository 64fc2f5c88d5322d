/** What the orchestrator asks of one measurement process, and what that process answers. */

/** Where a memory process finds the simulator its parent runs (so the server's own buffers stay out of the figures). */
export interface RemoteSim {
	baseUrl: string;
	apiKey: string;
}

export type Variant = 'node' | 'naive';

export type Job =
	| {
			scenario: 'batch';
			variant: Variant;
			items: number;
			taskMs: number;
			intervalS: number;
			referenceBytes: number;
			resultBytes: number;
	  }
	| {
			scenario: 'throughput';
			variant: Variant;
			direction: 'upload' | 'download';
			items: number;
			fileBytes: number;
			bytesPerSec: number;
	  }
	| {
			scenario: 'polling';
			variant: Variant;
			taskMs: number;
			intervalS: number;
			retryAfterS: number;
			retryAfterTimes: number;
	  }
	| {
			/** uploadMemory samples memory; uploadCpu measures CPU time without the sampler's own cost. */
			scenario: 'uploadMemory' | 'uploadCpu';
			/**
			 * control: the node with the same input, submitting a URL instead (what the run costs
			 * without the upload); buffered: the node sending the body built whole in one buffer, as
			 * before it was streamed (bench/buffered/); freeEncoder: the node with its encoder replaced
			 * by a stand-in that costs nothing (bench/floors/freeEncoder.ts), uploadCpu only.
			 */
			variant: Variant | 'control' | 'buffered' | 'freeEncoder';
			fileBytes: number;
			/** Items of that size in one Submit, all in flight at once (up to the node's bound of 5). */
			items: number;
			sim: RemoteSim;
	  }
	| {
			scenario: 'downloadMemory';
			/** control: the node looking the same task up without downloading it. */
			variant: Variant | 'control';
			taskId: string;
			warmUpTaskId: string;
			resultBytes: number;
			sim: RemoteSim;
	  }
	| { scenario: 'encodeCpu'; variant: 'node' | 'buffered'; fileBytes: number; rounds: number };

/** The line a measurement process prints its result on, among whatever else it prints. */
export const RESULT_MARK = '@@octopusx-bench@@';
