#!/usr/bin/env node
// Entry point. `npm install` bundles the sources into dist/ (scripts/build.mjs); without a
// bundle, or when any file under src/ is newer than it, the TypeScript sources run through tsx,
// registered here (not via --import) so the bin works when invoked directly, through npx or a
// symlink. STREAMTOP_FROM_SOURCE=1 forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// The engine measures from a worker thread whose isolate is created later and reads this flag:
// V8's memory reducer would otherwise compact the heap whenever allocation slows, a 5-20 ms
// pause in the middle of a measurement (see BENCHMARKS.md, dashboard cost).
setFlagsFromString('--no-memory-reducer');

// React's development build is several times slower per frame and keeps growing a timing
// buffer; the dashboard is a production app unless someone asks otherwise.
process.env.NODE_ENV ??= 'production';

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

function bundleIsFresh() {
  if (process.env.STREAMTOP_FROM_SOURCE === '1') return false;
  const bundle = new URL('../dist/cli.js', import.meta.url);
  if (!existsSync(bundle)) return false;
  try {
    return statSync(bundle).mtimeMs >= newest(new URL('../src', import.meta.url).pathname);
  } catch {
    return false;
  }
}

if (bundleIsFresh()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.tsx');
}
