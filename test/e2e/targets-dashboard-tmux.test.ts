import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.ts';

/**
 * The live view of several targets in a real terminal of 80x24: both targets appear, `t` selects
 * b, `+` grows b's pool and only b's, `q` ends the run with the paired verdict.
 */
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `${process.env.STREAMTOP_TMUX_PREFIX ?? 'streamtop-e2e'}-targets-${process.pid}`;

function capture(): string {
  return execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
}

async function waitFor(pred: (screen: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    last = capture();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
}

/** The pools in the header: `N ▸a=8 b=8`, the selected target marked. */
function pools(screen: string): { a: number; b: number; selected: string } | undefined {
  const m = /closed loop N (▸?)a=(\d+) (▸?)b=(\d+)/.exec(screen);
  if (m === null) return undefined;
  return { a: Number(m[2]), b: Number(m[4]), selected: m[1] === '▸' ? 'a' : m[3] === '▸' ? 'b' : '' };
}

/** Requests done by a target in the stream row of the table. */
function streamDone(screen: string, name: string): number {
  const m = new RegExp(`^(?:stream)?\\s+${name}\\s+(\\d+)`, 'm').exec(screen);
  return Number(m?.[1] ?? 0);
}

test('two targets at 80x24: t then + grows only b\'s pool; q prints the paired verdict', { skip: !hasTmux && 'tmux not installed', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-tmux-targets-'));
  const status = join(dir, 'status.txt');
  const json = join(dir, 'r.json');
  const cmd = `CI=false NO_COLOR=1 ${process.execPath} ${BIN} --target a=sim:fast --target b=sim:fast,ttft=+50 --json ${json}; echo $? > ${status}; sleep 60`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '80', '-y', '24', 'bash', '-c', cmd]);
  try {
    const first = await waitFor((s) => /RUNNING/.test(s) && streamDone(s, 'b') > 0, 60_000, 'both targets running');
    const before = pools(first);
    assert.ok(before, `pools in the header:\n${first}`);
    assert.equal(before.selected, 'a', 'the reference is selected first');
    assert.equal(before.a, before.b);
    assert.match(first, /\[a\] #\d+/);
    assert.match(first, /\[b\] #\d+/);
    assert.match(first, /Δp50/);
    execFileSync('tmux', ['send-keys', '-t', session, 't']);
    await waitFor((s) => pools(s)?.selected === 'b', 15_000, 'b selected after t');
    execFileSync('tmux', ['send-keys', '-t', session, '+']);
    const grown = await waitFor((s) => pools(s)?.b === before.b + 1, 15_000, `b=${before.b + 1} after +`);
    assert.equal(pools(grown)?.a, before.a, 'a keeps its pool');
    // A while later a still has its pool: the key went to b alone.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(pools(capture()), { a: before.a, b: before.b + 1, selected: 'b' });
    execFileSync('tmux', ['send-keys', '-t', session, 'q']);
    const until = Date.now() + 30_000;
    while (!(existsSync(status) && /^\d+\n$/.test(readFileSync(status, 'utf8'))) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.equal(readFileSync(status, 'utf8').trim(), '0', 'exit status 0');
    const summary = execFileSync('tmux', ['capture-pane', '-p', '-S', '-200', '-t', session], { encoding: 'utf8' });
    assert.match(summary, /b vs a: TTFT stream p50/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { targets: { name: string; settings: unknown }[]; comparison: { rows: unknown[] } };
    assert.deepEqual(report.targets.map((t) => t.name), ['a', 'b']);
    assert.ok(report.comparison.rows.length > 0);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
});
