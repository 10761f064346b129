import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { StreamPane } from '../../src/components/StreamPane.tsx';
import { StatsTable, visibleColumns } from '../../src/components/StatsTable.tsx';
import type { PaneSnapshot } from '../../src/engine/types.ts';
import { makeSnapshot, makeSummary } from '../../src/ui/fake-snapshot.ts';
import { frameSize, stripAnsi } from './helpers/render.ts';

afterEach(cleanup);

const DIM = '\u001B[2m';

function pane(over: Partial<PaneSnapshot>): PaneSnapshot {
  return { id: 3, mode: 'stream', state: 'thinking', elapsedMs: 900, tokens: 12, tokensPerSec: 20, text: '', ...over };
}

test('a reasoning pane: state thinking, its reasoning dimmed', () => {
  const raw = render(<StreamPane pane={pane({ reasoning: 'Let me weigh the options' })} width={50} height={3} />).lastFrame() ?? '';
  const frame = stripAnsi(raw);
  assert.match(frame.split('\n')[0] ?? '', /#3 stream thinking/);
  assert.match(frame, /Let me weigh the options/);
  const line = raw.split('\n').find((l) => l.includes('Let me weigh'));
  assert.ok(line?.includes(DIM), `reasoning is dim: ${JSON.stringify(line)}`);
});

test('then the answer below the reasoning, not dimmed; reasoning scrolls off first', () => {
  const raw =
    render(
      <StreamPane pane={pane({ state: 'streaming', reasoning: `first ${'x'.repeat(40)} last thought`, text: 'The answer is 4.' })} width={30} height={3} />,
    ).lastFrame() ?? '';
  const lines = raw.split('\n');
  const plain = stripAnsi(raw).split('\n');
  assert.match(plain[1] ?? '', /last thought/);
  assert.doesNotMatch(stripAnsi(raw), /first/, 'older reasoning scrolled off');
  assert.equal((plain[2] ?? '').trim(), 'The answer is 4.');
  assert.ok((lines[1] ?? '').includes(DIM), 'the reasoning is dim');
  assert.ok(!(lines[2] ?? '').includes(DIM), 'the answer is not dim');
});

test('a tool call shows as ⚙ name(args…)', () => {
  const frame = stripAnsi(render(<StreamPane pane={pane({ state: 'streaming', text: '⚙ get_weather({"city":"Oslo"' })} width={50} height={2} />).lastFrame() ?? '');
  assert.match(frame, /⚙ get_weather\(\{"city":"Oslo"/);
});

test('the stats table shows TTFO next to TTFT once a response has reasoned, and only then', () => {
  const plain = makeSnapshot();
  assert.doesNotMatch(stripAnsi(render(<StatsTable snapshot={plain} width={120} />).lastFrame() ?? ''), /TTFO/);
  const s = makeSnapshot();
  s.byMode.stream.reasoningRequests = 10;
  s.byMode.stream.ttfo = makeSummary(950, 10);
  const frame = stripAnsi(render(<StatsTable snapshot={s} width={120} />).lastFrame() ?? '');
  const [groups = '', , stream = ''] = frame.split('\n');
  assert.match(groups, /TTFT ─+ TTFO ─+/);
  assert.match(stream, /950ms/);
  assert.ok(frameSize(frame).width <= 120);
  // At 80 columns the TTFO p50 still fits beside the TTFT p50.
  const narrow = visibleColumns(80, { reasoning: true }).map((c) => `${c.group}.${c.header}`);
  assert.ok(narrow.includes('TTFT.p50') && narrow.includes('TTFO.p50'), narrow.join(' '));
});
