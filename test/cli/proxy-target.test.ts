// A gateway against direct, offline, in one command: `--target direct=sim:fast --target
// gateway=proxy:direct,added-latency=30` starts the simulator, then the proxy in front of it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReport } from '../../src/report/load.ts';
import { runCli } from '../helpers/cli.ts';

test('a proxy target in front of a simulator target: the verdict puts its TTFT about the added latency above', async () => {
  const json = join(mkdtempSync(join(tmpdir(), 'streamtop-proxy-target-')), 'gw.json');
  const r = await runCli([
    '--headless', '-n', '120', '-c', '8', '--stream-ratio', '1', '--seed', '5', '--sim-jitter', '0', '--sim-output-tokens', '20',
    '--target', 'direct=sim:fast', '--target', 'gateway=proxy:direct,added-latency=30', '--json', json,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gateway vs direct: TTFT stream p50 slower \(worse\)/);
  const report = loadReport(json);
  assert.equal(report.targets?.[1]?.totals.failed, 0);
  const ttft = report.comparison?.rows.find((row) => row.metric === 'ttft' && row.mode === 'stream' && row.target === 'gateway');
  const d = ttft?.diff.p50;
  assert.ok(d !== undefined && d.lo !== null, JSON.stringify(ttft));
  // 30 ms on a quiet machine. The added latency is a floor (the proxy never forwards early), and
  // the hop through a third process plus its late timers only add on a loaded box: more room above.
  assert.ok(d.diff >= 22 && d.diff <= 55, `TTFT p50 difference ${d.diff} ms`);
  assert.ok(d.lo > 0, `interval [${d.lo}, ${d.hi}]`);
});
