/**
 * OctopusX in one node, in a real n8n: as a tool that n8n's AI Agent calls (its OpenAI Chat Model
 * pointed at the simulator's scripted chat endpoint), and Submit with "Wait for Completion" in an
 * ordinary workflow, file in and video out.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { OctopusSimulator } from '../simulator';
import { defaultChatScript, FINAL_PREFIX, offeredTools, toolResult } from '../simulator/chatModel';
import { setParameter, SIM_CREDENTIAL, simCredential, succeeded } from './expect';
import { sha256, testMp4 } from './media';
import { nodeOutput, type N8nInstance } from './n8n';
import { describeE2E, newInstance } from './suite';
import { EXAMPLES_DIR, loadWorkflow, TEST_WORKFLOWS_DIR } from './workflows';

/** The example's OpenAI credential, pointed at the simulator. Any key: the test reads it back. */
const OPENAI_CREDENTIAL = { id: 'openAiCredential01', name: 'OpenAI account' };
const OPENAI_KEY = 'sk-openai-sim-4e7d2c9a1b';

describeE2E('OctopusX in one node, in a real n8n', () => {
	let sim: OctopusSimulator;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sim = await OctopusSimulator.start({ taskDurationMs: 1500 });
		n8n = newInstance();
		await n8n.importCredentials([
			simCredential(sim),
			{
				...OPENAI_CREDENTIAL,
				type: 'openAiApi',
				data: { apiKey: OPENAI_KEY, url: `${sim.baseUrl}/v1` },
			},
		]);
		const fit = { credential: SIM_CREDENTIAL, filesDir: n8n.filesDir };
		const agent = loadWorkflow(join(EXAMPLES_DIR, 'ai-agent-video-tool.json'), fit);
		setParameter(agent, 'OctopusX', ['options', 'pollInterval'], 1);
		const oneNode = loadWorkflow(join(TEST_WORKFLOWS_DIR, 'submit-and-wait.json'), fit);
		await n8n.importWorkflows([agent, oneNode]);
		mkdirSync(join(n8n.filesDir, 'one-node'), { recursive: true });
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.stop();
	});

	beforeEach(() => sim.reset());

	it('the AI Agent calls OctopusX with the model’s arguments and answers with the video_url', async () => {
		const run = succeeded(await n8n.execute('octopusxAiAgentTool', { timeoutMs: 240_000 }));

		// The model saw one tool, whose parameters carry the descriptions written for a model.
		const chats = sim.chatRequests();
		expect(chats).toHaveLength(2);
		expect(sim.requestsTo('chat')[0].path).toBe('/v1/responses');
		expect(sim.requestsTo('chat')[0].headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
		const [tool] = offeredTools(chats[0]);
		expect(offeredTools(chats[0])).toHaveLength(1);
		expect(tool.name).toBe('OctopusX');
		// The node's own description of its Submit tool, not n8n's generic one.
		expect(tool.description).toMatch(/^Generates a new video from a public MP4 URL and a prompt/);
		const properties = tool.parameters?.properties ?? {};
		expect(Object.keys(properties).sort()).toEqual([
			'aspect_ratio',
			'duration_seconds',
			'prompt',
			'resolution',
			'video_url',
		]);
		expect(properties.prompt.description).toMatch(/camera path/);
		expect(properties.video_url.description).toMatch(/public http or https address/);
		expect(properties.duration_seconds.type).toBe('number');

		// Exactly one task, submitted with what the model put into its tool call.
		const args = JSON.parse(
			String(
				(chats[1].input as Array<Record<string, unknown>>).find((t) => t.type === 'function_call')
					?.arguments,
			),
		) as Record<string, unknown>;
		expect(args.video_url).toBe(`${sim.cdnBaseUrl}/public/source.mp4`);
		const submits = sim.requestsTo('submit');
		expect(submits).toHaveLength(1);
		expect(submits[0].json).toEqual({
			model: 'omni-fast-v2v',
			prompt: args.prompt,
			video: args.video_url,
			seconds: String(args.duration_seconds),
			aspect_ratio: args.aspect_ratio,
			resolution: args.resolution,
		});
		const [task] = sim.tasks.values();

		// What the tool answered: small JSON with the finished task, no file contents, no download.
		const answer = toolResult(chats[1]) ?? '';
		expect(JSON.parse(answer)).toEqual([
			{ task_id: task.id, status: 'completed', progress: 100, video_url: expect.any(String) },
		]);
		expect(answer.length).toBeLessThan(600);
		expect(sim.requestsTo('cdn')).toHaveLength(0);

		// The agent's final answer holds the task's video_url.
		const videoUrl = (JSON.parse(answer) as Array<{ video_url: string }>)[0].video_url;
		expect(videoUrl.startsWith(`${sim.cdnBaseUrl}/files/${task.id}.mp4?`)).toBe(true);
		const [final] = nodeOutput(run, 'AI Agent');
		expect(final.json.output).toBe(`${FINAL_PREFIX}${answer}`);
		expect(String(final.json.output)).toContain(videoUrl);
	});

	it('a failed task: the agent is told what failed, with the task id and what to do', async () => {
		sim.setChatScript({
			toolArguments: {
				...defaultChatScript(sim.cdnBaseUrl).toolArguments,
				prompt: 'Turn it into a snowy winter morning [sim:fail]',
			},
		});

		const run = succeeded(await n8n.execute('octopusxAiAgentTool', { timeoutMs: 240_000 }));

		expect(sim.requestsTo('submit')).toHaveLength(1);
		const [task] = sim.tasks.values();
		const answer = JSON.parse(toolResult(sim.chatRequests()[1]) ?? '') as unknown;
		expect(answer).toMatchObject([
			{
				error: `Task ${task.id} failed: Generation failed: the reference video could not be decoded [generation_failed]`,
				description: expect.stringMatching(/submit again/),
				task_id: task.id,
				code: 'generation_failed',
			},
		]);
		expect(String(nodeOutput(run, 'AI Agent')[0].json.output)).toContain(task.id);
	});

	it('a bad argument from the model: the argument, by its name, and the fix come back, nothing is submitted', async () => {
		sim.setChatScript({
			toolArguments: { ...defaultChatScript(sim.cdnBaseUrl).toolArguments, aspect_ratio: '4:3' },
		});

		succeeded(await n8n.execute('octopusxAiAgentTool', { timeoutMs: 240_000 }));

		expect(sim.requestsTo('submit')).toHaveLength(0);
		const answer = JSON.parse(toolResult(sim.chatRequests()[1]) ?? '') as unknown;
		expect(answer).toEqual([
			{
				// The model knows its argument aspect_ratio, not the editor's label 'Aspect Ratio'.
				error: `Argument 'aspect_ratio' is "4:3", which OctopusX does not take`,
				description: expect.stringMatching(
					/^Use one of: 16:9, 9:16\..* Call the tool again with a corrected 'aspect_ratio' \(the editor calls this parameter 'Aspect Ratio'\)\.$/,
				),
			},
		]);
	});

	it('Submit with Wait for Completion: one node turns the file into the generated video, byte for byte', async () => {
		const input = testMp4('one node input', 120 * 1024);
		writeFileSync(join(n8n.filesDir, 'one-node', 'input.mp4'), input);

		const run = succeeded(await n8n.execute('e2eSubmitAndWait'));

		expect(sim.requestsTo('submit')).toHaveLength(1);
		expect(sim.requestsTo('submit')[0].json).toMatchObject({
			video: { dataUri: true, bytes: input.length, sha256: sha256(input) },
		});
		const [done] = nodeOutput(run, 'Restyle Video');
		const [task] = sim.tasks.values();
		expect(done.json).toMatchObject({ id: task.id, status: 'completed' });
		expect(done.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${task.id}.mp4` });
		const written = readFileSync(join(n8n.filesDir, 'one-node', `${task.id}.mp4`));
		expect(written.equals(sim.resultFor(task.id))).toBe(true);
	});
});
