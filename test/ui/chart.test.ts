import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AXIS_LABEL_WIDTH, MARKER, markerColumns, pointsForWidth, renderChart } from '../../src/ui/chart.ts';
import { makeSeries } from '../../src/ui/fake-snapshot.ts';

test('renders nothing (instead of throwing) for an empty series', () => {
  assert.equal(renderChart([], { width: 80, height: 4, colors: [], phaseMarksMs: [] }), null);
});

test('slices the series to the width and returns height + 1 plot lines that fit', () => {
  const points = makeSeries(100, 500, 250_000);
  for (const width of [20, 40, 80, 159]) {
    const c = renderChart(points, { width, height: 5, colors: [], phaseMarksMs: [] });
    assert.ok(c !== null);
    assert.equal(c.visible.length, pointsForWidth(width));
    assert.equal(c.plot.length, 6);
    for (const line of [...c.plot, c.markers]) assert.ok(Array.from(line).length <= width, `${width}: ${line}`);
  }
});

test('a single point and a flat series still plot at full height', () => {
  const one = renderChart([{ tMs: 0, mean: 5, p50: 5, p95: 5, p99: 5, count: 1 }], { width: 40, height: 4, colors: [], phaseMarksMs: [] });
  assert.ok(one !== null);
  assert.equal(one.plot.length, 5);
});

test('marks a load change under the first point at or after it, and drops marks scrolled off', () => {
  const points = makeSeries(100, 10, 10_000, 1000); // tMs 1000..10000
  assert.deepEqual(markerColumns(points, [500, 4000, 4500, 20_000]), [
    AXIS_LABEL_WIDTH + 1 + 3,
    AXIS_LABEL_WIDTH + 1 + 4,
    AXIS_LABEL_WIDTH + 1 + 9,
  ]);
  const c = renderChart(points, { width: 40, height: 3, colors: [], phaseMarksMs: [4000] });
  assert.ok(c !== null);
  assert.equal(Array.from(c.markers).indexOf(MARKER), AXIS_LABEL_WIDTH + 4);
  assert.match(c.markers, /-9s/);
});

test('colors are applied only when given', () => {
  const points = makeSeries(100, 30, 30_000);
  const plain = renderChart(points, { width: 40, height: 3, colors: [], phaseMarksMs: [] });
  const colored = renderChart(points, { width: 40, height: 3, colors: ['\u001B[31m'], phaseMarksMs: [] });
  assert.ok(plain !== null && colored !== null);
  assert.ok(!plain.plot.join('').includes('\u001B'));
  assert.ok(colored.plot.join('').includes('\u001B[31m'));
});

test('points with no samples are gaps, not zeros', () => {
  const points = makeSeries(100, 10, 10_000, 1000).map((p, i) => (i < 4 ? { ...p, mean: 0, p50: 0, p95: 0, p99: 0, count: 0 } : p));
  const c = renderChart(points, { width: 40, height: 3, colors: [], phaseMarksMs: [] });
  assert.ok(c !== null);
  assert.equal(c.visible.length, 6);
  assert.ok(!c.plot.join('\n').includes('0.0ms'));
  const none = points.map((p) => ({ ...p, count: 0 }));
  assert.equal(renderChart(none, { width: 40, height: 3, colors: [], phaseMarksMs: [] }), null);
});
