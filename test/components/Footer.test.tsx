import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { Footer } from '../../src/components/Footer.tsx';
import { HelpOverlay } from '../../src/components/HelpOverlay.tsx';
import type { TargetInfo } from '../../src/engine/types.ts';
import { makeSnapshot } from '../../src/ui/fake-snapshot.ts';
import { KEYMAP } from '../../src/ui/keymap.ts';
import { fakeCommands } from './helpers/fakes.ts';
import { frameSize, stripAnsi } from './helpers/render.ts';

afterEach(cleanup);

const SIM: TargetInfo = { label: 'built-in simulator', api: 'openai', model: 'm', simulated: true };
const REMOTE: TargetInfo = { label: 'https://api.example.com/v1', api: 'openai', model: 'm', simulated: false };

test('lists the keys that work now, on two lines at 80 columns', () => {
  const { commands } = fakeCommands();
  const frame = stripAnsi(render(<Footer snapshot={makeSnapshot()} commands={commands} target={SIM} width={80} maxLines={2} />).lastFrame() ?? '');
  for (const s of ['q quit', '? help', '␣ pause', '+- pool', '][ ±10', 'sS stream%', 'tab chart', 'z reset', 'e early-stop:off', 'l spike', 'f faults']) {
    assert.ok(frame.includes(s), `missing ${s}:\n${frame}`);
  }
  assert.ok(!frame.includes('rR rate'), 'closed loop: no rate keys');
  assert.ok(!frame.includes('autotune'), 'no autotune command: no key');
  assert.ok(frameSize(frame).width <= 80 && frameSize(frame).lines === 2, frame);
});

test('open loop adds rate keys; remote targets drop the simulator keys; autotune when offered', () => {
  const { commands } = fakeCommands({ simulator: false, autoTune: true });
  const frame = stripAnsi(
    render(<Footer snapshot={makeSnapshot({ loadMode: 'open', rate: 10 })} commands={commands} target={REMOTE} width={120} maxLines={1} />).lastFrame() ?? '',
  );
  assert.match(frame, /rR rate/);
  assert.match(frame, /a autotune/);
  assert.doesNotMatch(frame, /spike|faults/);
});

test('one line only: keys drop by priority, quit and help stay', () => {
  const { commands } = fakeCommands();
  const frame = stripAnsi(render(<Footer snapshot={makeSnapshot()} commands={commands} target={SIM} width={40} maxLines={1} />).lastFrame() ?? '');
  assert.equal(frameSize(frame).lines, 1);
  assert.ok(frameSize(frame).width <= 40);
  assert.match(frame, /q quit/);
  assert.match(frame, /\? help/);
});

test('shows the notice and the resume label when paused', () => {
  const { commands } = fakeCommands();
  const snap = makeSnapshot({ state: 'paused', notice: 'latency spike injected' });
  const frame = stripAnsi(render(<Footer snapshot={snap} commands={commands} target={SIM} width={80} maxLines={2} />).lastFrame() ?? '');
  assert.match(frame, /latency spike injected/);
  assert.match(frame, /␣ resume/);
});

test('the help overlay lists every key binding (those for several targets only with several targets)', () => {
  const { commands } = fakeCommands();
  const frame = stripAnsi(render(<HelpOverlay snapshot={makeSnapshot()} commands={commands} target={SIM} width={80} height={20} />).lastFrame() ?? '');
  for (const b of KEYMAP) {
    if (b.onlyWithTargets === true) assert.ok(!frame.includes(b.description), `${b.id} listed with one target`);
    else assert.ok(frame.includes(b.keys) && frame.includes(b.description), `missing ${b.id}`);
  }
  assert.match(frame, /open loop \(--rate\) only/);
  assert.match(frame, /press \? or esc to close/);
  assert.ok(frameSize(frame).lines <= 20);
});

test('the help overlay uses two columns when short and wide', () => {
  const { commands } = fakeCommands();
  const frame = stripAnsi(render(<HelpOverlay snapshot={makeSnapshot()} commands={commands} target={SIM} width={100} height={12} />).lastFrame() ?? '');
  assert.ok(frameSize(frame).lines <= 12);
  for (const b of KEYMAP) if (b.onlyWithTargets !== true) assert.ok(frame.includes(b.keys), `missing ${b.id}`);
});

test('with several targets the help lists t and * too, in two columns when short', () => {
  const { commands } = fakeCommands();
  const targets = { names: ['a', 'b'], selected: 0 };
  const frame = stripAnsi(render(<HelpOverlay snapshot={makeSnapshot()} commands={commands} target={SIM} targets={targets} width={100} height={14} />).lastFrame() ?? '');
  assert.ok(frameSize(frame).lines <= 14);
  for (const b of KEYMAP) assert.ok(frame.includes(b.description.slice(0, 20)), `missing ${b.id}`);
});
