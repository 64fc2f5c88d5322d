/** Peak memory of this process during a piece of work, from `process.memoryUsage()` sampled every millisecond. */

export interface MemoryFigures {
	/** heapUsed + arrayBuffers just before the work, after a full collection. */
	before: number;
	/** The highest heapUsed + arrayBuffers seen during the work. */
	peak: number;
	/** peak - before: what the work added. */
	added: number;
	/** heapUsed and arrayBuffers at the moment of the peak, each minus its level before. */
	atPeak: { heapUsed: number; arrayBuffers: number };
	/** The highest RSS seen during the work (this process's view; the parent also has /usr/bin/time's). */
	peakRss: number;
	samples: number;
}

export function heapAndBuffers(): number {
	const m = process.memoryUsage();
	return m.heapUsed + m.arrayBuffers;
}

/** Two full collections (the process runs with --expose-gc), so `before` holds live data only. */
export function collect(): void {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('Run measurement processes with --expose-gc');
	gc();
	gc();
}

export async function measurePeak<T>(
	work: () => Promise<T>,
): Promise<{ result: T; memory: MemoryFigures }> {
	collect();
	const start = process.memoryUsage();
	const before = start.heapUsed + start.arrayBuffers;
	let peak = before;
	const atPeak = { heapUsed: 0, arrayBuffers: 0 };
	let peakRss = 0;
	let samples = 0;
	const sample = () => {
		const m = process.memoryUsage();
		if (m.heapUsed + m.arrayBuffers > peak) {
			peak = m.heapUsed + m.arrayBuffers;
			atPeak.heapUsed = m.heapUsed - start.heapUsed;
			atPeak.arrayBuffers = m.arrayBuffers - start.arrayBuffers;
		}
		peakRss = Math.max(peakRss, m.rss);
		samples++;
	};
	const timer = setInterval(sample, 1);
	sample();
	try {
		const result = await work();
		sample();
		return { result, memory: { before, peak, added: peak - before, atPeak, peakRss, samples } };
	} finally {
		clearInterval(timer);
	}
}

/** CPU time (user + system) of this process during the work, in milliseconds. */
export async function measureCpu<T>(
	work: () => Promise<T>,
): Promise<{ result: T; userMs: number; systemMs: number }> {
	const start = process.cpuUsage();
	const result = await work();
	const used = process.cpuUsage(start);
	return { result, userMs: used.user / 1000, systemMs: used.system / 1000 };
}
