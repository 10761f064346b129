#!/usr/bin/env node
// Runs every test file under test/ with node's test runner through tsx.
// Node 20's --test does not expand globs or pick up .ts files by itself, so we list them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'helpers' && name !== 'fixtures') out.push(...collect(p));
    } else if (/\.test\.tsx?$/.test(name)) {
      out.push(p);
    }
  }
  return out;
}

const filter = process.argv.slice(2);
let files = collect('test').sort();
if (filter.length > 0) files = files.filter((f) => filter.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
