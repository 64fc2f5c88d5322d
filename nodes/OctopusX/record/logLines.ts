/**
 * The wording of every line the node writes to n8n's log, as values in and values out. At n8n's
 * default console format only the message is printed, so each message carries the ids itself, in a
 * fixed `key=value` tail an operator can grep for (`execution=57`, `task=video_abc`); the same facts
 * go into the metadata for JSON logs and log streaming. Never the prompt's text, never a key, never
 * a URL's query (signed URLs carry tokens there).
 */

export type LogLevel = 'debug' | 'info' | 'warn';

export interface LogLine {
	level: LogLevel;
	message: string;
	meta: Record<string, string | number>;
}

/** Where a line comes from: the execution, the node, the input item and its task. */
export interface LineOrigin {
	workflowId: string;
	executionId: string;
	nodeName: string;
	itemIndex: number;
	/** Undefined before the task exists (a submit still being sent). */
	taskId?: string;
}

export type ReferenceFacts =
	{ kind: 'binary'; bytes: number } | { kind: 'url'; host: string } | { kind: 'none' };

function tail(origin: LineOrigin): string {
	return [
		`workflow=${origin.workflowId}`,
		`execution=${origin.executionId}`,
		`node=${JSON.stringify(origin.nodeName)}`,
		`item=${origin.itemIndex}`,
		`task=${origin.taskId ?? 'none'}`,
	].join(' ');
}

function line(
	level: LogLevel,
	event: string,
	origin: LineOrigin,
	text: string,
	facts: Record<string, string | number | undefined> = {},
): LogLine {
	const meta: Record<string, string | number> = {
		event: `octopusx.${event}`,
		workflowId: origin.workflowId,
		executionId: origin.executionId,
		nodeName: origin.nodeName,
		itemIndex: origin.itemIndex,
	};
	if (origin.taskId) meta.taskId = origin.taskId;
	for (const [key, value] of Object.entries(facts)) if (value !== undefined) meta[key] = value;
	return { level, message: `OctopusX: ${text} ${tail(origin)}`, meta };
}

/** 2.00 MiB (2097152 bytes), 1.5 KiB (1536 bytes), 12 bytes: the size and the exact count. */
export function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(2)} MiB (${bytes} bytes)`;
	if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`;
	return `${bytes} bytes`;
}

