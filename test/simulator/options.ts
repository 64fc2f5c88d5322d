/** Checks options changed at run time (also arriving as JSON over /__sim/options). */
import { ROUTES } from './types';

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Why `p` cannot be applied, or undefined; null and undefined clear an optional setting. */
export function mutableOptionsProblem(p: Record<string, unknown>): string | undefined {
	const {
		throttleBytesPerSec,
		taskDurationMs,
		resultBytes,
		maxConcurrentTasks,
		randomFaults,
		log,
	} = p;
	if (throttleBytesPerSec != null && !isCount(throttleBytesPerSec))
		return 'throttleBytesPerSec must be a number of bytes per second';
	if (taskDurationMs !== undefined && !isCount(taskDurationMs))
		return 'taskDurationMs must be a number';
	if (resultBytes !== undefined && !(isCount(resultBytes) && Number.isInteger(resultBytes)))
		return 'resultBytes must be a whole number';
	if (maxConcurrentTasks != null && !isCount(maxConcurrentTasks))
		return 'maxConcurrentTasks must be a number';
	if (log != null && typeof log !== 'function') return 'log must be a function';
	if (randomFaults != null) {
		const r = randomFaults as { rate?: unknown; seed?: unknown; routes?: unknown };
		if (typeof r.rate !== 'number' || r.rate < 0 || r.rate > 1)
			return 'randomFaults.rate must be 0..1';
		if (typeof r.seed !== 'number') return 'randomFaults.seed must be a number';
		if (
			r.routes !== undefined &&
			!(
				Array.isArray(r.routes) && r.routes.every((x) => (ROUTES as readonly unknown[]).includes(x))
			)
		)
			return `randomFaults.routes must list routes among ${ROUTES.join(', ')}`;
	}
	return undefined;
}

export function taskDefaultsProblem(p: Record<string, unknown>): string | undefined {
	if (
		p.outcome !== undefined &&
		!['complete', 'fail', 'cancel', 'never'].includes(p.outcome as string)
	)
		return 'outcome must be complete, fail, cancel or never';
	if (p.durationMs !== undefined && !isCount(p.durationMs)) return 'durationMs must be a number';
	if (p.resultStyle !== undefined && !['video_url', 'data_array'].includes(p.resultStyle as string))
		return 'resultStyle must be video_url or data_array';
	return undefined;
}
