/**
 * What the editor sees of the package on a started n8n: the node's description, icons and codex, and the
 * credential test ("Test" in the credential dialog) through n8n's REST API.
 */
import { OctopusSimulator } from '../simulator';
import { SIM_CREDENTIAL, simCredential } from './expect';
import type { N8nInstance, RunningN8n } from './n8n';
import { CREDENTIAL_TYPE, NODE_TYPE } from './package';
import { describeE2E, newInstance } from './suite';

interface NodeTypeJson {
	name: string;
	displayName: string;
	icon?: unknown;
	iconUrl?: { light: string; dark: string } | string;
	codex?: { categories?: string[] };
	properties: Array<{ name: string }>;
}

describeE2E('OctopusX in a started n8n (REST API)', () => {
	let sim: OctopusSimulator;
	let n8n: N8nInstance;
	let server: RunningN8n;

	beforeAll(async () => {
		sim = await OctopusSimulator.start();
		n8n = newInstance();
		await n8n.importCredentials([simCredential(sim)]);
		server = await n8n.start();
		await server.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.stop();
	});

	beforeEach(() => sim.reset());

	const testCredential = async (apiKey: string) =>
		await server.request('POST', '/rest/credentials/test', {
			credentials: {
				...SIM_CREDENTIAL,
				type: CREDENTIAL_TYPE,
				data: { apiKey, baseUrl: sim.baseUrl },
			},
		});

	it('reports "Connection successful" for the right key', async () => {
		const answer = await testCredential(sim.apiKey);

		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({ data: { status: 'OK', message: 'Connection successful!' } });
		const calls = sim.requestsTo('models');
		expect(calls).toHaveLength(1);
		expect(calls[0].headers.authorization).toBe(`Bearer ${sim.apiKey}`);
	});

	it('reports the refusal for a wrong key', async () => {
		const answer = await testCredential('sk-wrong-key');

		expect(answer.status).toBe(200);
		const { data } = answer.body as { data: { status: string; message: string } };
		expect(data.status).toBe('Error');
		expect(data.message).not.toMatch(/successful/i);
		// n8n 1.x words every 401 of a credential test its own way.
		expect(data.message).toMatch(/Unauthorized|401|Invalid API key|Authorization failed/i);
		// n8n may ask more than once; every answer it got was the refusal.
		const statuses = sim.requestsTo('models').map((r) => r.status);
		expect(statuses.length).toBeGreaterThan(0);
		expect(statuses.every((s) => s === 401)).toBe(true);
	});

	it('serves the node description, its icons and its codex to the editor', async () => {
		const answer = await server.request('GET', '/types/nodes.json');
		expect(answer.status).toBe(200);
		const node = (answer.body as NodeTypeJson[]).find((t) => t.name === NODE_TYPE);
		expect(node).toBeDefined();
		expect(node!.displayName).toBe('OctopusX');
		expect(node!.properties.map((p) => p.name)).toEqual(
			expect.arrayContaining(['operation', 'model', 'prompt', 'videoSource', 'taskId', 'download']),
		);
		expect(node!.codex?.categories?.length).toBeGreaterThan(0);

		const icons = node!.iconUrl as { light: string; dark: string };
		expect(icons.light).not.toBe(icons.dark);
		for (const url of [icons.light, icons.dark]) {
			const icon = await fetch(`${server.baseUrl}/${url}`);
			expect(icon.status).toBe(200);
			expect(await icon.text()).toContain('<svg');
		}

		// The same node as an AI Agent's tool: its own tool descriptions, so n8n adds no generic one.
		const tool = (answer.body as NodeTypeJson[]).find((t) => t.name === `${NODE_TYPE}Tool`);
		const names = tool!.properties.map((p) => p.name);
		expect(names.filter((name) => name === 'toolDescription')).toHaveLength(3);
		expect(names).not.toContain('descriptionType');

		const credentials = await server.request('GET', '/types/credentials.json');
		const credential = (credentials.body as Array<{ name: string; iconUrl?: unknown }>).find(
			(c) => c.name === CREDENTIAL_TYPE,
		);
		expect(credential?.iconUrl).toBeDefined();
	});
});
