/** Engine and unit tests. The end-to-end suite against the n8n CLI has its own config (jest.e2e.config.js). */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/queue/'],
	globalSetup: '<rootDir>/test/setup/user-folder.ts',
	globalTeardown: '<rootDir>/test/setup/user-folder-teardown.ts',
	setupFiles: ['<rootDir>/test/setup/env.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	testTimeout: 30000,
};
