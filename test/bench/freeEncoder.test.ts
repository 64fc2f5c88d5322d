/**
 * The benchmark's CPU floor (bench/floors/freeEncoder.ts) replaces the built node's encoder. It is an
 * honest floor only if the body keeps its length and its pieces: the stand-in must write as many
 * bytes per piece as the real encoder, and the same last group.
 */
import { built as builtNode } from '../../bench/built';
import { useFreeEncoder } from '../../bench/floors/freeEncoder';

const built = builtNode.dataUriBody();

/** Bytes written for each piece, then the last group, for a file cut at the given sizes. */
function lengths(fileBytes: number, cuts: number[]): { pieces: number[]; end: string } {
	const base64 = new built.Base64Pieces(fileBytes);
	const out = Buffer.alloc(built.base64Room(fileBytes));
	const file = Buffer.alloc(fileBytes, 7);
	const pieces: number[] = [];
	let at = 0;
	for (const size of [...cuts, fileBytes]) {
		const next = Math.min(at + size, fileBytes);
		pieces.push(base64.next(file.subarray(at, next), out));
		at = next;
	}
	return { pieces, end: base64.end().toString('latin1').replace(/[^=]/g, '.') };
}

const CASES: Array<[number, number[]]> = [
	[0, []],
	[1, []],
	[2, [1]],
	[10, [1, 1, 1, 4]],
	[3 * 1024 + 2, [1000, 1, 2, 500]],
	[288 * 1024 * 3 + 1, [288 * 1024, 288 * 1024, 288 * 1024]],
];

test('the stand-in writes what the real encoder writes, piece for piece, and pads alike', () => {
	const real = CASES.map(([bytes, cuts]) => lengths(bytes, cuts));
	useFreeEncoder();
	const standIn = CASES.map(([bytes, cuts]) => lengths(bytes, cuts));
	expect(standIn).toEqual(real);
});

test('what the stand-in writes is valid base64', () => {
	useFreeEncoder();
	const base64 = new built.Base64Pieces(6);
	const out = Buffer.alloc(built.base64Room(6));
	const written = base64.next(Buffer.alloc(6, 9), out);
	expect(out.toString('latin1', 0, written)).toBe('AAAAAAAA');
});
