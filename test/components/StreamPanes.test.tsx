import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { StreamPane } from '../../src/components/StreamPane.tsx';
import { StreamPanes, paneGrid } from '../../src/components/StreamPanes.tsx';
import type { PaneSnapshot } from '../../src/engine/types.ts';
import { makeSnapshot } from '../../src/ui/fake-snapshot.ts';
import { frameSize, stripAnsi } from './helpers/render.ts';
import { displayWidth } from '../../src/ui/styled.ts';

afterEach(cleanup);

function pane(over: Partial<PaneSnapshot>): PaneSnapshot {
  return { id: 7, mode: 'stream', state: 'streaming', elapsedMs: 1500, tokens: 30, tokensPerSec: 20, text: '', ...over };
}

function frameOf(p: PaneSnapshot, width = 40, height = 3): string {
  return stripAnsi(render(<StreamPane pane={p} width={width} height={height} />).lastFrame() ?? '');
}

test('a streaming pane shows id, mode, state, elapsed, tokens, tokens/s and the tail of its text', () => {
  const text = 'line one\nline two ' + 'x'.repeat(100) + ' THE END';
  const frame = frameOf(pane({ text }), 60, 3);
  const lines = frame.split('\n');
  assert.match(lines[0] ?? '', /#7 stream streaming 1\.5s 30 tok 20\.0 tok\/s/);
  assert.match((lines[1] ?? '') + (lines[2] ?? ''), /THE END$/);
  assert.ok(!frame.includes('line one'), 'older text scrolled off');
  assert.equal(lines.length, 3);
});

test('each state has its label and placeholder', () => {
  assert.match(frameOf(pane({ state: 'queued', tokens: 0 })), /queued[\s\S]*queued for a slot/);
  assert.match(frameOf(pane({ state: 'connecting', tokens: 0 })), /connecting/);
  assert.match(frameOf(pane({ state: 'waiting', tokens: 0 })), /first token…[\s\S]*waiting for first token/);
  assert.match(frameOf(pane({ state: 'done', text: 'all of it' })), /done[\s\S]*all of it/);
  const failed = frameOf(pane({ state: 'failed', errorCode: 'timeout_idle', tokens: 0 }));
  assert.match(failed, /failed/);
  assert.match(failed, /timeout_idle/);
});

test('non-streaming: waits with no text, then shows the whole text at once', () => {
  const waiting = frameOf(pane({ mode: 'nonstream', state: 'waiting', tokens: 0 }), 60, 4);
  assert.match(waiting, /non-stream awaiting body/);
  assert.match(waiting, /waiting for the whole response/);
  const done = frameOf(pane({ mode: 'nonstream', state: 'done', tokens: 9, text: 'The whole answer arrives in one piece.' }), 60, 4);
  assert.match(done, /The whole answer arrives in one piece\./);
});

test('model output cannot inject escape sequences', () => {
  const frame = render(<StreamPane pane={pane({ text: 'evil \u001B[2J\u001B[31mred' })} width={40} height={2} />).lastFrame() ?? '';
  assert.ok(!frame.includes('\u001B[2J'));
  assert.match(stripAnsi(frame), /evil red/);
});

test('the number of panes follows the space given', () => {
  assert.deepEqual(paneGrid(8, 80, 6), { columns: 2, rows: 2, paneWidth: 39, paneHeight: 3 });
  assert.deepEqual(paneGrid(8, 120, 15), { columns: 3, rows: 3, paneWidth: 39, paneHeight: 5 });
  assert.equal(paneGrid(8, 40, 6).columns, 1);
  assert.equal(paneGrid(2, 80, 12).paneHeight, 6); // few requests: taller panes
  const panes = makeSnapshot().panes;
  const small = stripAnsi(render(<StreamPanes panes={panes} width={80} height={6} />).lastFrame() ?? '');
  assert.equal(small.match(/#\d+/g)?.length, 4);
  assert.ok(frameSize(small).width <= 80 && frameSize(small).lines <= 6, small);
  const big = stripAnsi(render(<StreamPanes panes={panes} width={80} height={12} />).lastFrame() ?? '');
  assert.equal(big.match(/(stream|non-stream) (streaming|awaiting|first|done|connecting|failed|queued)/g)?.length, 8);
});

test('no panes: a quiet placeholder', () => {
  const frame = stripAnsi(render(<StreamPanes panes={[]} width={80} height={4} />).lastFrame() ?? '');
  assert.match(frame, /no requests in flight/);
});

test('wide (CJK) model output stays inside the pane', () => {
  const text = '流式响应逐个令牌到达，因此第一个词会在答案完成之前很久就出现。'.repeat(3);
  const frame = stripAnsi(render(<StreamPane pane={pane({ text })} width={30} height={4} />).lastFrame() ?? '');
  for (const line of frame.split('\n')) assert.ok(displayWidth(line) <= 30, `${displayWidth(line)}: ${line}`);
  assert.match(frame, /出现。$/);
});

test('a turn of a multi-turn session says which: session 12 · turn 3/5 (dropped first when narrow)', () => {
  const wide = frameOf(pane({ session: { session: 12, turn: 3, turns: 5 } }), 80, 2);
  assert.match(wide.split('\n')[0] ?? '', /#7 stream streaming 1\.5s session 12 · turn 3\/5 30 tok/);
  const narrow = frameOf(pane({ session: { session: 12, turn: 3, turns: 5 } }), 30, 2);
  assert.match(narrow.split('\n')[0] ?? '', /streaming/);
});
