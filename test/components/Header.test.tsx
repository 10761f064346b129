import { workloadWords } from '../../src/report/workload-text.ts';
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { Header } from '../../src/components/Header.tsx';
import { makeSnapshot } from '../../src/ui/fake-snapshot.ts';
import type { TargetInfo } from '../../src/engine/types.ts';
import { frameSize, stripAnsi } from './helpers/render.ts';

afterEach(cleanup);

const SIM: TargetInfo = { label: 'built-in simulator', api: 'openai', model: 'sim-llama', simulated: true };

test('closed loop: target, api, model, load, in flight, rates, errors, state and elapsed', () => {
  const { lastFrame } = render(<Header snapshot={makeSnapshot()} target={SIM} width={100} />);
  const frame = stripAnsi(lastFrame() ?? '');
  for (const s of ['built-in simulator', 'openai', 'sim-llama', 'closed loop N=16', 'in flight 16', '14.6 req/s', '1388 tok/s', 'errors 7', 'RUNNING', '01:23']) {
    assert.ok(frame.includes(s), `missing ${s} in\n${frame}`);
  }
  assert.equal(frameSize(frame).lines, 2);
});

test('open loop shows the rate and the queue', () => {
  const snap = makeSnapshot({ loadMode: 'open', rate: 20, queued: 3, concurrency: 64, inFlight: 64 });
  const frame = stripAnsi(render(<Header snapshot={snap} target={SIM} width={100} />).lastFrame() ?? '');
  assert.match(frame, /open loop 20\.0\/s/);
  assert.match(frame, /queued 3/);
  assert.match(frame, /in flight 64\/64/);
});

test('paused and stopping states are shown, and the spinner follows elapsed time', () => {
  const paused = stripAnsi(render(<Header snapshot={makeSnapshot({ state: 'paused' })} target={SIM} width={80} />).lastFrame() ?? '');
  assert.match(paused, /PAUSED/);
  assert.match(paused, /^‖/);
  const stopping = stripAnsi(render(<Header snapshot={makeSnapshot({ state: 'stopping' })} target={SIM} width={80} />).lastFrame() ?? '');
  assert.match(stopping, /STOPPING/);
  const a = stripAnsi(render(<Header snapshot={makeSnapshot({ elapsedMs: 0 })} target={SIM} width={80} />).lastFrame() ?? '');
  const b = stripAnsi(render(<Header snapshot={makeSnapshot({ elapsedMs: 80 })} target={SIM} width={80} />).lastFrame() ?? '');
  assert.notEqual(a[0], b[0]);
});

test('fits narrow terminals by dropping the least important items', () => {
  const target: TargetInfo = { label: 'https://a-very-long-gateway-hostname.example.com/v1', api: 'anthropic', model: 'claude-some-long-model-name', simulated: false };
  const frame = stripAnsi(render(<Header snapshot={makeSnapshot()} target={target} width={60} />).lastFrame() ?? '');
  assert.ok(frameSize(frame).width <= 60, frame);
  assert.equal(frameSize(frame).lines, 2);
  assert.match(frame, /RUNNING 01:23/);
  assert.match(frame, /errors 7/);
});

test('issue 14: the header states the workload in a few words', () => {
  const words = workloadWords({
    source: 'synthetic',
    inputTokens: { kind: 'normal', mean: 1000, sd: 100 },
    outputTokens: { kind: 'fixed', n: 200 },
    prefix: { tokens: 512, groups: 4, ratio: 1 },
  });
  assert.equal(words, 'in 1000±100 tok · out 200 · prefix 512×4');
  assert.equal(workloadWords({ source: 'built-in' }), undefined);
  assert.equal(workloadWords({ source: 'synthetic', inputTokens: { kind: 'uniform', min: 10, max: 90 }, prefix: { tokens: 8, groups: 1, ratio: 0.5 } }), 'in 10-90 tok · prefix 8×1 @50%');
  const frame = stripAnsi(render(<Header snapshot={makeSnapshot()} target={{ ...SIM, workload: words }} width={140} />).lastFrame() ?? '');
  assert.match(frame, /in 1000±100 tok · out 200 · prefix 512×4/);
});
