/**
 * The project's import rules, checked by `npm run lint` (docs/development.md, "Where a line of code belongs").
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'An import cycle among the project files: move the shared part into a module both can import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'function-through-its-entry',
      comment:
        'cli/, local/, bench/, scripts/ and bin/ import the function only through lambda/reconciler/index.ts (its public entry); ' +
        'export what they need from there.',
      severity: 'error',
      from: { path: '^(cli|local|bench|scripts|bin)/', pathNot: '^bin/app\\.ts$' },
      to: { path: '^lambda/reconciler/', pathNot: '^lambda/reconciler/index\\.ts$' },
    },
    {
      name: 'synth-through-the-constructs-entry',
      comment:
        "The stack's constructs and the CDK app (what `cdk synth` loads) import the function only through " +
        'lambda/reconciler/constructs-entry.ts, which loads no AWS SDK client; export what they need from there.',
      severity: 'error',
      from: { path: '^(lib/|bin/app\\.ts$)' },
      to: { path: '^lambda/reconciler/', pathNot: '^lambda/reconciler/constructs-entry\\.ts$' },
    },
    {
      name: 'function-imports-no-caller',
      comment: 'The function imports nothing of the stack, the CLI, the local endpoint, the benchmarks or the tests.',
      severity: 'error',
      from: { path: '^lambda/' },
      to: { path: '^(lib|cli|local|bench|scripts|bin|test)/' },
    },
    {
      name: 'building-blocks-below-the-run',
      comment:
        "The adapters, the errors, the regions, the findings and the deadline's building blocks import nothing of run/ " +
        '(the run calls them, not the other way round): what they share with it belongs in one of them (deadline/budget.ts).',
      severity: 'error',
      from: { path: '^lambda/reconciler/(aws|errors|regions|findings|deadline)/' },
      to: { path: '^lambda/reconciler/run/' },
    },
    // The top-level folders in layers, each importing only those below it, so that no cycle can form between
    // them: lambda/ ← lib/ ← local/ ← cli/ ← scripts/ ← bench/, bin/ (docs/development.md).
    {
      name: 'lib-imports-the-function-only',
      comment: "The stack's constructs import the function (its entry) and nothing else of the project.",
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(cli|local|bench|scripts|bin|test)/' },
    },
    {
      name: 'local-below-the-cli',
      comment: 'The local endpoint is served by the CLI (`deep-inspection local`), so it imports no CLI code.',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^(cli|bench|scripts|bin|test)/' },
    },
    {
      name: 'cli-below-entry-points',
      comment: 'The CLI imports no benchmark, generator, entry point or test.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(bench|scripts|bin|test)/' },
    },
    {
      name: 'scripts-below-entry-points',
      comment: 'Generators import no benchmark, entry point or test.',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^(bench|bin|test)/' },
    },
    {
      name: 'only-tests-import-tests',
      comment:
        'Test code (test/: suites, fakes, fixtures) is imported by tests alone, so that no folder depends on test/ while ' +
        'test/ depends on it (a folder-level cycle): what a benchmark or the CLI shares with the tests lives in their folder.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'bench-imports-no-entry-point',
      comment: 'The benchmarks import no entry point (the CDK app, the CLI shim, the demo): bin/ is the top layer.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^bin/' },
    },
    {
      name: 'bin-imports-no-test-or-benchmark',
      comment: 'The entry points (the CDK app, the CLI shim, the demo) import no benchmark or test code.',
      severity: 'error',
      from: { path: '^bin/' },
      to: { path: '^(bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|coverage|\\.bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
