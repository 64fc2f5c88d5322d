import { binaryBytes } from '../../nodes/OctopusX/record';

describe('binaryBytes: a stored video’s size for the log', () => {
	test('n8n’s own count where it gives one', () => {
		expect(
			binaryBytes({
				data: 'filesystem-v2',
				id: 'filesystem-v2:x',
				bytes: 262144,
				mimeType: 'video/mp4',
			}),
		).toBe(262144);
	});

	test('in memory without a count (n8n 1.x): the base64 text’s decoded length', () => {
		for (const size of [0, 1, 2, 3, 1000, 1001, 1002]) {
			const data = Buffer.alloc(size, 7).toString('base64');
			expect(binaryBytes({ data, mimeType: 'video/mp4' })).toBe(size);
		}
	});

	test('a stored file without a count: unknown', () => {
		expect(
			binaryBytes({ data: 'filesystem-v2', id: 'filesystem:abc', mimeType: 'video/mp4' }),
		).toBeUndefined();
		expect(binaryBytes(undefined)).toBeUndefined();
	});
});
