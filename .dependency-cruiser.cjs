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
        'lib/, cli/, local/, bench/ and scripts/ import the function only through lambda/reconciler/index.ts (its public entry); ' +
        'export what they need from there.',
      severity: 'error',
      from: { path: '^(lib|cli|local|bench|scripts|bin)/' },
      to: { path: '^lambda/reconciler/', pathNot: '^lambda/reconciler/index\\.ts$' },
    },
    {
      name: 'function-imports-no-caller',
      comment: 'The function imports nothing of the stack, the CLI, the local endpoint, the benchmarks or the tests.',
      severity: 'error',
      from: { path: '^lambda/' },
      to: { path: '^(lib|cli|local|bench|scripts|bin|test)/' },
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
