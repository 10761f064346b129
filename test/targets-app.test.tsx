import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { TargetsApp } from '../src/targets-app.tsx';
import type { EngineSnapshot, NamedTarget, TargetsSnapshot, TargetsSource } from '../src/engine/types.ts';
import type { DashboardCommands } from '../src/ui/dashboard-commands.ts';
import { slower } from './components/helpers/targets.ts';
import { frameSize, renderSized, tick, waitFor } from './components/helpers/render.ts';

afterEach(cleanup);

function named(names: readonly string[]): NamedTarget[] {
  return names.map((name) => ({ name, info: { label: 'built-in simulator', api: 'openai', model: 'streamtop-sim', simulated: true } }));
}

interface Harness {
  /** [target index or 'every', command, ...args] */
  calls: unknown[][];
  frame: () => string;
  press: (data: string) => Promise<void>;
  unmount: () => void;
}

/** Renders the multi-target dashboard; commands record their calls and publish pool changes like the engines. */
async function mount(snapshots: EngineSnapshot[], names: string[], columns: number, rows: number, publishPools = true): Promise<Harness> {
  let current: TargetsSnapshot = { targets: snapshots };
  const listeners = new Set<() => void>();
  const source: TargetsSource = {
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => current,
  };
  const publish = (t: number | undefined, patch: Partial<EngineSnapshot>): void => {
    current = { targets: current.targets.map((s, i) => (t === undefined || t === i ? { ...s, ...patch } : s)) };
    for (const l of listeners) l();
  };
  const calls: unknown[][] = [];
  const commandsFor = (t: number | undefined): DashboardCommands => {
    const who = t ?? 'every';
    return {
      setConcurrency: (n) => {
        calls.push([who, 'setConcurrency', n]);
        if (publishPools) publish(t, { concurrency: n });
      },
      setStreamRatio: (r) => calls.push([who, 'setStreamRatio', r]),
      setRate: (r) => calls.push([who, 'setRate', r]),
      pause: () => calls.push([who, 'pause']),
      resume: () => calls.push([who, 'resume']),
      newSegment: () => calls.push([who, 'newSegment']),
      toggleEarlyStop: () => calls.push([who, 'toggleEarlyStop']),
      stop: async () => {
        calls.push([who, 'stop']);
      },
      ...(t !== undefined ? { injectLatencySpike: () => calls.push([who, 'injectLatencySpike']) } : {}),
    };
  };
  const r = renderSized(
    <TargetsApp source={source} targets={named(names)} commandsFor={commandsFor} onQuit={() => {}} columns={columns} rows={rows} noColor />,
    columns,
    rows,
  );
  await tick();
  return {
    calls,
    frame: r.lastFrame,
    press: async (data) => {
      r.stdin.write(data);
      await tick();
    },
    unmount: r.unmount,
  };
}

