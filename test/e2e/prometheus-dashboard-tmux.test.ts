import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.ts';
import { parseExposition, valueOf } from '../helpers/prom-text.ts';
import { METRIC_NAMES } from '../../src/run/prometheus.ts';

/**
 * --prometheus with the dashboard, in a real terminal: the engine runs in its worker thread, and
 * /metrics is served from there while Ink draws. A key (+) that changes the pool size shows in
 * the pool-size gauge at the next scrape: the gauges read the engine when asked.
 */
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `${process.env.STREAMTOP_TMUX_PREFIX ?? 'streamtop-e2e'}-prom-${process.pid}`;

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('dashboard --prometheus: /metrics answers while the dashboard runs, and follows a pool change made with +', { skip: !hasTmux && 'tmux not installed', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-prom-tmux-'));
  const stderr = join(dir, 'stderr.txt');
  const status = join(dir, 'status.txt');
  const cmd = `CI=false NO_COLOR=1 ${process.execPath} ${BIN} --sim-ttft 50 --sim-itl 10 -c 4 --prometheus 127.0.0.1:0 2> ${stderr}; echo $? > ${status}; sleep 60`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', 'bash', '-c', cmd]);
  try {
    const url = await until(() => (existsSync(stderr) ? /metrics at (http:\S+)/.exec(readFileSync(stderr, 'utf8'))?.[1] : undefined), 60_000, 'the metrics address');
    const scrape = async () => parseExposition(await (await fetch(url)).text());
    await until(async () => ((valueOf(await scrape(), METRIC_NAMES.requests, { outcome: 'ok' }) > 0) ? true : undefined), 60_000, 'completed requests in /metrics');
    assert.equal(valueOf(await scrape(), METRIC_NAMES.poolSize), 4);
    execFileSync('tmux', ['send-keys', '-t', session, '+']);
    await until(async () => (valueOf(await scrape(), METRIC_NAMES.poolSize) === 5 ? true : undefined), 15_000, 'pool size 5 after +');
    execFileSync('tmux', ['send-keys', '-t', session, 'q']);
    const code = await until(() => (existsSync(status) && /^\d+\n$/.test(readFileSync(status, 'utf8')) ? readFileSync(status, 'utf8').trim() : undefined), 30_000, 'the exit status');
    assert.equal(code, '0');
    // Closed with the run: nothing listens any more.
    await assert.rejects(fetch(url));
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
    rmSync(dir, { recursive: true, force: true });
  }
});
