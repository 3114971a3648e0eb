const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The end-to-end suites run several organizations through the bundled function (built once a run, global setup).
  testTimeout: 60_000,
  // Type checking is `npm run typecheck`'s job; tests only transpile, one file at a time (tsconfig's
  // isolatedModules), with SWC: the project's 221 files (when measured) in 0.4 s of CPU, where TypeScript's transpileModule
  // (ts-jest) took 6.4 s and 1 s more to load in each worker, which a fresh clone's empty cache pays. SWC hoists
  // jest.mock() above the imports as ts-jest did; ES2022 is tsconfig's target.
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  clearMocks: true,
  // Slowest first, the end-to-end and template suites when Jest has no times yet (test/sequencer.cjs).
  testSequencer: '<rootDir>/test/sequencer.cjs',
  // Jest's default, one worker fewer than the cores, runs a 2-core machine's suites one after another in one
  // process; the end-to-end suites spend much of their time waiting on the function's process and the
  // endpoint, so two workers there keep both cores busy.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // Once a run: the SDK's Node version warning, and the directory where each bundle is built once (docs/development.md).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
