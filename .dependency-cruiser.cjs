// Module-level dependency rules, checked by bin/check-layers.mjs in `npm run lint` (part of `npm test`), which also
// checks the folder-level rule these cannot express. Every rule here holds today with no exceptions: a violation fails.
// See docs/architecture.md, "Dependency rules".
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-nothing',
      comment: 'src/core/ is the bottom layer: it may use libraries and node:, never the rest of src/ or views/.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src/(?!core/)|views/)' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles between modules.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'No cycles between top-level folders of src/ (a module may not take part in a cycle that leaves its folder).',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { circular: true, pathNot: '^src/$1/' },
    },
    {
      name: 'nothing-imports-dev',
      comment:
        'Dev-only code (src/dev/: the dev mailbox, dev commands, the demo seed, the VNeID simulator) is reached only from the composition roots (by dynamic import when configuration allows; type-only imports are erased) and from src/dev itself.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(app/server\\.ts|main\\.ts|cli/main\\.ts|dev/)' },
      to: { path: '^src/dev/' },
    },
    {
      name: 'app-is-the-top',
      comment:
        'src/app/ (the composition root, the route table, the service bag) sits above every flow, channel and method: only the entry points (src/main.ts, src/cli/, src/dev/) import it. A flow declares the services it uses in its own deps type instead.',
      severity: 'error',
      from: { path: '^(src|views)/', pathNot: '^src/(app/|main\\.ts|cli/|dev/)' },
      to: { path: '^src/app/' },
    },
    {
      name: 'no-tests-from-src',
      severity: 'error',
      from: { path: '^(src|views)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
  },
};
