import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

/** SIGTERM / Ctrl-C mid-run: abort, then still write the summary and every report, marked interrupted. */
for (const [sig, exitCode] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`item 11: ${sig} in the middle of a headless run exits ${exitCode} and writes the summary and reports, marked interrupted`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamtop-int-'));
    const json = join(dir, 'run.json');
    let sent = false;
    const r = await runCli(['--headless', '-d', '60s', '-c', '8', '--json', json, '--markdown', join(dir, 'run.md'), '--sim-ttft', '20', '--sim-itl', '5'], {
      timeoutMs: 60_000,
      onSpawn: (kill, output) => {
        const t = setInterval(() => {
          // Wait until requests are completing, then interrupt.
          if (!sent && /done [1-9]/.test(output())) {
            sent = true;
            kill(sig);
            clearInterval(t);
          }
        }, 100);
        t.unref();
      },
    });
    assert.ok(sent, 'the run started');
    assert.equal(r.code, exitCode, r.stderr);
    assert.match(r.stdout, /\(interrupted\)/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { interrupted: boolean; stopReason: string; totals: { succeeded: number } };
    assert.equal(report.interrupted, true);
    assert.equal(report.stopReason, 'interrupted');
    assert.ok(report.totals.succeeded > 0);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
  });
}
