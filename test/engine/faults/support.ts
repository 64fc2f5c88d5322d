/**
 * What every fault case shares: a simulator of its own (so cases can run concurrently), a
 * distinctive API key, inputs, and the secrets check that runs after every single run.
 */
import { inspect } from 'node:util';

import type { INodeParameters } from 'n8n-workflow';

import { OctopusSimulator, type RecordedRequest, type SimulatorOptions } from '../../simulator';
import { runOctopusX, type InputItem, type RunOptions, type RunResult } from '../harness';

/** Long and unlike anything else in a run, so a leak cannot hide and cannot match by chance. */
export const KEY = 'sk-octo-LEAKCHECK-9f4e2a7c1d8b6e3f5a0c';

/** The name the harness gives the node's credential. */
export const CREDENTIAL_NAME = 'OctopusX account';

export async function withSim<T>(
	fn: (sim: OctopusSimulator) => Promise<T>,
	options: SimulatorOptions = {},
): Promise<T> {
	const sim = await OctopusSimulator.start({
		apiKey: KEY,
		taskDurationMs: 400,
		resultBytes: 48 * 1024,
		...options,
	});
	try {
		return await fn(sim);
	} finally {
		await sim.stop();
	}
}

/** A small file that starts like an MP4 (an `ftyp` box), followed by filler. */
export function mp4Bytes(size: number): Buffer {
	const bytes = Buffer.alloc(size, 7);
	bytes.writeUInt32BE(24, 0);
	bytes.write('ftypisom', 4, 'latin1');
	bytes.writeUInt32BE(0x200, 12);
	bytes.write('isommp41', 16, 'latin1');
	return bytes;
}

export function videoItem(json: InputItem['json'] = {}, size = 8 * 1024): InputItem {
	return {
		json,
		binary: { data: { bytes: mp4Bytes(size), mimeType: 'video/mp4', fileName: 'in.mp4' } },
	};
}

export function submit(prompt: string, extra: INodeParameters = {}): INodeParameters {
	return { operation: 'submit', prompt, ...extra };
}

/** Wait Until Done with fast polling; `options` merges into the node's options collection. */
export function waitUntilDone(
	options: INodeParameters = {},
	extra: INodeParameters = {},
): INodeParameters {
	return {
		operation: 'waitUntilDone',
		...extra,
		options: { pollInterval: 1, timeout: 20, ...options },
	};
}

export function getStatus(taskId: string, extra: INodeParameters = {}): INodeParameters {
	return { operation: 'getStatus', taskId, ...extra };
}

export type CaseOptions = Partial<RunOptions> & { parameters: INodeParameters };

/**
 * Runs the node against `sim` with the simulator's key (unless `credentials` says otherwise) and
 * then checks, for this run, that no secret leaked: see `expectNoLeak`.
 */
export async function run(sim: OctopusSimulator, options: CaseOptions): Promise<RunResult> {
	const credentials =
		options.credentials === undefined ? { apiKey: KEY, baseUrl: sim.baseUrl } : options.credentials;
	const result = await runOctopusX({ ...options, credentials });
	expectNoLeak(result, [KEY, credentials?.apiKey], sim);
	return result;
}

/** Everything the user can see of a run, as text: outputs of every node, the error, the logs. */
export function visibleText(result: RunResult): string {
	const error = result.error;
	const outputs = result.nodeNames.map((_, i) => result.nodeOutputs(i));
	return [
		error?.message,
		error?.description,
		error && JSON.stringify(error),
		error && inspect(error, { depth: 12, maxStringLength: Infinity }),
		JSON.stringify(outputs),
		// Error items carry the error object beside their json.
		inspect(outputs, { depth: 12, maxStringLength: Infinity }),
		inspect(result.run.data.resultData, { depth: 14, maxStringLength: Infinity }),
		...result.logs,
	]
		.filter(Boolean)
		.join('\n');
}

/**
 * The secrets rule, asserted on one run: the key appears in no output item, error message, error
 * description or log line; and no request to a host other than the base URL carried an
 * Authorization header (the simulator's CDN is on 127.0.0.2, another host).
 */
export function expectNoLeak(
	result: RunResult,
	secrets: Array<string | undefined>,
	sim?: OctopusSimulator,
	baseUrl = sim?.baseUrl,
): void {
	const text = visibleText(result);
	for (const secret of new Set(secrets.filter((s): s is string => !!s && s.length >= 8))) {
		expect(text.includes(secret) ? `leaked: ${secret}` : 'no leak').toBe('no leak');
		// A key cut in half (e.g. a message truncated at 300 characters) still must not show.
		const tail = secret.slice(-16);
		expect(text.includes(tail) ? `leaked part of ${secret}` : 'no leak').toBe('no leak');
	}
	if (sim && baseUrl) {
		const apiHost = new URL(baseUrl).host;
		const foreign = sim.requests.filter(
			(r) => r.headers.authorization !== undefined && r.headers.host !== apiHost,
		);
		expect(foreign.map((r) => `${r.server} ${r.method} ${r.path}`)).toEqual([]);
	}
}

/** Milliseconds between each request and the one before it. */
export function gaps(requests: RecordedRequest[]): number[] {
	const at = [...requests].sort((a, b) => a.seq - b.seq).map((r) => r.at);
	return at.slice(1).map((t, i) => t - at[i]);
}

/** The task id an output item names (Submit's `id`, or an error item's `task_id`). */
export function taskIdOf(json: Record<string, unknown>): string | undefined {
	const id = json.task_id ?? json.id;
	return typeof id === 'string' ? id : undefined;
}

/**
 * An error item's fields, whichever continue mode made it: flat under "Continue" (regular
 * output), under `details` on the error output (n8n routes only `{ error, message, details }` there).
 */
export function errorFields(item: { json: Record<string, unknown> }): Record<string, unknown> {
	const details = item.json.details;
	return { ...item.json, ...(typeof details === 'object' && details !== null ? details : {}) };
}
