import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes its instance settings under N8N_USER_FOLDER: keep each test worker in its own
// throw-away folder instead of the developer's ~/.n8n.
if (!process.env.N8N_USER_FOLDER_FIXED) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'octopusx-n8n-'));
}
