#!/usr/bin/env node
// Entry point: runs the bundle in dist/ (built by scripts/build.mjs; shipped in the npm package,
// built by `npm ci` / `npm install` and before `npm test` in a checkout). The bundle is plain
// JavaScript, so an installed streamtop needs neither tsx nor esbuild at run time.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  // Only a checkout can lack dist/ (the package ships it): say how to make it, not a stack trace.
  process.stderr.write('streamtop: dist/cli.js is missing (the CLI is not built); run npm run build\n');
  process.exit(1);
}

/** Newest modification time of any file under `dir`, ms. */
function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    const t = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    if (t > max) max = t;
  }
  return max;
}

// In a checkout (the package ships no src/), an edited source is not run until rebuilt: say so
// rather than let someone measure code they did not write.
const src = fileURLToPath(new URL('../src', import.meta.url));
if (existsSync(src) && newest(src) > statSync(bundle).mtimeMs) {
  process.stderr.write('streamtop: warning: dist/ is older than src/, so this runs the last build; run npm run build\n');
}

// The engine measures from a worker thread whose isolate is created later and reads this flag:
// V8's memory reducer would otherwise compact the heap whenever allocation slows, a 5-20 ms
// pause in the middle of a measurement (see BENCHMARKS.md, dashboard cost).
setFlagsFromString('--no-memory-reducer');

// React's development build is several times slower per frame and keeps growing a timing
// buffer; the dashboard is a production app unless someone asks otherwise.
process.env.NODE_ENV ??= 'production';

await import(bundle.href);
