import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitSegments,
  flattenText,
  formatCount,
  formatDuration,
  formatElapsed,
  formatLatency,
  formatMs,
  formatRate,
  tailLines,
} from '../../src/ui/format.ts';

test('formatMs picks a precision per magnitude and stays within 5 characters', () => {
  assert.equal(formatMs(0.8), '0.8ms');
  assert.equal(formatMs(9.94), '9.9ms');
  assert.equal(formatMs(9.96), '10ms');
  assert.equal(formatMs(12.4), '12ms');
  assert.equal(formatMs(999.4), '999ms');
  assert.equal(formatMs(999.6), '1.00s');
  assert.equal(formatMs(1240), '1.24s');
  assert.equal(formatMs(12_345), '12.3s');
  assert.equal(formatMs(123_456), '123s');
  for (const v of [0, 0.01, 5, 9.949, 9.95, 99.5, 999.49, 999.5, 9994, 9996, 99_940, 99_960, 999_000]) {
    assert.ok(formatMs(v).length <= 5, `${v} -> ${formatMs(v)}`);
  }
  assert.equal(formatMs(Number.NaN), '-');
});

test('formatLatency shows a dash for an empty distribution', () => {
  assert.equal(formatLatency(0, 0), '-');
  assert.equal(formatLatency(12, 3), '12ms');
});

test('durations, rates and counts', () => {
  assert.equal(formatDuration(83_400), '01:23');
  assert.equal(formatDuration(3_723_000), '1:02:03');
  assert.equal(formatElapsed(1840), '1.8s');
  assert.equal(formatElapsed(125_000), '2m05s');
  assert.equal(formatRate(0), '0');
  assert.equal(formatRate(4.236), '4.24');
  assert.equal(formatRate(42.36), '42.4');
  assert.equal(formatRate(1388), '1388');
  assert.equal(formatRate(12_400), '12.4k');
  assert.equal(formatCount(99_999), '99999');
  assert.equal(formatCount(123_456), '123k');
  assert.equal(formatCount(12_345_678), '12.3M');
});

test('flattenText removes escape sequences and turns control characters into spaces', () => {
  assert.equal(flattenText('a\nb\r\nc\td'), 'a b c d');
  assert.equal(flattenText('red \u001B[31mtext\u001B[0m here\u0007'), 'red text here ');
  assert.equal(flattenText('move \u001B[2J\u001B[Hcursor'), 'move cursor');
});

test('tailLines keeps the newest text, cut at fixed line boundaries', () => {
  assert.deepEqual(tailLines('', 10, 2), []);
  assert.deepEqual(tailLines('abc', 10, 2), ['abc']);
  // 25 chars at width 10 -> lines [0..9], [10..19], [20..24]; the last two are kept.
  const text = 'abcdefghijklmnopqrstuvwxy';
  assert.deepEqual(tailLines(text, 10, 2), ['klmnopqrst', 'uvwxy']);
  assert.deepEqual(tailLines('ab\ncd', 10, 1), ['ab cd']);
  assert.deepEqual(tailLines('abcdefghij', 5, 1), ['fghij']);
  assert.deepEqual(tailLines('x', 0, 3), []);
});

test('fitSegments drops the least important segment first and keeps order', () => {
  const segs = [
    { text: 'aaaa', priority: 0 },
    { text: 'bbbb', priority: 2 },
    { text: 'cccc', priority: 1 },
  ];
  assert.deepEqual(fitSegments(segs, 100, 3).map((s) => s.text), ['aaaa', 'bbbb', 'cccc']);
  assert.deepEqual(fitSegments(segs, 11, 3).map((s) => s.text), ['aaaa', 'cccc']);
  assert.deepEqual(fitSegments(segs, 2, 3).map((s) => s.text), ['aaaa']);
});
