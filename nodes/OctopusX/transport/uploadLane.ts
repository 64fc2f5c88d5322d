/** Below this rate an upload is held back by its link, not by the node: 20 MB/s, in bytes per ms. */
const SLOW_BYTES_PER_MS = 20_000;
/**
 * An upload's rate is judged once it has run this long: past the burst its socket's buffers take
 * at once, and past a pause of the whole process (a collection, another node's work). A fast link
 * hands a 20 MB body over in about this time.
 */
const JUDGED_AFTER_MS = 250;

/**
 * The uploads of one run begin in turn while the link is fast: an upload begins once every earlier
 * one has handed all its bytes over. The bodies so arrive one after another, and OctopusX reads the
 * first while the others are still on their way, instead of all of them arriving at the end
 * together. Once an upload is found slower than 20 MB/s, the link is what limits and a connection
 * of its own may be too: from then on the run's uploads go side by side, as many as admitted.
 */
export class UploadLane {
	private readonly begun: object[] = [];
	private waiting: Array<() => void> = [];
	private sideBySide = false;

	join(now: () => number = Date.now): LaneTicket {
		const me = {};
		this.begun.push(me);
		let beganAt = 0;
		return {
			begin: async () => {
				while (!this.sideBySide && this.begun[0] !== me) {
					await new Promise<void>((resolve) => this.waiting.push(resolve));
				}
				beganAt = now();
			},
			handedOver: (bytes) => {
				if (this.sideBySide) return;
				const ms = now() - beganAt;
				if (ms >= JUDGED_AFTER_MS && bytes < ms * SLOW_BYTES_PER_MS) {
					this.sideBySide = true;
					this.changed();
				}
			},
			leave: () => {
				const at = this.begun.indexOf(me);
				if (at < 0) return;
				this.begun.splice(at, 1);
				this.changed();
			},
		};
	}

	private changed() {
		const waiting = this.waiting;
		this.waiting = [];
		for (const wake of waiting) wake();
	}
}

export interface LaneTicket {
	/** Resolves once every upload that joined before is done, or at once on a slow link. */
	begin: () => Promise<void>;
	/** How many bytes of its body this upload has handed over so far. */
	handedOver: (bytes: number) => void;
	/** Done, or cut off. */
	leave: () => void;
}
