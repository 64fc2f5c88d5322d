/**
 * Queue-mode suite: a private Postgres and Redis, one n8n main and two workers (n8n 2.41.1 from the
 * cached runtime), driven through production webhooks. Run with `npm run test:e2e:queue` (it builds first).
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.test.ts'],
	globalSetup: '<rootDir>/test/queue/globalSetup.ts',
	globalTeardown: '<rootDir>/test/queue/globalTeardown.ts',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
	// Each file starts a whole cluster (three n8n processes): one at a time on two cores.
	maxWorkers: 1,
	testTimeout: 240000,
	slowTestThreshold: 120,
};
