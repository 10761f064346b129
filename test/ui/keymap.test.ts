import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'ink';
import {
  KEYMAP,
  MAX_CONCURRENCY,
  MAX_RATE,
  MIN_RATE,
  dispatchKey,
  clampConcurrency,
  stepRate,
  stepRatio,
} from '../../src/ui/keymap.ts';
import type { KeyContext } from '../../src/ui/keymap.ts';
import { makeSnapshot } from '../../src/ui/fake-snapshot.ts';
import { splitKeys, withPending, trackingCommands } from '../../src/ui/use-dashboard-keys.ts';
import type { PendingSettings } from '../../src/ui/use-dashboard-keys.ts';
import { fakeCommands } from '../components/helpers/fakes.ts';

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

function ctx(over: Partial<KeyContext> = {}): KeyContext & { calls: ReturnType<typeof fakeCommands>['calls'] } {
  const { commands, calls } = fakeCommands();
  return {
    snapshot: makeSnapshot(),
    commands,
    target: { label: 'built-in simulator', api: 'openai', model: 'm', simulated: true },
    ui: { toggleHelp: () => calls.push(['toggleHelp']), closeHelp: () => calls.push(['closeHelp']), cycleChart: () => calls.push(['cycleChart']), quit: () => calls.push(['quit']), interrupt: () => calls.push(['interrupt']) },
    helpOpen: false,
    calls,
    ...over,
  };
}

test('every binding has a unique id and a description', () => {
  const ids = new Set(KEYMAP.map((b) => b.id));
  assert.equal(ids.size, KEYMAP.length);
  for (const b of KEYMAP) assert.ok(b.description.length > 0 && b.keys.length > 0, b.id);
});

test("pool size clamps to the engine's limits (1..100000)", () => {
  assert.equal(MAX_CONCURRENCY, 100_000);
  assert.equal(clampConcurrency(0), 1);
  assert.equal(clampConcurrency(-9), 1);
  assert.equal(clampConcurrency(MAX_CONCURRENCY + 10), MAX_CONCURRENCY);
  const c = ctx({ snapshot: makeSnapshot({ concurrency: 5 }) });
  dispatchKey('[', NO_KEY, c);
  assert.deepEqual(c.calls, [['setConcurrency', 1]]);
});

test('+ above the old 10000 cap grows the pool by one (-c 20000 then + is 20001)', () => {
  const c = ctx({ snapshot: makeSnapshot({ concurrency: 20_000 }) });
  dispatchKey('+', NO_KEY, c);
  assert.deepEqual(c.calls, [['setConcurrency', 20_001]]);
});

test('stream ratio steps by exactly 0.1 within 0..1', () => {
  assert.equal(stepRatio(0.3, 0.1), 0.4);
  assert.equal(stepRatio(0.7, 0.1), 0.8);
  assert.equal(stepRatio(1, 0.1), 1);
  assert.equal(stepRatio(0, -0.1), 0);
  assert.equal(stepRatio(0.25, 0.1), 0.4); // off-grid values snap to the grid first (0.25 -> 0.3)
});

test('rate steps multiply by 1.25 and keep 3 significant digits', () => {
  assert.equal(stepRate(10, true), 12.5);
  assert.equal(stepRate(10, false), 8);
  assert.equal(stepRate(12.5, true), 15.6);
  assert.equal(stepRate(undefined, true), 1.25);
  // The floor is the engine's (and --rate's) lowest rate, not a keymap-only one.
  assert.equal(stepRate(0.1, false), 0.08);
  assert.equal(stepRate(MIN_RATE, false), MIN_RATE);
  assert.equal(stepRate(MAX_RATE, true), MAX_RATE);
});

test('rate keys do nothing in closed loop', () => {
  const c = ctx();
  assert.equal(dispatchKey('r', NO_KEY, c), undefined);
  assert.equal(dispatchKey('R', NO_KEY, c), undefined);
  assert.deepEqual(c.calls, []);
});

test('simulator keys need a simulated target and the command', () => {
  const c = ctx({ target: { label: 'http://x', api: 'openai', model: 'm', simulated: false } });
  assert.equal(dispatchKey('l', NO_KEY, c), undefined);
  assert.equal(dispatchKey('f', NO_KEY, c), undefined);
  const d = ctx();
  assert.equal(dispatchKey('l', NO_KEY, d), 'latencySpike');
  assert.deepEqual(d.calls, [['injectLatencySpike']]);
});

test('help is modal: only quit, Ctrl-C, ? and esc work while it is open', () => {
  const c = ctx({ helpOpen: true });
  assert.equal(dispatchKey('+', NO_KEY, c), undefined);
  assert.equal(dispatchKey(' ', NO_KEY, c), undefined);
  assert.equal(dispatchKey('', { ...NO_KEY, escape: true }, c), 'closeHelp');
  assert.equal(dispatchKey('?', NO_KEY, c), 'help');
  assert.equal(dispatchKey('c', { ...NO_KEY, ctrl: true }, c), 'quit');
  assert.equal(dispatchKey('q', NO_KEY, c), 'quit');
  assert.deepEqual(c.calls, [['closeHelp'], ['toggleHelp'], ['interrupt'], ['quit']]);
});

