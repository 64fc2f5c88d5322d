// n8n-core writes its instance settings under N8N_USER_FOLDER. The folder is made once per run by
// globalSetup (user-folder.ts) and removed by its teardown; workers inherit it through the environment.
if (process.env.OCTOPUSX_TEST_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = process.env.OCTOPUSX_TEST_USER_FOLDER;
}
