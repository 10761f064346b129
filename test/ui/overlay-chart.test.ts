import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedValues, overlayPoints, renderOverlay, targetTags } from '../../src/ui/overlay-chart.ts';
import type { SeriesPoint } from '../../src/engine/types.ts';

const point = (tMs: number, p50: number, count = 10): SeriesPoint => ({ tMs, mean: p50, p50, p95: p50 * 2, p99: p50 * 3, count });
const text = (rows: { ch: string }[][]): string[] => rows.map((r) => r.map((c) => c.ch).join(''));

test('tags: first letters when they differ, else the target numbers', () => {
  assert.deepEqual(targetTags(['direct', 'gateway']), ['d', 'g']);
  assert.deepEqual(targetTags(['gw-eu', 'gw-us', 'direct']), ['1', '2', '3']);
});

test('values are right-aligned to the newest point; a point without samples is a gap', () => {
  assert.deepEqual(alignedValues([point(1000, 5), point(2000, 7, 0), point(3000, 9)], 'p50', 5), [undefined, undefined, 5, undefined, 9]);
  assert.deepEqual(alignedValues([point(1000, 5), point(2000, 6)], 'p95', 1), [12]);
});

test('every line is drawn in its target, p95 dashed, each ending in its tag; the axis carries ms labels', () => {
  const width = 20;
  const n = overlayPoints(width);
  assert.equal(n, 12);
  const flat = (v: number): number[] => Array.from({ length: n }, () => v);
  const rows = renderOverlay(
    [
      { target: 1, stat: 'p95', values: flat(300) },
      { target: 0, stat: 'p50', values: flat(100) },
    ],
    { width, height: 4, tags: ['a', 'b'] },
  );
  assert.ok(rows !== null);
  assert.equal(rows.length, 5);
  const lines = text(rows);
  for (const l of lines) assert.equal(Array.from(l).length, width);
  assert.match(lines[0] ?? '', /^ 300ms ┤╌{11}b$/);
  assert.match(lines[4] ?? '', /^ 100ms ┤─{11}a$/);
  assert.ok(rows[0]?.slice(8).every((c) => c.target === 1));
  assert.ok(rows[4]?.slice(8).every((c) => c.target === 0));
  assert.equal(rows[2]?.[3]?.target, undefined, 'labels belong to no target');
});

test('a rise and a fall are drawn with corners and verticals in the column of the change', () => {
  const rows = renderOverlay([{ target: 0, stat: 'p50', values: [0, 0, 40, 40, 0] }], { width: 13, height: 4, tags: ['x'] });
  assert.ok(rows !== null);
  const lines = text(rows).map((l) => l.slice(8));
  assert.deepEqual(lines, [' ╭─╮ ', ' │ │ ', ' │ │ ', ' │ │ ', '─╯ ╰x']);
});

test('nothing to plot yet: null (the panel says it is waiting)', () => {
  assert.equal(renderOverlay([{ target: 0, stat: 'p50', values: [undefined, undefined] }], { width: 30, height: 5, tags: ['a'] }), null);
});
