/** The simulator's public types: options, faults, and what it records. */

/** `chat`: the OpenAI-compatible chat model (see chatModel.ts); `source`: public input videos on the cdn. */
export type Route = 'submit' | 'status' | 'content' | 'cdn' | 'models' | 'chat' | 'source';

export const ROUTES: readonly Route[] = [
	'submit',
	'status',
	'content',
	'cdn',
	'models',
	'chat',
	'source',
];

export interface RandomFaults {
	/** Probability (0..1) that a request on one of `routes` gets a fault. */
	rate: number;
	/** Seed of the PRNG: the same seed and the same request order give the same faults. */
	seed: number;
	/** Routes exposed to random faults; default all of them. */
	routes?: Route[];
}

export interface SimulatorOptions {
	/** API host, default '127.0.0.1'. */
	host?: string;
	/** API port, default 0 (ephemeral). */
	port?: number;
	/** Host of the result-file server (a second listener, like a CDN with signed URLs), default '127.0.0.2'. */
	cdnHost?: string;
	/** Default 0. */
	cdnPort?: number;
	/** Default 'sk-sim-0123456789abcdef'. */
	apiKey?: string;
	/** Time from create to done, default 1500 ms. */
	taskDurationMs?: number;
	/** Size of the generated result MP4, default 256 KiB. */
	resultBytes?: number;
	/** Per-connection rate limit on request bodies read and response bodies written; default none. */
	throttleBytesPerSec?: number;
	/** Tasks allowed queued/in_progress at once; past it a submit answers 429; default unlimited. */
	maxConcurrentTasks?: number;
	/** Soak mode: random faults, reproducible with the seed. */
	randomFaults?: RandomFaults;
	/** One line per finished request. */
	log?: (line: string) => void;
}

export type Fault =
	| {
			kind: 'status';
			status: number;
			retryAfter?: number | string;
			body?: unknown;
			/** Submit only: create the task, then answer the error. */
			afterCreate?: boolean;
	  }
	| { kind: 'reset'; afterCreate?: boolean }
	| { kind: 'raw'; status?: number; body: string; contentType?: string }
	| { kind: 'delay'; ms: number };

export interface DataUriSummary {
	dataUri: true;
	mime: string;
	bytes: number;
	sha256: string;
}

export interface RecordedRequest {
	/** Arrival order (the list itself is in order of completion). */
	seq: number;
	/** Date.now() at arrival. */
	at: number;
	server: 'api' | 'cdn';
	method: string;
	/** Includes the query string. */
	path: string;
	route: Route | 'unknown';
	/** Lower-case names, as received. */
	headers: Record<string, string>;
	bodyBytes: number;
	/** Parsed JSON body, every data: URI replaced by a DataUriSummary. */
	json?: unknown;
	/** What the simulator answered; 0 when it reset the connection or the client left first. */
	status: number;
	/** The fault applied, if any. */
	faulted?: string;
}

export type TaskOutcome = 'complete' | 'fail' | 'cancel' | 'never';
export type ResultStyle = 'video_url' | 'data_array';

export interface SimTask {
	id: string;
	model: string;
	prompt: string;
	/** Date.now() at creation. */
	createdAt: number;
	outcome: TaskOutcome;
	durationMs: number;
	/** data_array: result only in data[0].url; running word 'processing', success word 'succeeded'. */
	resultStyle: ResultStyle;
	/** Of the decoded data URI; undefined for a URL reference. */
	referenceSha256?: string;
	referenceBytes?: number;
	/** Size of this task's result file (the resultBytes option when it was created). */
	resultBytes: number;
	/** The recorded JSON body, data URI summarised. */
	request: unknown;
}

export type TaskDefaults = Pick<SimTask, 'outcome' | 'durationMs' | 'resultStyle'>;
