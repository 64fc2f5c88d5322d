/**
 * The task ids an execution created, as n8n's execution custom data (shown and filterable in the
 * executions list, `$execution.customData` in expressions). n8n keeps at most 10 keys per
 * execution, shared with every other node and the workflow's own Execution Data node, so the node
 * uses two: the ids, and how many there are.
 */
export const TASK_IDS_KEY = 'octopusx_task_ids';
export const TASK_COUNT_KEY = 'octopusx_task_count';

/**
 * n8n cuts values at 512 characters, but logs an error ("over 512 characters") for any value over
 * 255: staying at 255 keeps the log clean. Ids that do not fit are left out; the count still
 * counts them.
 */
export const MAX_IDS_CHARS = 255;

export interface TaskIdsValue {
	ids: string;
	count: number;
}

/** The two values after one more task: the id appended while it fits, the count always raised. */
export function withTaskId(
	currentIds: unknown,
	currentCount: unknown,
	taskId: string,
): TaskIdsValue {
	const ids = typeof currentIds === 'string' ? currentIds : '';
	const counted = Number(currentCount);
	// Without a readable count (first task, or the count key was refused), count what the list holds.
	const before =
		Number.isInteger(counted) && counted >= 0 ? counted : ids ? ids.split(',').length : 0;
	const longer = ids ? `${ids},${taskId}` : taskId;
	return { ids: longer.length <= MAX_IDS_CHARS ? longer : ids, count: before + 1 };
}