/** 0.4 s, 12 s, 3 min 5 s: short enough to read at a glance, exact enough to compare. */
export function formatSeconds(ms: number): string {
	const s = Math.max(0, ms) / 1000;
	if (s < 10) return `${s.toFixed(1)} s`;
	if (s < 120) return `${Math.round(s)} s`;
	const whole = Math.round(s);
	return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

function referenceText(reference: ReferenceFacts): string {
	if (reference.kind === 'binary')
		return `reference video: binary file of ${formatBytes(reference.bytes)}`;
	if (reference.kind === 'url') return `reference video: URL on ${reference.host}`;
	return 'no reference video';
}

export function taskSubmitted(
	origin: LineOrigin,
	facts: { model: string; reference: ReferenceFacts; promptChars: number },
): LogLine {
	return line(
		'info',
		'task.submitted',
		origin,
		`task ${origin.taskId} submitted (model ${facts.model}, ${referenceText(facts.reference)}, prompt of ${facts.promptChars} characters)`,
		{
			model: facts.model,
			referenceKind: facts.reference.kind,
			referenceBytes: facts.reference.kind === 'binary' ? facts.reference.bytes : undefined,
			referenceHost: facts.reference.kind === 'url' ? facts.reference.host : undefined,
			promptChars: facts.promptChars,
		},
	);
}

/** How long after its submit a task ended, as text (` 12 s after its submit`) and in seconds. */
function sinceSubmit(ms: number | undefined) {
	if (ms === undefined) return { text: '', seconds: undefined };
	return { text: ` ${formatSeconds(ms)} after its submit`, seconds: Math.round(ms / 100) / 10 };
}

export function taskFinished(
	origin: LineOrigin,
	facts: { status: string; msFromSubmit?: number; videoBytes?: number; downloaded: boolean },
): LogLine {
	const after = sinceSubmit(facts.msFromSubmit);
	const video = !facts.downloaded
		? 'video not downloaded'
		: facts.videoBytes === undefined
			? 'video downloaded'
			: `video of ${formatBytes(facts.videoBytes)} downloaded`;
	return line(
		'info',
		'task.finished',
		origin,
		`task ${origin.taskId} ${facts.status}${after.text && `,${after.text}`}, ${video}`,
		{
			status: facts.status,
			secondsFromSubmit: after.seconds,
			videoBytes: facts.videoBytes,
		},
	);
}

export function taskFailed(
	origin: LineOrigin,
	facts: { status: string; code?: string; msFromSubmit?: number },
): LogLine {
	const after = sinceSubmit(facts.msFromSubmit);
	return line(
		'warn',
		'task.failed',
		origin,
		`task ${origin.taskId} ended ${facts.status}${after.text} (code ${facts.code ?? 'none given'})`,
		{ status: facts.status, code: facts.code, secondsFromSubmit: after.seconds },
	);
}

/** Waiting gave up; the task was not cancelled and may still finish at OctopusX. */
export function taskTimedOut(
	origin: LineOrigin,
	facts: { timeoutMs: number; lastStatus?: string; progress?: number },
): LogLine {
	const last =
		facts.lastStatus === undefined
			? 'no status seen'
			: `last status ${facts.lastStatus}${facts.progress === undefined ? '' : ` ${facts.progress}%`}`;
	return line(
		'warn',
		'task.timeout',
		origin,
		`task ${origin.taskId} not done after ${formatSeconds(facts.timeoutMs)} (${last}): stopped waiting, the task is left running at OctopusX; pick it up with Get Status`,
		{
			timeoutSeconds: Math.round(facts.timeoutMs / 1000),
			status: facts.lastStatus,
			progress: facts.progress,
		},
	);
}

/**
 * Waiting ended in an error other than a failed task or a timeout: a 404, unreadable answers, a
 * video that could not be downloaded. The error itself says what to do.
 */
export function taskNotFollowed(origin: LineOrigin, facts: { reason: string }): LogLine {
	return line(
		'warn',
		'task.error',
		origin,
		`waiting for task ${origin.taskId} ended in an error: ${facts.reason.slice(0, 200)}`,
		{ reason: facts.reason.slice(0, 200) },
	);
}

/** One routine status check; debug only, so a long wait does not fill the log. */
export function taskPolled(
	origin: LineOrigin,
	facts: { status: string; progress?: number; poll: number },
): LogLine {
	return line(
		'debug',
		'task.polled',
		origin,
		`task ${origin.taskId} is ${facts.status}${facts.progress === undefined ? '' : ` ${facts.progress}%`} (check ${facts.poll})`,
		{ status: facts.status, progress: facts.progress, poll: facts.poll },
	);
}

export type RequestName = 'submit' | 'status checks';

/** OctopusX answered 429 (requests per key): the node waits before asking again. */
export function rateLimitWaitStarted(
	origin: LineOrigin,
	facts: { request: RequestName; waitMs: number; attempt?: number; maxAttempts?: number },
): LogLine {
	const tries =
		facts.attempt === undefined ? '' : `, then try ${facts.attempt + 1} of ${facts.maxAttempts}`;
	return line(
		'info',
		'rateLimit.started',
		origin,
		`rate limit (HTTP 429) on ${facts.request}: waiting ${formatSeconds(facts.waitMs)}${tries}`,
		{ request: facts.request, waitMs: facts.waitMs, attempt: facts.attempt },
	);
}

export function rateLimitWaitEnded(
	origin: LineOrigin,
	facts: { request: RequestName; waitedMs: number },
): LogLine {
	return line(
		'info',
		'rateLimit.ended',
		origin,
		`rate limit wait on ${facts.request} over after ${formatSeconds(facts.waitedMs)}`,
		{ request: facts.request, waitedMs: facts.waitedMs },
	);
}

/**
 * OctopusX refused a submit because the key's tasks fill its concurrency limit
 * (`token_concurrency_limit_reached`): the item waits for one of them to finish. Nothing was created.
 */
export function slotWaitStarted(
	origin: LineOrigin,
	facts: { runningTasks?: number; code?: string },
): LogLine {
	const running =
		facts.runningTasks === undefined
			? ''
			: ` (${facts.runningTasks} tasks of this run still running)`;
	return line(
		'info',
		'slot.started',
		origin,
		`no free task slot on the key (${facts.code ?? 'token_concurrency_limit_reached'}): item waits to be submitted${running}`,
		{ code: facts.code ?? 'token_concurrency_limit_reached', runningTasks: facts.runningTasks },
	);
}

export function slotWaitEnded(
	origin: LineOrigin,
	facts: { waitedMs: number; outcome: 'free' | 'gave up' | 'stopped' },
): LogLine {
	const how =
		facts.outcome === 'free'
			? 'a slot is free, submitting'
			: facts.outcome === 'gave up'
				? 'gave up, nothing was submitted for this item'
				: 'the execution was stopped, nothing was submitted for this item';
	return line(
		'info',
		'slot.ended',
		origin,
		`waited ${formatSeconds(facts.waitedMs)} for a free task slot: ${how}`,
		{ waitedMs: facts.waitedMs, outcome: facts.outcome },
	);
}
