/**
 * A scripted OpenAI-compatible chat model, for n8n's AI Agent with its OpenAI Chat Model pointed at the
 * simulator. It is stateless, as the real API is: a conversation without a tool result yet gets a call
 * to the OctopusX tool; one that holds a tool result gets a final message quoting it. Both APIs n8n's
 * OpenAI Chat Model speaks are answered: the Responses API (`POST /v1/responses`, its default since
 * node version 1.3) and Chat Completions (`POST /v1/chat/completions`, with "Use Responses API" off).
 */

/** What the model puts into the tool call, by argument name; names the tool does not have are left out. */
export interface ChatScript {
	toolArguments: Record<string, unknown>;
	/** Prefix of the final message, before the quoted tool result. */
	finalPrefix: string;
}

export const FINAL_PREFIX = 'The video is ready. The OctopusX tool returned: ';

export function defaultChatScript(cdnBaseUrl: string): ChatScript {
	return {
		toolArguments: {
			prompt:
				'Keep the camera path, timing and motion of the source video; turn it into a snowy winter morning',
			video_url: `${cdnBaseUrl}/public/source.mp4`,
			duration_seconds: 6,
			aspect_ratio: '9:16',
			resolution: '1080p',
		},
		finalPrefix: FINAL_PREFIX,
	};
}

type Json = Record<string, unknown>;

export interface ChatTool {
	name: string;
	description?: string;
	parameters?: { properties?: Record<string, { type?: string; description?: string }> };
}

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The function tools offered, in either API's shape. */
export function offeredTools(body: Json): ChatTool[] {
	const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
	return tools.map((tool) => {
		// Chat Completions nests the function; the Responses API does not.
		const fn = isObject(tool.function) ? tool.function : tool;
		return {
			name: String(fn.name),
			description: typeof fn.description === 'string' ? fn.description : undefined,
			parameters: isObject(fn.parameters) ? (fn.parameters as ChatTool['parameters']) : undefined,
		};
	});
}

/** The tool result in the conversation, if any: a `tool` message or a `function_call_output` item. */
export function toolResult(body: Json): string | undefined {
	const turns = [
		...(Array.isArray(body.messages) ? body.messages : []),
		...(Array.isArray(body.input) ? body.input : []),
	].filter(isObject);
	for (const turn of turns.reverse()) {
		if (turn.role === 'tool') return textOf(turn.content);
		if (turn.type === 'function_call_output') return textOf(turn.output);
	}
	return undefined;
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content
			.map((part) => (isObject(part) ? String(part.text ?? '') : String(part)))
			.join('');
	}
	return JSON.stringify(content);
}

function pickTool(tools: ChatTool[]): ChatTool | undefined {
	return tools.find((t) => /octopus/i.test(t.name)) ?? tools[0];
}

/** The arguments the model sends: the scripted value for each parameter the tool declares. */
export function toolArguments(tool: ChatTool, script: ChatScript): Json {
	const declared = Object.keys(tool.parameters?.properties ?? {});
	const args: Json = {};
	for (const name of declared) {
		if (name in script.toolArguments) args[name] = script.toolArguments[name];
	}
	return args;
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}_sim${(++counter).toString().padStart(6, '0')}`;

const usage = { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 };

/** The answer to one request, or an error message (answered 400) for what the script cannot do. */
export function chatAnswer(
	api: 'chat' | 'responses',
	body: Json,
	script: ChatScript,
): { answer: Json } | { error: string } {
	if (body.stream === true) return { error: 'The simulator answers without streaming only' };
	const model = typeof body.model === 'string' ? body.model : 'gpt-sim';
	const created = Math.floor(Date.now() / 1000);
	const result = toolResult(body);
	let call: { id: string; name: string; arguments: string } | undefined;
	let text: string | undefined;
	if (result === undefined) {
		const tool = pickTool(offeredTools(body));
		if (!tool)
			return { error: 'No tool offered: the scripted model wants to call the OctopusX tool' };
		call = {
			id: nextId('call'),
			name: tool.name,
			arguments: JSON.stringify(toolArguments(tool, script)),
		};
	} else {
		text = `${script.finalPrefix}${result}`;
	}

	if (api === 'chat') {
		const message = call
			? {
					role: 'assistant',
					content: null,
					tool_calls: [
						{
							id: call.id,
							type: 'function',
							function: { name: call.name, arguments: call.arguments },
						},
					],
				}
			: { role: 'assistant', content: text };
		return {
			answer: {
				id: nextId('chatcmpl'),
				object: 'chat.completion',
				created,
				model,
				choices: [
					{ index: 0, message, finish_reason: call ? 'tool_calls' : 'stop', logprobs: null },
				],
				usage,
			},
		};
	}
	const output = call
		? {
				type: 'function_call',
				id: nextId('fc'),
				call_id: call.id,
				name: call.name,
				arguments: call.arguments,
				status: 'completed',
			}
		: {
				type: 'message',
				id: nextId('msg'),
				role: 'assistant',
				status: 'completed',
				content: [{ type: 'output_text', text, annotations: [] }],
			};
	return {
		answer: {
			id: nextId('resp'),
			object: 'response',
			created_at: created,
			status: 'completed',
			model,
			output: [output],
			parallel_tool_calls: true,
			usage: { input_tokens: 12, output_tokens: 8, total_tokens: 20 },
		},
	};
}
