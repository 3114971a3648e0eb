const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The end-to-end suites run several organizations through the bundled function (built once a run, global setup).
  testTimeout: 60_000,
  // Type checking is `npm run typecheck`'s job; tests only transpile (tsconfig's isolatedModules), which keeps them fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  clearMocks: true,
  // Jest's default, one worker fewer than the cores, runs a 2-core machine's suites one after another in one
  // process; the end-to-end suites spend much of their time waiting on the function's process and the
  // endpoint, so two workers there keep both cores busy.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // Once a run: the SDK's Node version warning, and the directory where each bundle is built once (docs/development.md).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
