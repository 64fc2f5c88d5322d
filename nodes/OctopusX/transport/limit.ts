/** How many requests of each kind the node has in flight at once, across the items of one execution. */
export const AT_ONCE = {
	/** Each upload holds its encoded body (up to about 20 MB) in memory while it is sent. */
	uploads: 5,
	statusChecks: 8,
	downloads: 5,
} as const;

/** Runs at most `max` of the given tasks at the same time; the rest wait their turn, in order. */
export function createLimiter(max: number) {
	let running = 0;
	const waiting: Array<() => void> = [];
	// A finishing task hands its slot straight to the next waiter, so no newcomer can slip in between.
	const release = () => {
		const next = waiting.shift();
		if (next) next();
		else running--;
	};
	return async function limit<T>(task: () => Promise<T>): Promise<T> {
		if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
		else running++;
		try {
			return await task();
		} finally {
			release();
		}
	};
}
