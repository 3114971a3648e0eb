/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The end-to-end suite synthesizes and bundles once, then runs several organizations through it.
  testTimeout: 60_000,
  // Type checking is `npm run typecheck`'s job; tests only transpile (tsconfig's isolatedModules), which keeps them fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  clearMocks: true,
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // Warnings a run would otherwise print once a test file are printed once.
  globalSetup: '<rootDir>/test/global-setup.ts',
};
