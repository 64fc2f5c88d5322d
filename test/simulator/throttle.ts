/**
 * Per-connection bandwidth limit. Each socket gets one bucket per direction, so concurrent transfers
 * each run at the configured rate independently, and upload and download do not share a budget.
 */
import type { Socket } from 'node:net';

export type RateSource = () => number | undefined;

/** A token bucket that may go into debt: `take` says how long to wait before moving more bytes. */
export class TokenBucket {
	private tokens = 0;
	private last = performance.now();

	constructor(private readonly rate: RateSource) {}

	/** Spends `n` bytes; returns the wait in ms before the next transfer (0 when unthrottled). */
	take(n: number): number {
		const rate = this.rate();
		const now = performance.now();
		if (!rate || rate <= 0) {
			this.tokens = 0;
			this.last = now;
			return 0;
		}
		// A burst of at most 50 ms keeps the transfer smooth at any rate.
		const capacity = Math.max(1024, rate / 20);
		this.tokens = Math.min(capacity, this.tokens + ((now - this.last) * rate) / 1000);
		this.last = now;
		this.tokens -= n;
		return this.tokens >= 0 ? 0 : (-this.tokens / rate) * 1000;
	}
}

export interface ConnectionBuckets {
	read: TokenBucket;
	write: TokenBucket;
}

export class Throttle {
	private readonly buckets = new WeakMap<Socket, ConnectionBuckets>();

	constructor(readonly rate: RateSource) {}

	for(socket: Socket): ConnectionBuckets {
		let b = this.buckets.get(socket);
		if (!b) {
			b = { read: new TokenBucket(this.rate), write: new TokenBucket(this.rate) };
			this.buckets.set(socket, b);
		}
		return b;
	}

	/** Chunk size for writes: about 50 ms worth of bytes when throttled. */
	chunkSize(): number {
		const rate = this.rate();
		if (!rate || rate <= 0) return 256 * 1024;
		return Math.max(1024, Math.min(64 * 1024, Math.floor(rate / 20)));
	}
}
