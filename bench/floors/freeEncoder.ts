/**
 * The CPU floor of the streamed body: the built node (dist/) with its base64 encoder replaced by a
 * stand-in that costs next to nothing. It keeps the encoder's count of bytes (so the body has the
 * same length, the same pieces and the same checks) but writes no base64: each output buffer is
 * filled with 'A's once, the first time it is handed over. Everything else (reading the file from
 * n8n's binary store, the streams, the HTTP exchange) is the node's own. What a submit costs this
 * way is what no encoder, however fast, could take off the node's figure. The server receives a
 * video of zero bytes of the same length, which the simulator accepts.
 */
import type * as DataUriBody from '../../nodes/OctopusX/reference/dataUriBody';
import { built } from '../built';

/** The encoder's counters, private in TypeScript, plain properties at run time. */
interface Counters {
	received: number;
	carried: number;
}

export function useFreeEncoder(): void {
	const { Base64Pieces } = built.dataUriBody();
	const filled = new WeakSet<ArrayBufferLike>();
	Base64Pieces.prototype.next = function (
		this: DataUriBody.Base64Pieces,
		piece: Uint8Array,
		out: Uint8Array,
	): number {
		const counters = this as unknown as Counters;
		const groupsBefore = Math.floor(counters.received / 3);
		counters.received += piece.length;
		counters.carried = counters.received % 3;
		if (!filled.has(out.buffer)) {
			out.fill(0x41);
			filled.add(out.buffer);
		}
		return 4 * (Math.floor(counters.received / 3) - groupsBefore);
	};
}
