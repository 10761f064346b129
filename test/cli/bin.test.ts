// bin/streamtop.js runs the bundle in dist/ and nothing else. Each case copies the bin into a
// scratch package layout (so the real dist/ is never touched) and runs it there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.ts';

/** A package root holding a copy of the bin; the caller adds dist/ and src/ as the case needs. */
function scratchPackage(t: { after(fn: () => void): void }): { root: string; bin: string } {
  const root = mkdtempSync(join(tmpdir(), 'streamtop-bin-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'bin'));
  const bin = join(root, 'bin', 'streamtop.js');
  copyFileSync(BIN, bin);
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  return { root, bin };
}

/** A stand-in bundle that shows it ran and what NODE_ENV the bin gave it. */
function writeBundle(root: string): string {
  mkdirSync(join(root, 'dist'));
  const cli = join(root, 'dist', 'cli.js');
  writeFileSync(cli, "process.stdout.write(`bundle ran, NODE_ENV=${process.env.NODE_ENV}, args=${process.argv.slice(2).join(' ')}\\n`);\n");
  return cli;
}

function run(bin: string): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_ENV;
  const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', env, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('without dist/ the bin says to build, in one line, exit 1', (t) => {
  const { bin } = scratchPackage(t);
  const r = run(bin);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'streamtop: dist/cli.js is missing (the CLI is not built); run npm run build\n');
});

test('the bin runs dist/cli.js with the arguments and the production build of React', (t) => {
  const { root, bin } = scratchPackage(t);
  writeBundle(root);
  const r = run(bin);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'bundle ran, NODE_ENV=production, args=--version\n');
  assert.equal(r.stderr, '', 'no src/ (as in the published package): no staleness check, no warning');
});

test('in a checkout, a source newer than dist/ gives a warning and still runs the bundle', (t) => {
  const { root, bin } = scratchPackage(t);
  const cli = writeBundle(root);
  mkdirSync(join(root, 'src', 'engine'), { recursive: true });
  const source = join(root, 'src', 'engine', 'engine.ts');
  writeFileSync(source, 'export {};\n');
  const now = Date.now() / 1000;
  utimesSync(cli, now - 60, now - 60);
  utimesSync(source, now, now);
  const stale = run(bin);
  assert.equal(stale.status, 0, stale.stderr);
  assert.match(stale.stdout, /^bundle ran/);
  assert.equal(stale.stderr, 'streamtop: warning: dist/ is older than src/, so this runs the last build; run npm run build\n');

  // Rebuilt (the bundle now newer than every source): quiet again.
  utimesSync(cli, now + 60, now + 60);
  const fresh = run(bin);
  assert.equal(fresh.status, 0, fresh.stderr);
  assert.equal(fresh.stderr, '');
});