test('80x24, two targets: fits, a table row per mode and target with b 50 ms above a, legend and labelled panes', async () => {
  const h = await mount([slower(0), slower(50)], ['a', 'b'], 80, 24);
  try {
    const frame = h.frame();
    const size = frameSize(frame);
    assert.ok(size.lines <= 23, `${size.lines} lines:\n${frame}`);
    assert.ok(size.width <= 80, `${size.width} columns:\n${frame}`);
    assert.match(frame, /streamtop {2}a vs b {2}▸ a: built-in simulator/);
    assert.match(frame, /closed loop N ▸a=16 b=16/);
    assert.match(frame, /Δp50/);
    // The reference's row says so; b's TTFT p50 (232 ms) is 50 ms above a's (182 ms).
    assert.match(frame, /^stream\s+a\s+617\s+(609\s+)?5\s+182ms\s+ref\b/m);
    assert.match(frame, /^\s+b\s+617\s+(609\s+)?5\s+232ms\s+\+50ms\b/m);
    assert.match(frame, /^non-stream\s+a\s/m);
    assert.match(frame, /TTFT stream {2}─ p50 ╌ p95 {2}━ a \d+ms\/\d+ms {2}━ b \d+ms\/\d+ms/);
    assert.match(frame, /\[a\] #1198/);
    assert.match(frame, /\[b\] #1198/);
    assert.match(frame, /t target/);
    assert.match(frame, /\* pool all/);
  } finally {
    h.unmount();
  }
});

test('120x40, four targets: fits, four rows per mode, every target in the legend', async () => {
  const names = ['direct', 'gw-eu', 'gw-us', 'model-b'];
  const h = await mount([slower(0), slower(20), slower(35), slower(400)], names, 120, 40);
  try {
    const frame = h.frame();
    const size = frameSize(frame);
    assert.ok(size.lines <= 39, `${size.lines} lines:\n${frame}`);
    assert.ok(size.width <= 120, `${size.width} columns:\n${frame}`);
    // Two names start with g: the tags are the targets' numbers, and the legend says which is which.
    for (const [i, n] of names.entries()) assert.match(frame, new RegExp(`━ ${i + 1}=${n}`), n);
    assert.match(frame, /^stream\s+direct\s.*\bref\b/m);
    assert.match(frame, /^\s+gw-eu\s.*\+20ms/m);
    assert.match(frame, /^\s+model-b\s.*\+400ms/m);
    assert.equal(frame.match(/^\s+model-b\s/gm)?.length, 2, 'a row per mode');
    // Two charts side by side from 120 columns: the selected metric and the next.
    assert.match(frame, /TTFT stream .*TTFT non-stream/);
    assert.match(frame, /closed loop N ▸direct=16 gw-eu=16 gw-us=16 model-b=16/);
  } finally {
    h.unmount();
  }
});

test('t then + grows only the selected target; * sets every pool to its size; s goes to every target', async () => {
  const h = await mount([slower(0, { concurrency: 8 }), slower(50, { concurrency: 8 })], ['a', 'b'], 80, 24);
  try {
    await h.press('t');
    await waitFor(() => assert.match(h.frame(), /▸ b: /));
    assert.match(h.frame(), /N a=8 ▸b=8/);
    await h.press('+');
    await waitFor(() => assert.match(h.frame(), /N a=8 ▸b=9/));
    await h.press('+');
    await waitFor(() => assert.match(h.frame(), /N a=8 ▸b=10/));
    await h.press('*');
    await waitFor(() => assert.match(h.frame(), /N a=10 ▸b=10/));
    await h.press('s');
    await waitFor(() => h.calls.length === 4);
    assert.deepEqual(h.calls, [
      [1, 'setConcurrency', 9],
      [1, 'setConcurrency', 10],
      ['every', 'setConcurrency', 10],
      ['every', 'setStreamRatio', 0.6],
    ]);
    // t wraps around to the reference.
    await h.press('t');
    await waitFor(() => assert.match(h.frame(), /N ▸a=10 b=10/));
    await h.press('-');
    await waitFor(() => assert.deepEqual(h.calls.at(-1), [0, 'setConcurrency', 9]));
  } finally {
    h.unmount();
  }
});

test('the help lists t and *, and says which target each key acts on', async () => {
  const h = await mount([slower(0), slower(50)], ['a', 'b'], 120, 40);
  try {
    await h.press('t');
    await h.press('?');
    await waitFor(() => assert.match(h.frame(), /select the next target/));
    const frame = h.frame();
    assert.match(frame, /\*\s+every target's pool to the selected target's size/);
    assert.match(frame, /pool size \+1 \[b\]/);
    assert.match(frame, /streaming share \+10% \[every target\]/);
  } finally {
    h.unmount();
  }
});

test('presses faster than snapshots build on the value sent, per target: + on a, t, + on b gives b 9, not 10', async () => {
  const h = await mount([slower(0, { concurrency: 8 }), slower(50, { concurrency: 8 })], ['a', 'b'], 80, 24, false);
  try {
    await h.press('+');
    await h.press('+');
    await h.press('t');
    await waitFor(() => assert.match(h.frame(), /▸ b: /));
    await h.press('+');
    await waitFor(() => h.calls.length === 3);
    assert.deepEqual(h.calls, [
      [0, 'setConcurrency', 9],
      [0, 'setConcurrency', 10],
      [1, 'setConcurrency', 9],
    ]);
  } finally {
    h.unmount();
  }
});

test('t and + in one chunk of input (keys typed while the terminal was busy): + goes to the target t selected', async () => {
  const h = await mount([slower(0, { concurrency: 8 }), slower(50, { concurrency: 8 })], ['a', 'b'], 80, 24);
  try {
    await h.press('t+');
    await waitFor(() => assert.match(h.frame(), /N a=8 ▸b=9/));
    assert.deepEqual(h.calls, [[1, 'setConcurrency', 9]]);
  } finally {
    h.unmount();
  }
});
