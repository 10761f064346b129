// Bundles the CLI, the engine worker and the simulator's process entry into dist/ (ESM, packages
// left external), so a start skips compiling TypeScript on the fly: tsx costs ~0.6 s in each of
// the three places streamtop loads code (CLI, engine worker, simulator process), which made
// `npm start` take ~5 s to its first frame on a 2-vCPU machine. bin/streamtop.js runs dist/ only,
// so the published package needs neither tsx nor esbuild. Run by `npm install` / `npm ci` and
// `npm pack` (the prepare script) and before `npm test`, `npm start` and `npm run sim`.

import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const BUNDLED = new Set(['ink', 'ink-spinner']);
const outdir = `${root}dist`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The output names matter: remote-engine.ts starts './engine-worker.js' and spawn.ts runs
  // './sim-main.js', both resolved next to the bundled code.
  entryPoints: { cli: 'src/cli.tsx', 'engine-worker': 'src/worker/engine-host.ts', 'sim-main': 'src/sim/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Ink and its dependency tree are bundled: resolving and loading its many small modules one
  // by one was ~0.45 s of its 0.7 s import. Everything else stays external (bundling it all made
  // the CLI and the worker each parse megabytes they mostly do not run: slower, measured).
  external: [...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)), 'react-devtools-core'],
  // React's CommonJS entry points pick their production or development build at run time; fixing
  // it here keeps the development builds out of the bundle (bin/streamtop.js runs production).
  define: { 'process.env.NODE_ENV': '"production"' },
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __streamtopCreateRequire } from 'node:module'; const require = __streamtopCreateRequire(import.meta.url);" },
  jsx: 'automatic',
  sourcemap: 'linked',
  logLevel: 'warning',
});
