/** Task life: prompt markers that steer it, and what `GET /v1/videos/{id}` shows at a given time. */
import type { SimTask, TaskDefaults } from './types';

/** Signed result URLs stay valid this long after completion, like the provider's (about 12 h). */
export const RESULT_URL_LIFETIME_S = 12 * 60 * 60;

/**
 * `[sim:fail]`, `[sim:cancel]`, `[sim:never]`, `[sim:complete]`, `[sim:data-array]`, `[sim:video-url]`,
 * `[sim:seconds=3]`, `[sim:ms=200]` in a prompt override the defaults for that task, so a workflow can
 * choose an outcome without code.
 */
export function promptOverrides(prompt: string): Partial<TaskDefaults> {
	const out: Partial<TaskDefaults> = {};
	for (const m of prompt.matchAll(/\[sim:([a-z-]+)(?:=([0-9.]+))?\]/gi)) {
		const word = m[1].toLowerCase();
		const num = m[2] === undefined ? NaN : Number(m[2]);
		if (word === 'fail') out.outcome = 'fail';
		else if (word === 'cancel') out.outcome = 'cancel';
		else if (word === 'never') out.outcome = 'never';
		else if (word === 'complete') out.outcome = 'complete';
		else if (word === 'data-array') out.resultStyle = 'data_array';
		else if (word === 'video-url') out.resultStyle = 'video_url';
		else if (word === 'seconds' && Number.isFinite(num)) out.durationMs = Math.round(num * 1000);
		else if (word === 'ms' && Number.isFinite(num)) out.durationMs = Math.round(num);
	}
	return out;
}

export type Phase = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export function taskPhase(task: SimTask, now: number): { phase: Phase; progress: number } {
	const elapsed = now - task.createdAt;
	const d = task.durationMs;
	if (elapsed < d * 0.2) return { phase: 'queued', progress: 0 };
	if (elapsed < d || task.outcome === 'never') {
		const running = Math.max(0, elapsed - d * 0.2) / Math.max(1, d * 0.8);
		return { phase: 'running', progress: Math.max(1, Math.min(99, Math.floor(running * 99) + 1)) };
	}
	if (task.outcome === 'fail') return { phase: 'failed', progress: 99 };
	if (task.outcome === 'cancel') return { phase: 'cancelled', progress: 99 };
	return { phase: 'completed', progress: 100 };
}

/** True while the task counts against the per-key concurrency limit. */
export function isActive(task: SimTask, now: number): boolean {
	const { phase } = taskPhase(task, now);
	return phase === 'queued' || phase === 'running';
}

export function completedAtSeconds(task: SimTask): number {
	return Math.floor((task.createdAt + task.durationMs) / 1000);
}

export function expiresAtSeconds(task: SimTask): number {
	return completedAtSeconds(task) + RESULT_URL_LIFETIME_S;
}

const WORDS: Record<SimTask['resultStyle'], Record<Phase, string>> = {
	video_url: {
		queued: 'queued',
		running: 'in_progress',
		completed: 'completed',
		failed: 'failed',
		cancelled: 'cancelled',
	},
	data_array: {
		queued: 'queued',
		running: 'processing',
		completed: 'succeeded',
		failed: 'failed',
		cancelled: 'cancelled',
	},
};

/** The answer of `GET /v1/videos/{id}` at time `now`; `resultUrl` signs the result location. */
export function taskView(task: SimTask, now: number, resultUrl: (task: SimTask) => string): object {
	const { phase, progress } = taskPhase(task, now);
	const view: Record<string, unknown> = {
		id: task.id,
		task_id: task.id,
		object: 'video',
		model: task.model,
		status: WORDS[task.resultStyle][phase],
		progress,
		created_at: Math.floor(task.createdAt / 1000),
	};
	const dataArray = task.resultStyle === 'data_array';
	if (!dataArray) view.video_url = '';
	if (phase === 'completed') {
		const url = resultUrl(task);
		if (dataArray) view.data = [{ url }];
		else view.video_url = url;
		view.completed_at = completedAtSeconds(task);
		view.expires_at = expiresAtSeconds(task);
	} else if (phase === 'failed') {
		view.error = {
			message: 'Generation failed: the reference video could not be decoded',
			code: 'generation_failed',
		};
	} else if (phase === 'cancelled') {
		view.error = { message: 'The task was cancelled', code: 'task_cancelled' };
	}
	if (dataArray && phase !== 'completed') view.data = [];
	return view;
}
