import { readTaskStatus, stateOf } from '../../nodes/OctopusX/task/taskStatus';

describe('stateOf', () => {
	it.each([
		['completed', 'succeeded'],
		['succeeded', 'succeeded'],
		['COMPLETED', 'succeeded'],
		['failed', 'failed'],
		['cancelled', 'failed'],
		['canceled', 'failed'],
		['error', 'failed'],
		['queued', 'running'],
		['in_progress', 'running'],
		['processing', 'running'],
		['some_new_word', 'running'],
	])('%s → %s', (word, state) => expect(stateOf(word)).toBe(state));
});

describe('readTaskStatus', () => {
	it('reads the documented answer', () => {
		const status = readTaskStatus(
			{
				id: 'video_1',
				task_id: 'video_1',
				status: 'completed',
				progress: 100,
				video_url: 'https://cdn/x.mp4',
			},
			'video_1',
		);
		expect(status).toMatchObject({
			id: 'video_1',
			state: 'succeeded',
			progress: 100,
			videoUrl: 'https://cdn/x.mp4',
		});
	});

	it('fills video_url from data[0].url', () => {
		const status = readTaskStatus(
			{ id: 'v', status: 'succeeded', video_url: '', data: [{ url: 'https://cdn/y.mp4' }] },
			'v',
		);
		expect(status?.videoUrl).toBe('https://cdn/y.mp4');
		expect(status?.json.video_url).toBe('https://cdn/y.mp4');
	});

	it('tolerates missing fields and keeps the requested id', () => {
		const status = readTaskStatus({ status: 'queued' }, 'video_9');
		expect(status).toMatchObject({
			id: 'video_9',
			status: 'queued',
			state: 'running',
			progress: undefined,
		});
		expect(status?.json).toMatchObject({ id: 'video_9', task_id: 'video_9' });
	});

	it('carries the API error of a failed task', () => {
		const status = readTaskStatus(
			{ id: 'v', status: 'failed', error: { message: 'bad input', code: 'generation_failed' } },
			'v',
		);
		expect(status).toMatchObject({
			state: 'failed',
			errorMessage: 'bad input',
			errorCode: 'generation_failed',
		});
	});

	it('refuses what is not a status answer', () => {
		expect(readTaskStatus('<html>502</html>', 'v')).toBeUndefined();
		expect(readTaskStatus({ id: 'v' }, 'v')).toBeUndefined();
		expect(readTaskStatus(null, 'v')).toBeUndefined();
		expect(readTaskStatus([{ status: 'completed' }], 'v')).toBeUndefined();
	});
});
