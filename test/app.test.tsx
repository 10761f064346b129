import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../src/app.tsx';
import type { AppProps } from '../src/app.tsx';
import type { EngineSnapshot, TargetInfo } from '../src/engine/types.ts';
import { makeSnapshot } from '../src/ui/fake-snapshot.ts';
import { createManualSource } from '../src/ui/snapshot-store.ts';
import { fakeCommands } from './components/helpers/fakes.ts';
import type { Call, FakeCommandsOptions } from './components/helpers/fakes.ts';
import { frameSize, renderSized, stripAnsi, tick, waitFor } from './components/helpers/render.ts';

afterEach(cleanup);

const SIM: TargetInfo = { label: 'built-in simulator', api: 'openai', model: 'sim-llama', simulated: true };

interface Harness {
  calls: Call[];
  quits: () => number;
  quitHows: () => string[];
  frame: () => string;
  press: (data: string) => Promise<void>;
  source: ReturnType<typeof createManualSource>;
}

async function mount(
  snapshot: EngineSnapshot = makeSnapshot(),
  opts: FakeCommandsOptions & { target?: TargetInfo; publish?: boolean; props?: Partial<AppProps> } = {},
): Promise<Harness> {
  const source = createManualSource(snapshot);
  // `publish: true` makes the fake engine publish each setting change, as the real one does.
  const { commands, calls } = fakeCommands({ ...opts, source: opts.publish === false ? undefined : source });
  let quits = 0;
  const quitHows: string[] = [];
  const r = render(
    <App
      source={source}
      commands={commands}
      target={opts.target ?? SIM}
      onQuit={(how) => {
        quits++;
        quitHows.push(how);
      }}
      columns={80}
      rows={24}
      noColor
      {...opts.props}
    />,
  );
  // useInput attaches its stdin listener in an effect: let it run before typing.
  await tick();
  return {
    calls,
    quits: () => quits,
    quitHows: () => quitHows,
    frame: () => stripAnsi(r.lastFrame() ?? ''),
    press: async (data) => {
      r.stdin.write(data);
      await tick();
    },
    source,
  };
}

const UP = '\u001B[A';
const DOWN = '\u001B[B';

test('pool size keys: + - up down ] [ change the pool by 1 and 10 from the current value', async () => {
  const h = await mount(makeSnapshot({ concurrency: 16 }));
  for (const k of ['+', '+', UP, '-', DOWN, ']', '[', '[']) await h.press(k);
  await waitFor(() => h.calls.length === 8);
  assert.deepEqual(h.calls, [
    ['setConcurrency', 17],
    ['setConcurrency', 18],
    ['setConcurrency', 19],
    ['setConcurrency', 18],
    ['setConcurrency', 17],
    ['setConcurrency', 27],
    ['setConcurrency', 17],
    ['setConcurrency', 7],
  ]);
  await waitFor(() => assert.match(h.frame(), /closed loop N=7/));
});

test('pool size never goes below 1', async () => {
  const h = await mount(makeSnapshot({ concurrency: 3 }));
  await h.press('[');
  await h.press('-');
  await waitFor(() => h.calls.length === 2);
  assert.deepEqual(h.calls, [
    ['setConcurrency', 1],
    ['setConcurrency', 1],
  ]);
});

test('rapid presses between snapshots are not lost', async () => {
  const h = await mount(makeSnapshot({ concurrency: 16 }), { publish: false });
  await h.press('+');
  await h.press('+');
  await h.press('+');
  await waitFor(() => h.calls.length === 3);
  assert.deepEqual(h.calls.map((c) => c[1]), [17, 18, 19]);
});

test('a chunk of keys (key repeat under load, tmux send-keys) counts as each key', async () => {
  const h = await mount(makeSnapshot({ concurrency: 16, streamRatio: 0.5 }), { publish: false });
  await h.press('+++');
  await h.press('s\tz');
  await waitFor(() => h.calls.length === 5);
  assert.deepEqual(h.calls, [
    ['setConcurrency', 17],
    ['setConcurrency', 18],
    ['setConcurrency', 19],
    ['setStreamRatio', 0.6],
    ['newSegment'],
  ]);
  await waitFor(() => assert.match(h.frame(), /TTFT non-stream  ━/));
});

test('s / S change the stream ratio by 10% within 0..1', async () => {
  const h = await mount(makeSnapshot({ streamRatio: 0.9 }));
  await h.press('s');
  await h.press('s');
  await h.press('S');
  await waitFor(() => h.calls.length === 3);
  assert.deepEqual(h.calls, [
    ['setStreamRatio', 1],
    ['setStreamRatio', 1],
    ['setStreamRatio', 0.9],
  ]);
});

