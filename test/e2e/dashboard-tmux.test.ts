import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.ts';

/**
 * The real CLI in a real terminal: tmux gives it a TTY of 120x40. The dashboard appears,
 * numbers move between two captures, `+` raises the pool size in the header, `q` exits 0 and
 * prints the summary, and the terminal is left out of raw mode.
 */
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
// STREAMTOP_TMUX_PREFIX lets whoever runs the suite tell its tmux sessions apart from others'.
const session = `${process.env.STREAMTOP_TMUX_PREFIX ?? 'streamtop-e2e'}-${process.pid}`;

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

/** Polls a file the shell writes after streamtop exits until its content is complete. */
async function waitForFile(path: string, complete: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < until) {
    text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (complete(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${path}; it holds: ${JSON.stringify(text)}`);
}

/** `echo $?` wrote a whole line. */
const exitLine = (t: string): boolean => /^\d+\n$/.test(t);
/** `stty -a` wrote its settings (the line with icanon, negated or not, comes after the sizes). */
const sttyDone = (t: string): boolean => /icanon/.test(t) && t.endsWith('\n');

function poolSize(screen: string): number | undefined {
  const m = /closed loop N=(\d+)/.exec(screen);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

function completed(screen: string): number {
  const m = /^stream\s+(\d+)\s+(\d+)/m.exec(screen);
  const n = /^non-stream\s+(\d+)\s+(\d+)/m.exec(screen);
  return Number(m?.[2] ?? 0) + Number(n?.[2] ?? 0);
}

test('dashboard end to end in tmux: appears, updates, + raises the pool, q exits 0 with the summary', { skip: !hasTmux && 'tmux not installed', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-tmux-'));
  const status = join(dir, 'status.txt');
  const sttyAfter = join(dir, 'stty.txt');
  const cmd = `CI=false NO_COLOR=1 ${process.execPath} ${BIN} --sim-ttft 50 --sim-itl 10 -c 4 --json ${join(dir, 'r.json')}; echo $? > ${status}; stty -a > ${sttyAfter}; sleep 60`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', 'bash', '-c', cmd]);
  try {
    const first = await waitFor((s) => /RUNNING/.test(s) && completed(s) > 0, 60_000, 'the dashboard with completed requests');
    assert.equal(poolSize(first), 4);
    const a = completed(first);
    const second = await waitFor((s) => completed(s) > a, 20_000, 'numbers to change');
    assert.ok(completed(second) > a);
    execFileSync('tmux', ['send-keys', '-t', session, '+']);
    await waitFor((s) => poolSize(s) === 5, 15_000, 'N=5 after +');
    execFileSync('tmux', ['send-keys', '-t', session, '?']);
    await waitFor((s) => /help/i.test(s) && /quit/.test(s), 15_000, 'the help overlay');
    execFileSync('tmux', ['send-keys', '-t', session, 'Escape']);
    execFileSync('tmux', ['send-keys', '-t', session, 'q']);
    assert.equal((await waitForFile(status, exitLine, 30_000)).trim(), '0', 'exit status 0');
    const summary = execFileSync('tmux', ['capture-pane', '-p', '-S', '-200', '-t', session], { encoding: 'utf8' });
    assert.match(summary, /latency \(ms\)/);
    assert.match(summary, /TTFT stream/);
    const stty = await waitForFile(sttyAfter, sttyDone, 10_000);
    assert.match(stty, /(^|\s)icanon(\s|$)/, 'terminal left in canonical mode (not raw)');
    assert.match(stty, /(^|\s)echo(\s|$)/, 'echo restored');
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { interrupted: boolean; stopReason: string; totals: { succeeded: number } };
    assert.ok(report.totals.succeeded > 0);
    // item 11: q is the normal end of a dashboard run, not an interruption.
    assert.equal(report.interrupted, false);
    assert.equal(report.stopReason, 'user');
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
});

test('item 11: Ctrl-C in the dashboard is an interruption: exit 130, report marked interrupted', { skip: !hasTmux && 'tmux not installed', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-tmux-int-'));
  const status = join(dir, 'status.txt');
  const json = join(dir, 'r.json');
  const name = `${session}-int`;
  const cmd = `CI=false NO_COLOR=1 ${process.execPath} ${BIN} --sim-ttft 50 --sim-itl 10 -c 4 --json ${json}; echo $? > ${status}; sleep 60`;
  execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '100', '-y', '30', 'bash', '-c', cmd]);
  try {
    const until0 = Date.now() + 60_000;
    let screen = '';
    while (Date.now() < until0) {
      screen = execFileSync('tmux', ['capture-pane', '-p', '-t', name], { encoding: 'utf8' });
      if (/RUNNING/.test(screen) && completed(screen) > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(screen, /RUNNING/);
    execFileSync('tmux', ['send-keys', '-t', name, 'C-c']);
    const until = Date.now() + 30_000;
    while (!existsSync(status) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.equal(readFileSync(status, 'utf8').trim(), '130', 'Ctrl-C exits 130');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { interrupted: boolean; stopReason: string };
    assert.equal(report.interrupted, true);
    assert.equal(report.stopReason, 'interrupted');
  } finally {
    spawnSync('tmux', ['kill-session', '-t', name]);
  }
});

test('item 11: dashboard: SIGTERM mid-run exits 143, restores the terminal and still writes the report, marked interrupted', { skip: !hasTmux && 'tmux not installed', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-tmux-term-'));
  const status = join(dir, 'status.txt');
  const sttyAfter = join(dir, 'stty.txt');
  const json = join(dir, 'r.json');
  const cmd = `CI=false NO_COLOR=1 ${process.execPath} ${BIN} --sim-ttft 50 --sim-itl 10 -c 4 --json ${json}; echo $? > ${status}; stty -a > ${sttyAfter}; sleep 60`;
  execFileSync('tmux', ['new-session', '-d', '-s', `${session}-term`, '-x', '100', '-y', '30', 'bash', '-c', cmd]);
  try {
    const until0 = Date.now() + 60_000;
    let screen = '';
    while (Date.now() < until0) {
      screen = execFileSync('tmux', ['capture-pane', '-p', '-t', `${session}-term`], { encoding: 'utf8' });
      if (/RUNNING/.test(screen) && completed(screen) > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(screen, /RUNNING/);
    const pid = spawnSync('pgrep', ['-f', `^${process.execPath} ${BIN} --sim-ttft 50 --sim-itl 10 -c 4 --json ${json}`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    assert.ok(pid, 'found the streamtop process');
    process.kill(Number(pid), 'SIGTERM');
    assert.equal((await waitForFile(status, exitLine, 30_000)).trim(), '143', 'item 11: interrupted by SIGTERM: 128 + 15');
    assert.match(await waitForFile(sttyAfter, sttyDone, 10_000), /(^|\s)icanon(\s|$)/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { interrupted: boolean; totals: { succeeded: number } };
    assert.equal(report.interrupted, true);
    assert.ok(report.totals.succeeded > 0);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', `${session}-term`]);
  }
});
