import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { TargetsStatsTable, deltaCell, targetsStatsLines } from '../../src/components/TargetsStatsTable.tsx';
import { TargetsChartPanel, targetsLegend } from '../../src/components/TargetsChart.tsx';
import { StreamPanes } from '../../src/components/StreamPanes.tsx';
import { combinedState, perTarget } from '../../src/components/TargetsHeader.tsx';
import { emptyModeStats, makeSeries, makeSnapshot } from '../../src/ui/fake-snapshot.ts';
import { interleavePanes, nextTargetsChartKey } from '../../src/ui/targets-view.ts';
import { slower } from './helpers/targets.ts';
import { frameSize, stripAnsi } from './helpers/render.ts';

afterEach(cleanup);

const frameOf = (el: React.JSX.Element): string => stripAnsi(render(el).lastFrame() ?? '');

test('stats: a row per mode and target, the reference first in each mode, Δp50 against it', () => {
  const frame = frameOf(<TargetsStatsTable names={['direct', 'gateway']} snapshots={[slower(0), slower(48)]} width={100} />);
  const lines = frame.split('\n');
  assert.equal(lines.length, targetsStatsLines(2));
  assert.match(lines[1] ?? '', /mode\s+target\s+req.*p50\s+Δp50/);
  assert.match(lines[2] ?? '', /^stream\s+direct\s.*182ms\s+ref/);
  assert.match(lines[3] ?? '', /^\s+gateway\s.*230ms\s+\+48ms/);
  assert.match(lines[4] ?? '', /^non-stream\s+direct\s/);
  assert.match(lines[5] ?? '', /^\s+gateway\s/);
  // The Δ of each metric sits in one column for every row.
  assert.equal((lines[2] ?? '').indexOf(' ref') + ' ref'.length, (lines[3] ?? '').indexOf('+48ms') + '+48ms'.length);
  assert.ok(frameSize(frame).width <= 100);
});

test('Δ: signed milliseconds, "ref" on the reference, "-" without samples on either side', () => {
  const a = makeSnapshot().byMode.stream;
  const faster = { ...a, ttft: { ...a.ttft, p50: a.ttft.p50 - 3.25 } };
  assert.equal(deltaCell('ttft', faster, a), '-3.3ms');
  assert.equal(deltaCell('ttft', a, undefined), 'ref');
  assert.equal(deltaCell('ttft', emptyModeStats(), a), '-');
  assert.equal(deltaCell('e2e', { ...a, e2e: { ...a.e2e, p50: a.e2e.p50 + 1200 } }, a), '+1.20s');
});

test('stats at 80 columns keep TTFT p50 and its Δ', () => {
  const frame = frameOf(<TargetsStatsTable names={['a', 'b']} snapshots={[slower(0), slower(50)]} width={80} />);
  assert.ok(frameSize(frame).width <= 80);
  assert.match(frame, /\+50ms/);
  assert.match(frame.split('\n')[0] ?? '', /TTFT/);
});

test('chart: the legend names every target with its latest p50/p95; values go before names when narrow', () => {
  const series = [
    { name: 'a', points: makeSeries(100, 30, 30_000, 1000) },
    { name: 'b', points: makeSeries(150, 30, 30_000, 1000) },
  ];
  const wide = targetsLegend('TTFT stream', series, 100).map((p) => p.text).join('');
  assert.match(wide, /^TTFT stream {2}─ p50 ╌ p95 {2}━ a \d+ms\/\d+ms {2}━ b \d+ms\/\d+ms$/);
  const narrow = targetsLegend('TTFT stream', series, 30).map((p) => p.text).join('');
  assert.equal(narrow, 'TTFT stream  ━ a  ━ b');
  const frame = frameOf(<TargetsChartPanel chartKey="ttft.stream" series={series} width={80} height={8} />);
  const lines = frame.split('\n');
  assert.equal(lines.length, 8);
  assert.match(lines[0] ?? '', /━ a .*━ b /);
  // Each line ends in its target's tag, so a plain-text capture still says whose line is whose.
  assert.ok(lines.slice(1, 7).some((l) => l.trimEnd().endsWith('a')));
  assert.ok(lines.slice(1, 7).some((l) => l.trimEnd().endsWith('b')));
  assert.ok(frame.includes('╌'), 'p95 lines are dashed');
});

test('panes: the k-th request of each target side by side, each saying its target', () => {
  const a = slower(0);
  const b = slower(50);
  const { panes, targetOf } = interleavePanes([a, b]);
  assert.equal(panes.length, a.panes.length + b.panes.length);
  assert.deepEqual(targetOf.slice(0, 4), [0, 1, 0, 1]);
  assert.deepEqual(panes.slice(0, 2).map((p) => p.id), [1198, 1198]);
  const frame = frameOf(<StreamPanes panes={panes} targetOf={targetOf} names={['a', 'b']} width={80} height={6} />);
  const first = frame.split('\n')[0] ?? '';
  assert.match(first, /^\[a\] #1198 non-stream done .*\[b\] #1198 non-stream done/);
});

test('header pieces: pools per target with the selected marked; the run is done when every target is', () => {
  assert.equal(perTarget(['a', 'b', 'c'], [8, 9, 8], 1), 'a=8 ▸b=9 c=8');
  assert.equal(combinedState([makeSnapshot({ state: 'done' }), makeSnapshot({ state: 'running' })]), 'running');
  assert.equal(combinedState([makeSnapshot({ state: 'done' }), makeSnapshot({ state: 'done' })]), 'done');
});

test('tab cycles TTFT, E2E and ITL, and TTFO only when a response reasoned', () => {
  const seen = ['ttft.stream'];
  for (let i = 0; i < 5; i++) seen.push(nextTargetsChartKey(seen[seen.length - 1] as never, false));
  assert.deepEqual(seen, ['ttft.stream', 'ttft.nonstream', 'e2e.stream', 'e2e.nonstream', 'itl.stream', 'ttft.stream']);
  assert.equal(nextTargetsChartKey('itl.stream', true), 'ttfo.stream');
});
