import { fromAi, fromAiKey, wordForModel } from '../../nodes/OctopusX/actions/toolMode';

describe("tool mode: errors in the model's words", () => {
	test("the model's argument is read from the parameter's $fromAI expression", () => {
		expect(fromAiKey(fromAi('duration_seconds', 'Length in seconds', 'number'))).toBe(
			'duration_seconds',
		);
		expect(fromAiKey("={{ $fromAI('clip_url', `the clip`) }}")).toBe('clip_url');
		expect(fromAiKey(45)).toBeUndefined();
		expect(fromAiKey('={{ $json.seconds }}')).toBeUndefined();
	});

	test('the label in the message becomes the argument; the description says what to do', () => {
		expect(
			wordForModel(
				'duration_seconds',
				'Duration (Seconds)',
				"'Duration (Seconds)' is 45, outside what OctopusX takes",
				'Use a whole number of seconds from 4 to 30.',
			),
		).toEqual({
			message: "Argument 'duration_seconds' is 45, outside what OctopusX takes",
			description:
				"Use a whole number of seconds from 4 to 30. Call the tool again with a corrected 'duration_seconds' (the editor calls this parameter 'Duration (Seconds)').",
		});
	});

	test('a message without the label gets the argument in front', () => {
		expect(wordForModel('video_url', 'Video URL', 'Not an MP4', undefined).message).toBe(
			"Argument 'video_url': Not an MP4",
		);
	});
});
