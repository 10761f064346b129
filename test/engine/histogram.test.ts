import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../src/engine/histogram.ts';
import { Prng } from '../../src/engine/prng.ts';

function refPercentile(sorted: number[], p: number): number {
  // Nearest-rank, the definition HdrHistogram approximates.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}

test('percentiles agree with a sorted-array reference within HdrHistogram precision', () => {
  for (const seed of [1, 2, 3]) {
    const prng = new Prng(seed);
    const values: number[] = [];
    const h = new LatencyHistogram();
    for (let i = 0; i < 20_000; i++) {
      // Lognormal-ish latencies from 0.05 ms to tens of seconds.
      const v = Math.exp(prng.next() * 12 - 3);
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const ref = refPercentile(values, p);
      const got = h.percentile(p);
      // 3 significant digits plus microsecond rounding.
      assert.ok(Math.abs(got - ref) <= ref * 0.002 + 0.001, `p${p}: got ${got}, reference ${ref}`);
    }
    const s = h.summary();
    assert.equal(s.count, values.length);
    assert.equal(s.min, values[0]);
    assert.equal(s.max, values[values.length - 1]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(s.mean - mean) < 1e-6 * mean, 'mean is exact (from the sum)');
    h.dispose();
  }
});

test('encode/decode and add are lossless', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  const all = new LatencyHistogram();
  for (let i = 1; i <= 5000; i++) {
    const v = (i * 7919) % 3001 / 3;
    (i % 2 ? a : b).record(v);
    all.record(v);
  }
  const merged = LatencyHistogram.decode(a.encode());
  merged.add(LatencyHistogram.decode(b.encode()));
  const m = merged.summary();
  const r = all.summary();
  assert.ok(Math.abs(m.mean - r.mean) < 1e-9 * r.mean, 'mean equal up to float summation order');
  assert.deepEqual({ ...m, mean: 0 }, { ...r, mean: 0 });
  assert.deepEqual(LatencyHistogram.decode(new LatencyHistogram().encode()).summary().count, 0);
});

test('empty histogram summarises to zeros; invalid values are ignored', () => {
  const h = new LatencyHistogram();
  h.record(NaN);
  h.record(-1);
  h.record(Infinity);
  assert.deepEqual(h.summary(), { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 });
});
