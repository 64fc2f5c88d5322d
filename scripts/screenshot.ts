/**
 * Refreshes docs/screenshot.png: the canonical example workflow, run once in a real n8n editor against
 * the simulator, with the OctopusX Submit node's panel open.
 *
 *   npm run build && npx tsx scripts/screenshot.ts [output.png]
 *
 * Needs Debian's Chromium (`apt-get install -y chromium`), driven headless by playwright-core.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
	const output = process.argv[2] ?? join(REPO_ROOT, 'docs', 'screenshot.png');
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

		await canvasNode(NODE_NAME).dblclick();
		await page.getByText('Video Source', { exact: true }).waitFor();
		// The task as JSON says more than a truncated table.
		await page.locator('[data-test-id="output-panel"] [data-test-id="radio-button-json"]').click();
		// Let the panel finish its opening animation.
		await page.waitForTimeout(1000);
		await page
			.locator('.el-notification')
			.waitFor({ state: 'detached' })
			.catch(() => undefined);

		mkdirSync(dirname(output), { recursive: true });
		await page.screenshot({ path: output });
		process.stdout.write(`Wrote ${output}\n`);
	} finally {
		await browser.close();
		await env.stop();
	}
}

main().catch((err: unknown) => {
	process.stderr.write(`screenshot failed: ${err instanceof Error ? err.stack : String(err)}\n`);
	process.exit(1);
});
