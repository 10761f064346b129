#!/usr/bin/env node
// Entry point. streamtop ships TypeScript sources and runs them through tsx, so
// `npm install && npm start` needs no build step. tsx is registered here (not via
// --import) so the bin works when invoked directly, through npx or a symlink.
import { register } from 'tsx/esm/api';

// React's development build is several times slower per frame and keeps growing a timing
// buffer; the dashboard is a production app unless someone asks otherwise.
process.env.NODE_ENV ??= 'production';
register();
await import('../src/cli.tsx');
