import { MAX_IDS_CHARS, withTaskId } from '../../nodes/OctopusX/record/customDataValue';

describe('the task ids as custom data values', () => {
	test('the first task starts the list and the count', () => {
		expect(withTaskId(undefined, undefined, 'video_a')).toEqual({ ids: 'video_a', count: 1 });
	});

	test('later tasks are appended, comma-separated, and counted', () => {
		expect(withTaskId('video_a,video_b', '2', 'video_c')).toEqual({
			ids: 'video_a,video_b,video_c',
			count: 3,
		});
	});

	test('an id that would pass 255 characters is left out of the list; the count still counts it', () => {
		const full = Array.from({ length: 10 }, (_, i) => `video_${String(i).padStart(18, '0')}`).join(
			',',
		);
		expect(full.length).toBeLessThanOrEqual(MAX_IDS_CHARS);
		const next = withTaskId(full, 10, `video_${'x'.repeat(18)}`);
		expect(next).toEqual({ ids: full, count: 11 });
		expect(MAX_IDS_CHARS).toBe(255);
	});

	test('without a readable count (its key refused by the 10-key limit) the list is counted', () => {
		expect(withTaskId('video_a,video_b', undefined, 'video_c').count).toBe(3);
		expect(withTaskId('video_a', 'many', 'video_b').count).toBe(2);
	});
});
