import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManualClock, systemClock } from '../../src/engine/clock.ts';

test('ManualClock: timers fire in due order, FIFO on ties, each seeing its own due time', () => {
  const c = new ManualClock(100);
  const seen: string[] = [];
  c.setTimeout(() => seen.push(`c@${c.now()}`), 30);
  c.setTimeout(() => seen.push(`a@${c.now()}`), 10);
  c.setTimeout(() => seen.push(`b1@${c.now()}`), 20);
  c.setTimeout(() => seen.push(`b2@${c.now()}`), 20);
  c.advance(25);
  assert.deepEqual(seen, ['a@110', 'b1@120', 'b2@120']);
  assert.equal(c.now(), 125);
  assert.equal(c.pending, 1);
  c.advance(4);
  assert.deepEqual(seen.length, 3, 'not due yet');
  c.set(130);
  assert.deepEqual(seen, ['a@110', 'b1@120', 'b2@120', 'c@130']);
  assert.equal(c.pending, 0);
});

test('ManualClock: intervals re-arm until cleared; clear() stops a timer; timers set while firing fire too', () => {
  const c = new ManualClock();
  const ticks: number[] = [];
  const iv = c.setInterval(() => ticks.push(c.now()), 25);
  const never = c.setTimeout(() => ticks.push(-1), 10);
  never.clear();
  // A timer set from inside a callback, due within the same advance, fires in the same advance.
  c.setTimeout(() => c.setTimeout(() => ticks.push(1000 + c.now()), 5), 30);
  c.advance(100);
  assert.deepEqual(ticks, [25, 1035, 50, 75, 100]);
  iv.clear();
  c.advance(100);
  assert.equal(ticks.length, 5, 'a cleared interval never fires again');
  assert.equal(c.pending, 0);
  // A zero period cannot spin for ever: it fires once per millisecond, like a real interval.
  let n = 0;
  const z = c.setInterval(() => n++, 0);
  c.advance(10);
  z.clear();
  assert.equal(n, 10);
});

test('systemClock: timers go through the global timers, so node:test mock timers drive them', () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const fired: string[] = [];
    const once = systemClock.setTimeout(() => fired.push('once'), 50);
    const every = systemClock.setInterval(() => fired.push('every'), 20);
    mock.timers.tick(45);
    assert.deepEqual(fired, ['every', 'every']);
    mock.timers.tick(5);
    assert.deepEqual(fired, ['every', 'every', 'once']);
    every.clear();
    once.clear();
    mock.timers.tick(100);
    assert.equal(fired.length, 3);
  } finally {
    mock.timers.reset();
  }
});

test('systemClock: a timer does not keep the process alive unless asked to', () => {
  const clockUrl = new URL('../../src/engine/clock.ts', import.meta.url).href;
  const run = (keepAlive: boolean): string => {
    const code = `const { systemClock } = await import(${JSON.stringify(clockUrl)}); systemClock.setTimeout(() => console.log('fired'), 100, { keepAlive: ${keepAlive} });`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 20_000,
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  assert.equal(run(false), '', 'an engine background timer lets the process exit');
  assert.equal(run(true), 'fired', 'a keepAlive timer holds the process until it fires');
});
