import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/engine/prng.ts';
import { pairedMeanDiff, pairedQuantileDiffs, quantilesOf, withinNoise } from '../../src/report/bootstrap.ts';

/** Lognormal latencies around `median` ms (spread like real TTFTs). */
function latencies(prng: Prng, n: number, median: number, shift = 0): number[] {
  return Array.from({ length: n }, () => {
    const u1 = Math.max(1e-12, prng.next());
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * prng.next());
    return median * Math.exp(0.25 * z) + shift;
  });
}

test('quantiles interpolate between order statistics', () => {
  assert.deepEqual(quantilesOf([1, 2, 3, 4, 5]), { p50: 3, p95: 4.8, p99: 4.96 });
  assert.deepEqual(quantilesOf([7]), { p50: 7, p95: 7, p99: 7 });
});

test('a true difference of 0: the p50 interval holds 0 in at least 90 of 100 seeded trials', () => {
  let covered = 0;
  for (let trial = 0; trial < 100; trial++) {
    const prng = new Prng(1000 + trial);
    const a = latencies(prng, 200, 100);
    const b = latencies(prng, 200, 100);
    const d = pairedQuantileDiffs(a, b, { seed: trial, iterations: 400 });
    if (withinNoise(d.p50)) covered++;
  }
  assert.ok(covered >= 90, `covered ${covered}/100`);
  assert.ok(covered < 100, `an interval that always holds 0 is too wide to mean anything (${covered}/100)`);
});

test('a true difference of 20 ms is detected, and the interval brackets it', () => {
  const prng = new Prng(7);
  const a = latencies(prng, 300, 100);
  // Paired: b is the same request 20 ms later plus its own noise.
  const b = a.map((x) => x + 20 + (prng.next() - 0.5) * 10);
  const d = pairedQuantileDiffs(a, b, { seed: 1 });
  assert.equal(withinNoise(d.p50), false);
  assert.ok(d.p50.lo !== null && d.p50.hi !== null);
  assert.ok(d.p50.lo > 0 && d.p50.lo < 20 && d.p50.hi > 20, `[${d.p50.lo}, ${d.p50.hi}]`);
  assert.ok(Math.abs(d.p50.diff - 20) < 3, `diff ${d.p50.diff}`);
});

test('the same seed gives the same interval; another seed a (slightly) different one', () => {
  const prng = new Prng(3);
  const a = latencies(prng, 100, 50);
  const b = latencies(prng, 100, 55);
  assert.deepEqual(pairedQuantileDiffs(a, b, { seed: 9 }), pairedQuantileDiffs(a, b, { seed: 9 }));
  assert.notDeepEqual(pairedQuantileDiffs(a, b, { seed: 9 }).p95, pairedQuantileDiffs(a, b, { seed: 10 }).p95);
});

test('too few pairs: the difference without an interval', () => {
  const d = pairedQuantileDiffs([1, 2, 3], [2, 3, 4], { seed: 1 });
  assert.deepEqual(d.p50, { diff: 1, lo: null, hi: null });
  assert.equal(withinNoise(d.p50), true);
});

test('error rates: a paired difference of means', () => {
  const a = Array.from({ length: 400 }, (_, i) => (i % 50 === 0 ? 1 : 0));
  const b = Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const d = pairedMeanDiff(a, b, { seed: 2 });
  assert.ok(Math.abs(d.diff - (0.2 - 0.02)) < 1e-9);
  assert.equal(withinNoise(d), false);
  assert.equal(withinNoise(pairedMeanDiff(a, a, { seed: 2 })), true);
});
