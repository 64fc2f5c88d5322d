import { testCredentialsRequest } from '../harness';
import {
	CREDENTIAL_NAME,
	KEY,
	errorFields,
	getStatus,
	run,
	submit,
	videoItem,
	waitUntilDone,
	withSim,
} from './support';

/** A refused key: the error names the credential, says what to do, and never shows the key. */
const WRONG_KEY = 'sk-octo-WRONGKEY-5b1d9e7a3c2f8e4d6a0b';

describe('401 / 403', () => {
	test.concurrent(
		'a wrong key on Submit: "the API key was refused", naming the credential; asked once',
		async () => {
			await withSim(async (sim) => {
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
					credentials: { apiKey: WRONG_KEY, baseUrl: sim.baseUrl },
				});

				expect(result.error?.message).toBe(
					`OctopusX refused the API key of credential '${CREDENTIAL_NAME}' (HTTP 401)`,
				);
				expect(result.error?.description).toMatch(
					/^The API key was refused with 'Invalid API key provided'/,
				);
				expect(result.error?.description).toContain(`Open the credential '${CREDENTIAL_NAME}'`);
				expect(result.error?.httpCode).toBe('401');
				expect(sim.requestsTo('submit')).toHaveLength(1);
				expect(sim.requestsTo('submit')[0].headers.authorization).toBe(`Bearer ${WRONG_KEY}`);
				expect(sim.tasks.size).toBe(0);
			});
		},
	);

	test.concurrent('a server that echoes the refused key: the key is not shown', async () => {
		await withSim(async (sim) => {
			sim.inject('submit', {
				kind: 'status',
				status: 401,
				body: {
					error: {
						message: `Incorrect API key provided: ${KEY}. You can find your API key in your account.`,
						type: 'invalid_request_error',
						code: 'invalid_api_key',
					},
				},
			});
			const result = await run(sim, { parameters: submit('a rainy night'), items: [videoItem()] });

			expect(result.error?.message).toContain('refused the API key');
			expect(result.error?.description).toContain('Incorrect API key provided: [redacted]');
		});
	});

	test.concurrent(
		'403 on a poll: an error at once, naming the credential and the task',
		async () => {
			await withSim(async (sim) => {
				sim.inject('status', { kind: 'status', status: 403 }, 5);
				const result = await run(sim, {
					parameters: submit('a rainy night'),
					items: [videoItem()],
					chain: [{ parameters: waitUntilDone(), onError: 'continueRegularOutput' }],
				});

				const [task] = sim.tasks.values();
				expect(errorFields(result.outputs[0][0])).toMatchObject({
					error: `OctopusX refused the API key of credential '${CREDENTIAL_NAME}' (HTTP 403) (task ${task.id})`,
					task_id: task.id,
					http_code: '403',
				});
				expect(sim.requestsTo('status')).toHaveLength(1);
			});
		},
	);

	test.concurrent('403 on Get Status: an error at once', async () => {
		await withSim(async (sim) => {
			sim.inject('status', { kind: 'status', status: 403 }, 5);
			const result = await run(sim, { parameters: getStatus('video_abc123') });

			expect(result.error?.message).toBe(
				`OctopusX refused the API key of credential '${CREDENTIAL_NAME}' (HTTP 403) (task video_abc123)`,
			);
			expect(sim.requestsTo('status')).toHaveLength(1);
		});
	});

	test.concurrent(
		"the credential's Test with a wrong key: refused, the key not shown",
		async () => {
			await withSim(async (sim) => {
				const answer = await testCredentialsRequest({ apiKey: WRONG_KEY, baseUrl: sim.baseUrl });
				expect(answer.status).toBe('Error');
				expect(JSON.stringify(answer)).not.toContain(WRONG_KEY);
				// (n8n's credential test may ask twice after a 401; listing models is free.)
				expect(sim.requestsTo('models').length).toBeGreaterThan(0);
			});
		},
	);
});
