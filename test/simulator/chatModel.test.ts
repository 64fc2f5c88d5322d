import { OctopusSimulator } from './index';

/**
 * The scripted chat model, over HTTP as n8n's OpenAI Chat Model calls it: a tool call first (only the
 * arguments the offered tool declares), then a final message that quotes the tool's result.
 */
describe('the simulator as an OpenAI-compatible chat model', () => {
	let sim: OctopusSimulator;
	beforeAll(async () => {
		sim = await OctopusSimulator.start();
	});
	afterAll(() => sim.stop());
	beforeEach(() => sim.reset());

	const parameters = {
		type: 'object',
		properties: { prompt: { type: 'string' }, video_url: { type: 'string' } },
	};

	async function post(path: string, body: unknown, key = 'sk-any') {
		const res = await fetch(`${sim.baseUrl}${path}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading answers of two shapes
		return { status: res.status, body: (await res.json()) as Record<string, any> };
	}

	it('Responses API: calls the OctopusX tool with the declared arguments, then quotes its result', async () => {
		const tools = [
			{ type: 'function', name: 'Other', parameters },
			{ type: 'function', name: 'OctopusX', parameters },
		];
		const first = await post('/v1/responses', {
			model: 'm',
			input: [{ role: 'user', content: 'make it snow' }],
			tools,
		});
		expect(first.status).toBe(200);
		const [call] = first.body.output;
		expect(call).toMatchObject({ type: 'function_call', name: 'OctopusX' });
		expect(JSON.parse(call.arguments)).toEqual({
			prompt: expect.stringContaining('snowy'),
			video_url: `${sim.cdnBaseUrl}/public/source.mp4`,
		});

		const second = await post('/v1/responses', {
			model: 'm',
			input: [
				{ role: 'user', content: 'make it snow' },
				call,
				{ type: 'function_call_output', call_id: call.call_id, output: '{"task_id":"video_1"}' },
			],
			tools,
		});
		expect(second.body.output[0].content[0].text).toBe(
			'The video is ready. The OctopusX tool returned: {"task_id":"video_1"}',
		);
		expect(sim.requestsTo('chat')).toHaveLength(2);
		expect(sim.chatRequests()[0].tools).toEqual(tools);
	});

	it('Chat Completions: the same script in that shape', async () => {
		sim.setChatScript({ toolArguments: { prompt: 'p', video_url: 'https://v.example/a.mp4' } });
		const tools = [{ type: 'function', function: { name: 'OctopusX', parameters } }];
		const first = await post('/v1/chat/completions', {
			model: 'm',
			messages: [{ role: 'user', content: 'go' }],
			tools,
		});
		const message = first.body.choices[0].message;
		expect(first.body.choices[0].finish_reason).toBe('tool_calls');
		expect(JSON.parse(message.tool_calls[0].function.arguments)).toEqual({
			prompt: 'p',
			video_url: 'https://v.example/a.mp4',
		});

		const second = await post('/v1/chat/completions', {
			model: 'm',
			messages: [
				{ role: 'user', content: 'go' },
				message,
				{ role: 'tool', tool_call_id: message.tool_calls[0].id, content: 'done' },
			],
			tools,
		});
		expect(second.body.choices[0]).toMatchObject({
			finish_reason: 'stop',
			message: {
				role: 'assistant',
				content: 'The video is ready. The OctopusX tool returned: done',
			},
		});
	});

	it('refuses a request without a key, and streaming it cannot do', async () => {
		const res = await fetch(`${sim.baseUrl}/v1/chat/completions`, { method: 'POST', body: '{}' });
		expect(res.status).toBe(401);
		const streamed = await post('/v1/responses', { model: 'm', input: [], stream: true });
		expect(streamed.status).toBe(400);
	});

	it('serves the public source video on the cdn host, without a signature', async () => {
		const res = await fetch(`${sim.cdnBaseUrl}/public/source.mp4`);
		expect(res.status).toBe(200);
		const bytes = Buffer.from(await res.arrayBuffer());
		expect(bytes.length).toBe(64 * 1024);
		expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
	});
});
