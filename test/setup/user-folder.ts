import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** jest globalSetup: one throw-away n8n user folder for the whole run, instead of the developer's ~/.n8n. */
export default function setup(): void {
	const folder = mkdtempSync(join(tmpdir(), 'octopusx-n8n-'));
	process.env.OCTOPUSX_TEST_USER_FOLDER = folder;
	process.env.N8N_USER_FOLDER = folder;
}
