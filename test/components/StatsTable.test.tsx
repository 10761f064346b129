import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { StatsTable, visibleColumns } from '../../src/components/StatsTable.tsx';
import { makeSnapshot } from '../../src/ui/fake-snapshot.ts';
import { frameSize, renderSized, stripAnsi } from './helpers/render.ts';

afterEach(cleanup);

test('a row per mode with requests, ok, failed and the TTFT of both modes in the same columns', () => {
  const frame = stripAnsi(render(<StatsTable snapshot={makeSnapshot()} width={80} />).lastFrame() ?? '');
  const lines = frame.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0] ?? '', /requests.*TTFT.*ITL.*E2E/);
  assert.match(lines[1] ?? '', /mode\s+req\s+ok\s+fail\s+mean\s+p50\s+p95\s+p99/);
  const stream = lines[2] ?? '';
  const nonstream = lines[3] ?? '';
  assert.match(stream, /^stream\s+617\s+609\s+5\s+197ms\s+182ms\s+309ms\s+437ms/);
  assert.match(nonstream, /^non-stream\s+601\s+599\s+2\s+2\.58s\s+2\.39s\s+4\.06s\s+5\.74s/);
  // TTFT p50 sits in the same column for both modes: the contrast reads down the column.
  assert.equal(stream.indexOf('182ms'), nonstream.indexOf('2.39s'));
  assert.ok(frameSize(frame).width <= 80);
});

test('non-stream has no ITL: a dash, not 0ms', () => {
  const frame = stripAnsi(render(<StatsTable snapshot={makeSnapshot()} width={100} />).lastFrame() ?? '');
  const nonstream = frame.split('\n')[3] ?? '';
  assert.ok(nonstream.includes(' - '), nonstream);
});

test('wide terminals show mean/p50/p95/p99 of TTFT, ITL and E2E plus tokens/s', () => {
  const r = renderSized(<StatsTable snapshot={makeSnapshot()} width={120} />, 120, 40);
  const header = r.lastFrame().split('\n')[1] ?? '';
  r.unmount();
  assert.equal(header.match(/mean/g)?.length, 3);
  assert.equal(header.match(/p99/g)?.length, 3);
  assert.match(header, /tok\/s/);
  assert.equal(visibleColumns(120).length, 16);
});

test('narrow terminals keep the TTFT columns longest', () => {
  const cols = visibleColumns(50).map((c) => `${c.group}.${c.header}`);
  assert.ok(cols.includes('TTFT.p50') && cols.includes('TTFT.p99'), cols.join());
  assert.ok(!cols.includes('ITL.mean'));
  for (const w of [40, 60, 80, 100]) {
    const frame = stripAnsi(render(<StatsTable snapshot={makeSnapshot()} width={w} />).lastFrame() ?? '');
    assert.ok(frameSize(frame).width <= w, `${w}\n${frame}`);
  }
});

test('an empty run shows dashes', () => {
  const snap = makeSnapshot();
  const empty = { ...snap, byMode: { stream: { ...snap.byMode.stream, ttft: { ...snap.byMode.stream.ttft, count: 0 } }, nonstream: snap.byMode.nonstream } };
  const frame = stripAnsi(render(<StatsTable snapshot={empty} width={80} />).lastFrame() ?? '');
  assert.match(frame.split('\n')[2] ?? '', /^stream\s+617\s+609\s+5\s+-\s+-\s+-\s+-/);
});

test('issue 14: a cache column (share of prompt tokens cached) appears once the server reported cached tokens', () => {
  const snap = makeSnapshot();
  const before = stripAnsi(render(<StatsTable snapshot={snap} width={140} />).lastFrame() ?? '');
  assert.ok(!/cache/.test(before));
  snap.byMode.stream = { ...snap.byMode.stream, inputTokens: 10_000, cachedTokens: 7_800 };
  const frame = stripAnsi(render(<StatsTable snapshot={snap} width={140} />).lastFrame() ?? '');
  const lines = frame.split('\n');
  assert.match(lines[1] ?? '', /cache/);
  assert.match(lines[2] ?? '', /78%/);
  assert.match(lines[3] ?? '', / - *$/, 'a mode without reported prompt tokens shows a dash');
});
