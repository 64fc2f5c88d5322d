import { toolAnswer } from '../../nodes/OctopusX/result/toolAnswer';

describe('toolAnswer: what an AI Agent gets back', () => {
	it('keeps task id, status, progress and video_url, and drops the rest', () => {
		expect(
			toolAnswer({
				id: 'video_1',
				task_id: 'video_1',
				status: 'completed',
				progress: 100,
				video_url: 'https://cdn.example/v.mp4',
				model: 'omni-fast-v2v',
				prompt: 'a long prompt echoed back',
				created_at: 1,
				data: [{ url: 'https://cdn.example/v.mp4' }],
			}),
		).toEqual({
			task_id: 'video_1',
			status: 'completed',
			progress: 100,
			video_url: 'https://cdn.example/v.mp4',
		});
	});

	it('a queued task has no video_url yet; a failed one keeps its error', () => {
		expect(toolAnswer({ id: 'video_2', status: 'queued', progress: 0, video_url: null })).toEqual({
			task_id: 'video_2',
			status: 'queued',
			progress: 0,
		});
		const error = { message: 'could not decode', code: 'generation_failed' };
		expect(toolAnswer({ task_id: 'video_3', status: 'failed', error })).toEqual({
			task_id: 'video_3',
			status: 'failed',
			error,
		});
	});
});
