// The architecture as rules: `npm run lint` fails when a layer imports what it must not, or when
// two folders of src/ come to depend on each other. See DESIGN.md, "Layers".
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment:
        'Folders of src/ depend one way (cli -> commands -> worker -> experiments -> run -> config -> report and sim; ' +
        'report, ui and components -> engine; config and sim -> flags; shared/ and os/ below all). A cycle between two folders means one of them holds code that belongs to the ' +
        'other, or to shared/. Checked on folders, so a cycle through any files of the two folders counts.',
      severity: 'error',
      scope: 'folder',
      // Folder names have no trailing slash; files directly in src/ (cli.tsx, app.tsx) form the folder "src".
      from: { path: '^src/[^/]+$' },
      to: { path: '^src/[^/]+$', circular: true },
    },
    {
      name: 'no-circular',
      comment:
        'Modules that import each other (directly or through others) cannot be understood or tested alone. ' +
        'A cycle closed only by a lazy import() (sim/server.ts loading its TLS variant on demand) is allowed.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['dynamic-import'], viaOnly: { dependencyTypesNot: ['dynamic-import'] } },
    },
    {
      name: 'engine-imports-no-app-layer',
      comment:
        'The engine is a plain library: it receives a validated EngineConfig (prompts included) and knows nothing ' +
        'of the views, the CLI options, the reports or how a run is orchestrated.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^src/(components|ui|run|report|config|commands|worker|experiments|sim|os)/|^src/(app|cli)\\.tsx$' },
    },
    {
      name: 'engine-no-react',
      comment: 'The engine never imports react or ink (DESIGN.md): the UI reads its snapshots.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '(^|/)node_modules/(react|ink|ink-[^/]+)/' },
    },
    {
      name: 'sim-imports-no-client',
      comment:
        'The simulator runs in its own process and must stay independent of the client it measures: ' +
        'no engine, no views, no run orchestration.',
      severity: 'error',
      from: { path: '^src/sim/' },
      to: { path: '^src/(engine|ui|components|run|commands|worker|experiments)/|^src/(app|cli)\\.tsx$' },
    },
    {
      name: 'components-import-no-run',
      comment: 'View components get props and render frames; they never start, drive or write a run.',
      severity: 'error',
      from: { path: '^src/components/' },
      to: { path: '^src/(run|worker|commands|experiments)/' },
    },
    {
      name: 'flags-is-machinery',
      comment:
        'flags/ is how a flag table becomes commander options, validated values, help and docs/cli.md. The tables ' +
        'themselves live with their commands (config/run-flags.ts, sim/flags.ts), so the simulator can use the ' +
        'machinery without depending on the client.',
      severity: 'error',
      from: { path: '^src/flags/' },
      to: { path: '^src/', pathNot: '^src/(flags|shared)/' },
    },
    {
      name: 'shared-is-a-leaf',
      comment: 'shared/ and os/ are below every layer: they import no other folder of src/.',
      severity: 'error',
      from: { path: '^src/(shared|os)/' },
      to: { path: '^src/', pathNot: '^src/(shared|os)/' },
    },
  ],
  options: {
    // Only our own code is cruised; packages are leaves.
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: a type-only edge is still a dependency of the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
