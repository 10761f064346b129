#!/usr/bin/env node
// Entry point. streamtop ships TypeScript sources and runs them through tsx, so
// `npm install && npm start` needs no build step. tsx is registered here (not via
// --import) so the bin works when invoked directly, through npx or a symlink.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// The engine measures from a worker thread whose isolate is created later and reads this flag:
// V8's memory reducer would otherwise compact the heap whenever allocation slows, a 5-20 ms
// pause in the middle of a measurement (see BENCHMARKS.md, dashboard cost).
setFlagsFromString('--no-memory-reducer');

// React's development build is several times slower per frame and keeps growing a timing
// buffer; the dashboard is a production app unless someone asks otherwise.
process.env.NODE_ENV ??= 'production';
register();
await import('../src/cli.tsx');
