import { rmSync } from 'node:fs';

/** jest globalTeardown: removes the folder globalSetup made. */
export default function teardown(): void {
	const folder = process.env.OCTOPUSX_TEST_USER_FOLDER;
	if (folder) rmSync(folder, { recursive: true, force: true });
}