test('r / R change the rate in open loop only', async () => {
  const open = await mount(makeSnapshot({ loadMode: 'open', rate: 10 }));
  await open.press('r');
  await open.press('R');
  await open.press('R');
  await waitFor(() => open.calls.length === 3);
  assert.deepEqual(open.calls, [
    ['setRate', 12.5],
    ['setRate', 10],
    ['setRate', 8],
  ]);
  const closed = await mount(makeSnapshot());
  await closed.press('r');
  await closed.press('R');
  await closed.press('z'); // a key that does act, so we know the two above were processed
  await waitFor(() => closed.calls.length === 1);
  assert.deepEqual(closed.calls, [['newSegment']]);
});

test('space pauses and resumes, following the published state', async () => {
  const h = await mount(makeSnapshot({ state: 'running' }));
  await h.press(' ');
  await waitFor(() => assert.match(h.frame(), /PAUSED/));
  assert.match(h.frame(), /␣ resume/);
  await h.press(' ');
  await waitFor(() => assert.match(h.frame(), /RUNNING/));
  assert.deepEqual(h.calls, [['pause'], ['resume']]);
});

test('z, e, l, f and a call their commands', async () => {
  const h = await mount(makeSnapshot(), { autoTune: true });
  for (const k of ['z', 'e', 'l', 'f', 'a']) await h.press(k);
  await waitFor(() => h.calls.length === 5);
  assert.deepEqual(h.calls, [['newSegment'], ['toggleEarlyStop'], ['injectLatencySpike'], ['injectFaultBurst'], ['autoTune']]);
  await waitFor(() => assert.match(h.frame(), /e early-stop:on/));
});

test('l and f do nothing against a remote target; a does nothing without autotune', async () => {
  const h = await mount(makeSnapshot(), { target: { ...SIM, label: 'https://x', simulated: false } });
  for (const k of ['l', 'f', 'a', 'z']) await h.press(k);
  await waitFor(() => h.calls.length === 1);
  assert.deepEqual(h.calls, [['newSegment']]);
});

test('tab cycles the charted metric', async () => {
  const h = await mount();
  assert.match(h.frame(), /TTFT stream  ━/);
  const seen: string[] = [];
  for (const expected of ['TTFT non-stream', 'E2E stream', 'E2E non-stream', 'ITL stream', 'TTFO stream', 'TTFT stream']) {
    await h.press('\t');
    await waitFor(() => assert.ok(h.frame().includes(`${expected}  ━`), expected));
    seen.push(expected);
  }
  assert.equal(seen.length, 6);
});

test('? opens the help overlay; ? and esc close it; it is modal', async () => {
  const h = await mount();
  await h.press('?');
  await waitFor(() => assert.match(h.frame(), /press \? or esc to close/));
  assert.doesNotMatch(h.frame(), /TTFT stream  ━/);
  await h.press('+');
  await h.press('?');
  await waitFor(() => assert.doesNotMatch(h.frame(), /press \? or esc to close/));
  assert.match(h.frame(), /TTFT stream  ━/);
  await h.press('?');
  await waitFor(() => assert.match(h.frame(), /press \? or esc to close/));
  await h.press('\u001B');
  await waitFor(() => assert.doesNotMatch(h.frame(), /press \? or esc to close/));
  assert.deepEqual(h.calls, [], '+ was swallowed by the overlay');
});

test('q calls onQuit once, even if pressed again', async () => {
  const h = await mount();
  await h.press('q');
  await h.press('q');
  await waitFor(() => h.quits() === 1);
  await tick();
  assert.equal(h.quits(), 1);
});

test('item 11: Ctrl-C calls onQuit as an interruption, q as a normal end', async () => {
  const h = await mount();
  await h.press('\u0003');
  await waitFor(() => h.quits() === 1);
  assert.deepEqual(h.quitHows(), ['interrupt']);
  assert.deepEqual(h.calls, [], 'the App leaves stopping the engine to the caller');
  const q = await mount();
  await q.press('q');
  await waitFor(() => q.quits() === 1);
  assert.deepEqual(q.quitHows(), ['user']);
});

test('re-renders on each published snapshot and shows its notice', async () => {
  const h = await mount();
  h.source.set(makeSnapshot({ inFlight: 3, notice: 'fault burst injected', elapsedMs: 125_000 }));
  await waitFor(() => assert.match(h.frame(), /fault burst injected/));
  assert.match(h.frame(), /in flight 3/);
  assert.match(h.frame(), /02:05/);
});

