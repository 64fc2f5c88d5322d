/**
 * End-to-end suite: the built package, packed and installed into a real n8n (2.41.1 on Node 24, cached
 * outside the repo by scripts/n8n-runtime.sh), run through the n8n CLI against the OctopusX simulator.
 * Run with `npm run test:e2e` (it builds first).
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.test.ts'],
	globalSetup: '<rootDir>/test/e2e/globalSetup.ts',
	globalTeardown: '<rootDir>/test/e2e/globalTeardown.ts',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
	// Each test file drives its own n8n processes; two at a time keep two cores busy without thrashing.
	maxWorkers: 2,
	testTimeout: 180000,
	slowTestThreshold: 60,
};
