import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AXIS_LABEL_WIDTH, MARKER, chartLegend, markerColumns, pointsForWidth, renderChart } from '../../src/ui/chart.ts';
import { makeSeries } from '../../src/ui/fake-snapshot.ts';

test('renders nothing (instead of throwing) for an empty series', () => {
  assert.equal(renderChart([], { width: 80, height: 4, colors: [], segmentMarksMs: [] }), null);
});

test('slices the series to the width and returns height + 1 plot lines that fit', () => {
  const points = makeSeries(100, 500, 250_000);
  for (const width of [20, 40, 80, 159]) {
    const c = renderChart(points, { width, height: 5, colors: [], segmentMarksMs: [] });
    assert.ok(c !== null);
    assert.equal(c.visible.length, pointsForWidth(width));
    assert.equal(c.plot.length, 6);
    for (const line of [...c.plot, c.markers]) assert.ok(Array.from(line).length <= width, `${width}: ${line}`);
  }
});

test('a single point and a flat series still plot at full height', () => {
  const one = renderChart([{ tMs: 0, mean: 5, p50: 5, p95: 5, p99: 5, count: 1 }], { width: 40, height: 4, colors: [], segmentMarksMs: [] });
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
  const c = renderChart(points, { width: 40, height: 3, colors: [], segmentMarksMs: [4000] });
  assert.ok(c !== null);
  assert.equal(Array.from(c.markers).indexOf(MARKER), AXIS_LABEL_WIDTH + 4);
  assert.match(c.markers, /-9s/);
});

test('colors are applied only when given', () => {
  const points = makeSeries(100, 30, 30_000);
  const plain = renderChart(points, { width: 40, height: 3, colors: [], segmentMarksMs: [] });
  const colored = renderChart(points, { width: 40, height: 3, colors: ['\u001B[31m'], segmentMarksMs: [] });
  assert.ok(plain !== null && colored !== null);
  assert.ok(!plain.plot.join('').includes('\u001B'));
  assert.ok(colored.plot.join('').includes('\u001B[31m'));
});

test('points with no samples are gaps, not zeros', () => {
  const points = makeSeries(100, 10, 10_000, 1000).map((p, i) => (i < 4 ? { ...p, mean: 0, p50: 0, p95: 0, p99: 0, count: 0 } : p));
  const c = renderChart(points, { width: 40, height: 3, colors: [], segmentMarksMs: [] });
  assert.ok(c !== null);
  assert.equal(c.visible.length, 6);
  assert.ok(!c.plot.join('\n').includes('0.0ms'));
  const none = points.map((p) => ({ ...p, count: 0 }));
  assert.equal(renderChart(none, { width: 40, height: 3, colors: [], segmentMarksMs: [] }), null);
});

test('issue 13 item 15: the legend names every series at every width it fits, dropping values before names', () => {
  const latest = { tMs: 0, count: 10, mean: 244, p50: 231, p95: 1240, p99: 2250 };
  for (const title of ['ITL stream', 'TTFT non-stream']) {
    let fitsFrom = Infinity;
    let valuesBefore = 4;
    for (let width = 200; width >= 1; width--) {
      const l = chartLegend(title, latest, width);
      if (l === null) {
        fitsFrom = width + 1;
        break;
      }
      const text = l.entries.map((e) => e.text).join(' '.repeat(l.gap));
      assert.ok(Array.from(text).length <= width, `${title} at ${width}: ${text}`);
      assert.deepEqual(l.entries.map((e) => e.series), [undefined, 0, 1, 2, 3]);
      assert.deepEqual(l.entries.slice(1).map((e) => /(mean|p50|p95|p99)/.exec(e.text)?.[1]), ['mean', 'p50', 'p95', 'p99']);
      // Narrower never shows more values than wider; the mean's value goes first.
      const values = l.entries.filter((e) => /\d(ms|s)$/.test(e.text)).length;
      assert.ok(values <= valuesBefore, `${title} at ${width}`);
      if (values === 3) assert.doesNotMatch(l.entries[1]?.text ?? '', /\d/);
      valuesBefore = values;
    }
    assert.ok(fitsFrom <= title.length + 21, `${title}: names fit from ${fitsFrom} columns`);
  }
  // At 120 columns each of two charts gets 59: TTFT stream keeps every name and three values.
  const at59 = chartLegend('TTFT stream', latest, 59);
  assert.deepEqual(at59?.entries.map((e) => e.text), ['TTFT stream', '━ mean', '━ p50 231ms', '━ p95 1.24s', '━ p99 2.25s']);
});