test('unsubscribes from the store on unmount', async () => {
  const source = createManualSource(makeSnapshot());
  const { commands } = fakeCommands();
  const r = render(<App source={source} commands={commands} target={SIM} onQuit={() => {}} columns={80} rows={24} />);
  assert.equal(source.listenerCount(), 1);
  r.unmount();
  assert.equal(source.listenerCount(), 0);
});

function assertFits(frame: string, columns: number, rows: number): void {
  const size = frameSize(frame);
  assert.ok(size.width <= columns, `a line is ${size.width} wide (> ${columns}):\n${frame}`);
  // rows - 1: a frame as tall as the terminal makes Ink clear and redraw the screen each update.
  assert.ok(size.lines <= rows - 1, `${size.lines} lines (> ${rows - 1}):\n${frame}`);
}

test('80x24: every section fits the terminal', async () => {
  const h = await mount();
  const frame = h.frame();
  assertFits(frame, 80, 24);
  for (const s of ['built-in simulator', 'closed loop N=16', 'TTFT', 'non-stream', '#1201', 'http_429', 'q quit', '? help']) {
    assert.ok(frame.includes(s), `missing ${s}`);
  }
  await h.press('?');
  await waitFor(() => assert.match(h.frame(), /press \? or esc/));
  assertFits(h.frame(), 80, 24);
});

test('120x40: two charts, more panes, and still fits', async () => {
  const source = createManualSource(makeSnapshot());
  const { commands } = fakeCommands();
  const r = renderSized(<App source={source} commands={commands} target={SIM} onQuit={() => {}} columns={120} rows={40} noColor />, 120, 40);
  await tick();
  const frame = r.lastFrame();
  r.unmount();
  assertFits(frame, 120, 40);
  assert.match(frame, /TTFT stream  ━.*TTFT non-stream  ━/);
  assert.equal(frame.match(/#\d+ /g)?.length, 8);
});

test('many sizes, many states: never wider or taller than the terminal', async () => {
  const snaps = [
    makeSnapshot(),
    makeSnapshot({ errors: [], panes: [], notice: 'x'.repeat(200) }),
    makeSnapshot({ loadMode: 'open', rate: 123.4, queued: 99_999, state: 'paused' }),
    makeSnapshot({ charts: { 'ttft.stream': [], 'ttfo.stream': [], 'ttft.nonstream': [], 'e2e.stream': [], 'e2e.nonstream': [], 'itl.stream': [] } }),
  ];
  for (const [columns, rows] of [[80, 24], [100, 30], [60, 16], [200, 60], [80, 12]] as const) {
    for (const snap of snaps) {
      const { commands } = fakeCommands();
      const r = renderSized(
        <App source={createManualSource(snap)} commands={commands} target={SIM} onQuit={() => {}} columns={columns} rows={rows} noColor />,
        columns,
        rows,
      );
      const frame = r.lastFrame();
      r.unmount();
      assertFits(frame, columns, rows);
    }
  }
});

test('follows terminal resizes when no size is given, and restores raw mode on unmount', async () => {
  const source = createManualSource(makeSnapshot());
  const { commands } = fakeCommands();
  const r = renderSized(<App source={source} commands={commands} target={SIM} onQuit={() => {}} noColor />, 120, 40);
  await tick();
  assert.match(r.lastFrame(), /TTFT non-stream  ━/);
  assert.equal(r.stdin.rawMode, true);
  r.stdout.columns = 80;
  r.stdout.rows = 24;
  r.stdout.emit('resize');
  await waitFor(() => assert.doesNotMatch(r.lastFrame(), /TTFT non-stream  ━/));
  assertFits(r.lastFrame(), 80, 24);
  r.unmount();
  assert.equal(r.stdin.rawMode, false);
});

test('NO_COLOR: the App emits no colour codes', async () => {
  const source = createManualSource(makeSnapshot());
  const { commands } = fakeCommands();
  const r = renderSized(<App source={source} commands={commands} target={SIM} onQuit={() => {}} columns={80} rows={24} noColor />, 80, 24);
  const raw = r.stdout.lastFrame() ?? '';
  r.unmount();
  // eslint-disable-next-line no-control-regex
  assert.ok(!/\u001B\[(?:\d+;)*(?:3[0-7]|9[0-7])(?:;\d+)*m/.test(raw), 'no foreground colour codes');
  assert.ok(raw.includes('\u001B[1m'), 'attributes (bold) are not colour and stay');
});
