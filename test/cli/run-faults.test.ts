import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli } from '../helpers/cli.ts';

/** The real CLI against issue 13's run-level faults: long durations, a reader that goes away. */

test('item 5: -d 600h runs (here until -n ends it), without a TimeoutOverflowWarning or an early stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-long-'));
  const json = join(dir, 'r.json');
  const r = await runCli(['--headless', '-d', '600h', '-n', '6', '-c', '2', '--sim-ttft', '5', '--sim-itl', '1', '--json', json], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { stopReason: string; totals: { succeeded: number }; settings: { durationMs: number } };
  assert.equal(report.stopReason, 'requests', 'ended by -n, not by a duration timer that fired at once');
  assert.equal(report.totals.succeeded, 6);
  assert.equal(report.settings.durationMs, 600 * 3_600_000);
});

test('item 8: stdout closed by its reader (`| true`): no stack trace, the report is written, exit code unchanged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-pipe-'));
  const json = join(dir, 'x.json');
  const child = spawn(process.execPath, [BIN, '--headless', '-d', '1s', '--grace', '0', '--sim-ttft', '5', '--sim-itl', '1', '--json', json], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The reader goes away before anything was written, as `true` does.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|\n\s+at /, 'no stack trace');
  assert.ok(existsSync(json), 'the report is still written');
  assert.match(stderr, /streamtop: wrote .*x\.json/);
});
