/**
 * Refreshes the editor screenshots in docs/, one per operation, from a real n8n editor against the
 * simulator: the canonical example workflow run once, with Submit's panel open (docs/screenshot.png)
 * and Wait Until Done's (docs/screenshot-wait-until-done.png); then, as a user adds them from the
 * nodes panel, each on a clean canvas after the example's first nodes: a new Get Status and a new
 * Wait Until Done after a pinned Submit (docs/screenshot-get-status.png,
 * docs/screenshot-wait-until-done-new.png), and a new Submit with Wait for Completion on
 * (docs/screenshot-submit-waiting.png), with its options listed (docs/screenshot-submit-options.png).
 *
 *   npm run build && npx tsx scripts/screenshot.ts [output folder]
 *
 * Needs Debian's Chromium (`apt-get install -y chromium`), driven headless by playwright-core.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { freePort } from '../test/e2e/n8n';
import { REPO_ROOT } from '../test/e2e/runtime';
import { startDevEnvironment } from './devEnvironment';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const WORKFLOW_ID = 'octopusxVideoToVideo';
const NODE_NAME = 'Submit Video Task';

async function main(): Promise<void> {
	const outDir = process.argv[2] ?? join(REPO_ROOT, 'docs');
	mkdirSync(outDir, { recursive: true });
	const env = await startDevEnvironment({ port: await freePort(), taskSeconds: 2 });
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
	});
	try {
		const page = await browser.newPage({
			viewport: { width: 1440, height: 900 },
			deviceScaleFactor: 1,
			colorScheme: 'light',
		});
		page.setDefaultTimeout(60_000);

		await page.goto(`${env.url}/signin`);
		await page.fill('#emailOrLdapLoginId', env.owner.email);
		await page.fill('#password', env.owner.password);
		await page.click('[data-test-id="form-submit-button"]');
		await page.waitForURL((url) => !url.pathname.includes('signin'));

		await page.goto(`${env.url}/workflow/${WORKFLOW_ID}`);
		const canvasNode = (name: string) =>
			page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
		await canvasNode('Save Video').waitFor();

		// Run it once so the panel shows a real input file and a real task.
		await page.click('[data-test-id="execute-workflow-button"]');
		await canvasNode('Save Video')
			.locator('[data-test-id="canvas-node-status-success"]')
			.waitFor({ timeout: 60_000 });

		// The "executed successfully" toast would cover the panel.
		for (const close of await page.locator('.el-notification__closeBtn').all()) {
			await close.click().catch(() => undefined);
		}

		const settle = async () => {
			// Let the panel finish its opening animation, and any toast leave.
			await page.waitForTimeout(1000);
			await page
				.locator('.el-notification')
				.waitFor({ state: 'detached' })
				.catch(() => undefined);
		};
		const shoot = async (file: string) => {
			await settle();
			const path = join(outDir, file);
			await page.screenshot({ path });
			process.stdout.write(`Wrote ${path}\n`);
		};
		const closePanel = async () => {
			await page.keyboard.press('Escape');
			await page
				.locator('[data-test-id="ndv"]')
				.waitFor({ state: 'hidden' })
				.catch(() => undefined);
		};
		// The task as JSON says more than a truncated table.
		const outputAsJson = async () =>
			await page
				.locator('[data-test-id="output-panel"] [data-test-id="radio-button-json"]')
				.click();

		await canvasNode(NODE_NAME).dblclick();
		await page.getByText('Video Source', { exact: true }).waitFor();
		await outputAsJson();
		await shoot('screenshot.png');
		await closePanel();

		await canvasNode('Wait Until Done').dblclick();
		await page.getByText('Poll Interval (Seconds)', { exact: true }).waitFor();
		await outputAsJson();
		await shoot('screenshot-wait-until-done.png');
		await closePanel();

		// New nodes, as a user adds them (the newest node version and its defaults), each on a clean
		// canvas of its own: the example's first nodes, run, then the new node added after the last.
		const example = (await env.n8n.request('GET', `/rest/workflows/${WORKFLOW_ID}`)).body as {
			data: { nodes: Array<{ name: string }>; connections: Record<string, unknown> };
		};
		const scratch = async (name: string, keep: string[], pinData: Record<string, unknown> = {}) => {
			const nodes = example.data.nodes.filter((n) => keep.includes(n.name));
			const connections = Object.fromEntries(
				keep
					.slice(0, -1)
					.map((from, i) => [from, { main: [[{ node: keep[i + 1], type: 'main', index: 0 }]] }]),
			);
			const created = await env.n8n.request('POST', '/rest/workflows', {
				name,
				nodes,
				connections,
				pinData,
				settings: {},
			});
			const id = (created.body as { data?: { id?: string } }).data?.id;
			if (!id) throw new Error(`creating workflow "${name}" answered ${created.status}`);
			await page.goto(`${env.url}/workflow/${id}`);
			const last = canvasNode(keep[keep.length - 1]);
			await last.waitFor();
			await page.click('[data-test-id="execute-workflow-button"]');
			// A pinned node shows its pin, not a tick: wait for the file node's.
			await canvasNode('Read Video')
				.locator('[data-test-id="canvas-node-status-success"]')
				.waitFor();
			await page.waitForTimeout(1000);
			for (const close of await page.locator('.el-notification__closeBtn').all()) {
				await close.click().catch(() => undefined);
			}
			// The node creator connects what it adds to the selected node.
			await last.click();
		};
		const addNode = async (action: string) => {
			await page.click('[data-test-id="node-creator-plus-button"]');
			await page.getByPlaceholder('Search nodes...').fill('OctopusX');
			await page
				.locator('[data-test-id="node-creator-item-name"]', { hasText: 'OctopusX' })
				.first()
				.click();
			await page.getByText(action, { exact: true }).click();
			await page.locator('[data-test-id="ndv"]').waitFor();
		};

		// Get Status and Wait Until Done come after Submit, whose output is pinned (a task made here).
		const sim = env.simulator!;
		const submitted = await fetch(`${sim.baseUrl}/v1/videos`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'omni-fast', prompt: 'a rainy night', seconds: '8' }),
		});
		const task = (await submitted.json()) as Record<string, unknown>;
		const afterSubmit = ['Run', 'Read Video', NODE_NAME];
		await scratch('New Get Status', afterSubmit, { [NODE_NAME]: [{ json: task }] });
		await addNode('Get video task status');
		await page.getByText('Route by Status', { exact: true }).waitFor();
		await shoot('screenshot-get-status.png');
		await closePanel();

		await scratch('New Wait Until Done', afterSubmit, { [NODE_NAME]: [{ json: task }] });
		await addNode('Wait until video task is done');
		await page.getByText('Timeout (Seconds)', { exact: true }).waitFor();
		await shoot('screenshot-wait-until-done-new.png');
		await closePanel();

		await scratch('New Submit', ['Run', 'Read Video']);
		await addNode('Submit video task');
		await page.getByText('Wait for Completion', { exact: true }).waitFor();
		await page
			.locator('[data-test-id="parameter-input-waitForCompletion"] .el-switch')
			.first()
			.click();
		await page.getByText('Download Video', { exact: true }).waitFor();
		// Clicking the switch scrolled the panel to it: Wait for Completion, its notice, the Options.
		await shoot('screenshot-submit-waiting.png');

		// Submit's options, among them the two for the key's limit of tasks at once.
		await page.getByPlaceholder('Add option').last().click();
		await page.getByText('Max Tasks at Once', { exact: true }).waitFor();
		await page.getByText('Max Tasks at Once', { exact: true }).scrollIntoViewIfNeeded();
		await shoot('screenshot-submit-options.png');
	} catch (error) {
		// What the page showed when a step failed: the editor's markup changes between n8n releases.
		const pages = browser.contexts().flatMap((context) => context.pages());
		await pages[0]
			?.screenshot({ path: join(outDir, 'screenshot-failed.png') })
			.catch(() => undefined);
		throw error;
	} finally {
		await browser.close();
		await env.stop();
	}
}

main().catch((err: unknown) => {
	process.stderr.write(`screenshot failed: ${err instanceof Error ? err.stack : String(err)}\n`);
	process.exit(1);
});