test('item 11: q is a normal end (ui.quit) and Ctrl-C an interruption (ui.interrupt)', () => {
  const c = ctx();
  assert.equal(dispatchKey('q', NO_KEY, c), 'quit');
  assert.equal(dispatchKey('c', { ...NO_KEY, ctrl: true }, c), 'quit');
  assert.deepEqual(c.calls, [['quit'], ['interrupt']]);
});

test('space pauses a running run and resumes a paused one, and does nothing while stopping', () => {
  const running = ctx();
  dispatchKey(' ', NO_KEY, running);
  const paused = ctx({ snapshot: makeSnapshot({ state: 'paused' }) });
  dispatchKey(' ', NO_KEY, paused);
  const stopping = ctx({ snapshot: makeSnapshot({ state: 'stopping' }) });
  dispatchKey(' ', NO_KEY, stopping);
  assert.deepEqual([running.calls, paused.calls, stopping.calls], [[['pause']], [['resume']], []]);
});

test('presses faster than snapshots build on the value last sent', () => {
  const snap = makeSnapshot({ concurrency: 16 });
  const { commands, calls } = fakeCommands();
  const pending: PendingSettings = {};
  const press = (input: string, current = snap): void => {
    const c = ctx({ snapshot: withPending(current, pending), commands: trackingCommands(commands, () => current, pending) });
    dispatchKey(input, NO_KEY, c);
  };
  press('+');
  press('+');
  press(']');
  assert.deepEqual(calls, [
    ['setConcurrency', 17],
    ['setConcurrency', 18],
    ['setConcurrency', 28],
  ]);
  // Once the engine publishes, the snapshot is the truth again.
  press('-', makeSnapshot({ concurrency: 28 }));
  assert.deepEqual(calls.at(-1), ['setConcurrency', 27]);
  // If the engine settles on something else (it clamped, or another client changed it), follow it.
  press('+', makeSnapshot({ concurrency: 40 }));
  assert.deepEqual(calls.at(-1), ['setConcurrency', 41]);
});

test('splitKeys turns a pasted chunk into single keypresses', () => {
  assert.deepEqual(splitKeys('+', NO_KEY), [['+', NO_KEY]]);
  const keys = splitKeys('+S\t\u0003', NO_KEY);
  assert.deepEqual(
    keys.map(([input, k]) => [input, k.shift, k.tab, k.ctrl]),
    [
      ['+', false, false, false],
      ['S', true, false, false],
      ['', false, true, false],
      ['c', false, false, true],
    ],
  );
});

test('docs/dashboard.md lists every binding with its description', async () => {
  const { readFile } = await import('node:fs/promises');
  const doc = await readFile(new URL('../../docs/dashboard.md', import.meta.url), 'utf8');
  for (const b of KEYMAP) {
    const keys = b.keys.split(', ').map((k) => `\`${k}\``).join(', ');
    assert.ok(doc.includes(`| ${keys} | ${b.description} |`), `docs/dashboard.md is missing: | ${keys} | ${b.description} |`);
  }
});

test('several targets: t selects the next target, * sets every pool to the selected one, + reaches only the selected', () => {
  const targets = { names: ['a', 'b'], selected: 1 };
  const c = ctx({ snapshot: makeSnapshot({ concurrency: 12 }), targets });
  c.ui.cycleTarget = () => c.calls.push(['cycleTarget']);
  c.commands.setEveryConcurrency = (n) => c.calls.push(['setEveryConcurrency', n]);
  assert.equal(dispatchKey('t', NO_KEY, c), 'selectTarget');
  assert.equal(dispatchKey('*', NO_KEY, c), 'poolAll');
  assert.equal(dispatchKey('+', NO_KEY, c), 'poolUp');
  // The context's commands are the selected target's for the pool (TargetsApp binds them so).
  assert.deepEqual(c.calls, [['cycleTarget'], ['setEveryConcurrency', 12], ['setConcurrency', 13]]);
});

test('one target: t and * do nothing, and the bindings say they need several targets', () => {
  const c = ctx();
  c.ui.cycleTarget = () => c.calls.push(['cycleTarget']);
  c.commands.setEveryConcurrency = (n) => c.calls.push(['setEveryConcurrency', n]);
  assert.equal(dispatchKey('t', NO_KEY, c), undefined);
  assert.equal(dispatchKey('*', NO_KEY, c), undefined);
  assert.deepEqual(c.calls, []);
  for (const id of ['selectTarget', 'poolAll']) {
    const b = KEYMAP.find((k) => k.id === id);
    assert.equal(b?.onlyWithTargets, true, id);
    assert.match(b?.availability ?? '', /several targets/);
  }
  // The pool keys act on the selected target; the load shape (stream share, rate) on every one.
  assert.equal(KEYMAP.find((k) => k.id === 'poolUp')?.targetScope, 'selected');
  assert.equal(KEYMAP.find((k) => k.id === 'ratioUp')?.targetScope, 'every');
});
