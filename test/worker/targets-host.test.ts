import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseRunOptions } from '../../src/config/run-options.ts';
import { MAIN_COMMAND } from '../../src/config/commands.ts';
import { addFlags } from '../../src/flags/commander.ts';
import type { RawOptions } from '../../src/flags/parse.ts';
import { runTargets, type OpenedTarget } from '../../src/experiments/targets.ts';
import { TargetsControl } from '../../src/worker/targets-host.ts';
import { RemoteEngine } from '../../src/worker/remote-engine.ts';
import type { TargetsSnapshot } from '../../src/engine/types.ts';

function rawOf(args: string[]): RawOptions {
  let got: RawOptions = {};
  addFlags(new Command('streamtop').exitOverride(), MAIN_COMMAND)
    .action((o: RawOptions) => {
      got = o;
    })
    .parse(args, { from: 'user' });
  return got;
}

/** Two simulators, short answers, a small pool: a run of a few seconds. */
const ARGS = ['--target', 'a=sim:fast', '--target', 'b=sim:fast,ttft=+20', '-c', '2', '--seed', '5', '--sim-output-tokens', '8', '--sim-jitter', '0'];

class Sink {
  text = '';
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

test('two simulator targets: after one pool grows mid-run, the k-th requests still pair up and start together', { timeout: 60_000 }, async () => {
  const n = 60;
  const plan = parseRunOptions(rawOf([...ARGS, '-n', String(n)]), { stdoutIsTTY: false });
  // When each request was written (ms, this clock), by target and request index.
  const starts = [new Map<number, number>(), new Map<number, number>()];
  const outcomes = [new Map<number, string>(), new Map<number, string>()];
  let opened: readonly OpenedTarget[] = [];
  let control: TargetsControl | undefined;
  let resized = false;
  let pools: number[] = [];
  let held: number[] = [];
  const stdout = new Sink();
  const code = await runTargets(plan, { stdout, stderr: new Sink() }, {
    panes: 4,
    keepMetrics: (m) => void m.close(),
    attach(targets, stop) {
      opened = targets;
      const c = new TargetsControl(targets, stop);
      control = c;
      targets.forEach((t, i) =>
        t.session.engine.addRecordListener((r) => {
          outcomes[i]?.set(r.id, r.outcome);
          // Called as the request ends: its start is now minus its end-to-end time.
          // The engine's clock: its run started elapsedMs() ago, the request startMs after that.
          if (r.outcome === 'ok') starts[i]?.set(r.id, performance.now() - t.session.engine.elapsedMs() + r.startMs);
          if (!resized && i === 1 && r.id >= 10) {
            resized = true;
            c.command({ kind: 'setConcurrency', n: 6, target: 1 });
          }
        }),
      );
      // Detached when every engine is done, before the sessions close.
      return () => {
        pools = targets.map((t) => t.session.engine.load().concurrency);
        held = c.snapshot().targets.map((x) => x.inFlight);
      };
    },
  });
  assert.equal(code, 0);
  assert.ok(resized, 'the pool was resized mid-run');
  assert.ok(control);
  assert.deepEqual(pools, [2, 6], 'only b grew');
  assert.deepEqual(held, [0, 0], 'nothing left waiting for a partner');
  assert.equal(opened.length, 2);
  // Every request reached both targets, and each pair started together.
  assert.equal(outcomes[0]?.size, n);
  assert.deepEqual([...(outcomes[1]?.keys() ?? [])].sort((x, y) => x - y), [...(outcomes[0]?.keys() ?? [])].sort((x, y) => x - y));
  let compared = 0;
  let worst = 0;
  for (const [id, a] of starts[0] ?? []) {
    const b = starts[1]?.get(id);
    if (b === undefined) continue;
    compared++;
    worst = Math.max(worst, Math.abs(a - b));
  }
  assert.ok(compared >= n - 2, `${compared} pairs compared`);
  // Released in one microtask run, written back to back (measured: median ~0.2 ms, a few ms when
  // a new connection opens or the collector runs); the bounds are for a noisy machine.
  const gaps = [...(starts[0] ?? [])].map(([id, a]) => Math.abs(a - (starts[1]?.get(id) ?? a))).sort((x, y) => x - y);
  const median = gaps[Math.floor(gaps.length / 2)] ?? Infinity;
  assert.ok(median < 5, `pair starts a median ${median.toFixed(2)} ms apart`);
  assert.ok(worst < 50, `pair starts ${worst.toFixed(1)} ms apart at worst`);
  assert.match(stdout.text, /b vs a: TTFT stream p50/);
});

test('the dashboard worker runs every target: snapshots of both, a command for one target reaches only it, the verdict and report at the end', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-targets-host-'));
  const json = join(dir, 'r.json');
  const plan = parseRunOptions(rawOf([...ARGS, '-n', '40', '--json', json]), { stdoutIsTTY: true });
  assert.equal(plan.output.headless, false);
  const remote = new RemoteEngine(plan, 50, 8);
  try {
    await remote.started();
    assert.deepEqual(remote.targets?.map((t) => t.name), ['a', 'b']);
    await remote.firstSnapshot();
    remote.commandsFor(1).setConcurrency(4);
    let last: TargetsSnapshot | undefined;
    const off = remote.subscribe(() => {
      last = remote.targetsSource.getSnapshot();
    });
    const done = await remote.finished;
    off();
    assert.equal(done.exitCode, 0, done.stderr);
    assert.match(done.text, /b vs a: TTFT stream p50/);
    assert.match(done.stderr ?? '', /wrote .*r\.json/);
    assert.deepEqual(last?.targets.map((s) => s.concurrency), [2, 4]);
    assert.deepEqual(last?.targets.map((s) => s.state), ['done', 'done']);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { targets: { name: string }[]; comparison: { rows: unknown[] } };
    assert.deepEqual(report.targets.map((t) => t.name), ['a', 'b']);
    assert.ok(report.comparison.rows.length > 0);
  } finally {
    await remote.terminate();
  }
});

test('the dashboard worker with --prometheus: the address before the first frame, the final counts after the run, and a shutdown that closes the endpoint and lets the worker end by itself', { timeout: 60_000 }, async () => {
  const plan = parseRunOptions(rawOf([...ARGS, '-n', '20', '--prometheus', '127.0.0.1:0']), { stdoutIsTTY: true });
  const remote = new RemoteEngine(plan, 50, 8);
  let ended: 'exited' | 'terminated' | undefined;
  try {
    await remote.started();
    const url = remote.metricsUrl;
    assert.ok(url !== undefined && /^http:\/\/127\.0\.0\.1:\d+\/metrics$/.test(url), `metrics at ${url}`);
    const done = await remote.finished;
    assert.equal(done.exitCode, 0, done.stderr);
    assert.doesNotMatch(done.stderr ?? '', /metrics at/, 'the address was shown before the dashboard, not after it');
    // After the run, until the shutdown: the endpoint still answers, with every target's final count.
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const text = await res.text();
    for (const name of ['a', 'b']) assert.match(text, new RegExp(`target="${name}"`), `series of target ${name}`);
    ended = await remote.terminate();
    assert.equal(ended, 'exited', 'the shutdown closed the endpoint and the port: the worker ended by itself, without a terminate');
    await assert.rejects(fetch(url), 'the endpoint is closed');
  } finally {
    if (ended === undefined) await remote.terminate();
  }
});
