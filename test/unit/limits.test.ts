import { describeFileType, looksLikeMp4 } from '../../nodes/OctopusX/reference/limits';

describe('looksLikeMp4', () => {
	it('accepts an ftyp box at offset 4, whatever the brand', () => {
		expect(looksLikeMp4(Buffer.from('\0\0\0\x18ftypisom\0\0\x02\0'))).toBe(true);
		expect(looksLikeMp4(Buffer.from('\0\0\0\x20ftypmp42'))).toBe(true);
	});
	it('refuses other files', () => {
		expect(looksLikeMp4(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'))).toBe(false);
		expect(looksLikeMp4(Buffer.from('ftyp'))).toBe(false);
		expect(looksLikeMp4(Buffer.alloc(0))).toBe(false);
	});
	it('names common impostors', () => {
		expect(describeFileType(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'))).toBe('a PNG image');
		expect(describeFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('a JPEG image');
		expect(describeFileType(Buffer.from('hello'))).toBeUndefined();
	});
});
