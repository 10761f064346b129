import { Prng } from '../engine/prng.ts';

/**
 * Paired bootstrap confidence intervals for the difference of two samples measured in pairs
 * (the k-th request of target B against the k-th request of the reference A). Resampling whole
 * pairs keeps what the two requests of a pair share (prompt, moment, answer length), so the
 * interval reflects the noise of the difference, not of each side on its own.
 *
 * Each resample is a multinomial count per pair. Quantiles of a resample are read by walking the
 * values once in sorted order (sorted once up front), so a resample costs O(n), not a sort.
 */

export const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
export type QuantileName = keyof typeof QUANTILES;

export interface Interval {
  /** The difference measured on all pairs (B - A). */
  diff: number;
  /** Bounds of the 95 % interval; null when there were too few pairs to resample. */
  lo: number | null;
  hi: number | null;
}

/** Fewer pairs than this get no interval: the bootstrap's own error dominates. */
export const MIN_PAIRS = 10;

/** Ascending permutation of `values`. */
function sortedOrder(values: Float64Array): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (values[a] as number) - (values[b] as number));
  return order;
}

/**
 * The quantiles of the multiset in which value i appears counts[i] times (total `n`), linearly
 * interpolated between order statistics (as numpy's default), in one pass over `order`.
 */
function weightedQuantiles(values: Float64Array, order: Uint32Array, counts: Uint32Array, n: number, qs: readonly number[]): number[] {
  // Positions wanted in the sorted resample: floor(h) and floor(h) + 1 of each h = q (n - 1).
  const wanted = qs.map((q) => {
    const h = q * (n - 1);
    const lo = Math.floor(h);
    return { lo, hi: Math.min(n - 1, lo + 1), frac: h - lo };
  });
  let seen = 0;
  let next = 0;
  const ranks = wanted.flatMap((w) => [w.lo, w.hi]).sort((a, b) => a - b);
  const at = new Map<number, number>();
  for (let j = 0; j < order.length && next < ranks.length; j++) {
    const i = order[j] as number;
    const c = counts[i] as number;
    if (c === 0) continue;
    const v = values[i] as number;
    seen += c;
    while (next < ranks.length && (ranks[next] as number) < seen) at.set(ranks[next++] as number, v);
  }
  return wanted.map((w) => {
    const a = at.get(w.lo) as number;
    const b = at.get(w.hi) as number;
    return a + (b - a) * w.frac;
  });
}

/** Percentile (0..100) of an array, interpolated; NaN when empty. */
function percentileOf(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = q * (sorted.length - 1);
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] as number;
  return a + (b - a) * (h - lo);
}

/** Quantiles of one sample. */
export function quantilesOf(values: readonly number[]): Record<QuantileName, number> {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentileOf(s, QUANTILES.p50), p95: percentileOf(s, QUANTILES.p95), p99: percentileOf(s, QUANTILES.p99) };
}

export interface BootstrapOptions {
  seed: number;
  /** Resamples; 1000 unless given. */
  iterations?: number;
  /** Two-sided confidence level; 0.95 unless given. */
  confidence?: number;
}

/** One multinomial resample of n pairs as counts per pair. */
function resample(prng: Prng, counts: Uint32Array): void {
  counts.fill(0);
  const n = counts.length;
  for (let k = 0; k < n; k++) {
    const j = prng.int(n);
    counts[j] = (counts[j] as number) + 1;
  }
}

function interval(diffs: Float64Array, confidence: number): [number, number] {
  diffs.sort();
  const tail = (1 - confidence) / 2;
  const list = Array.from(diffs);
  return [percentileOf(list, tail), percentileOf(list, 1 - tail)];
}

/** p50/p95/p99 of B - A over pairs (a[k], b[k]), each with its bootstrap interval. */
export function pairedQuantileDiffs(a: readonly number[], b: readonly number[], opts: BootstrapOptions): Record<QuantileName, Interval> {
  if (a.length !== b.length) throw new Error('pairedQuantileDiffs: samples of different lengths');
  const names = Object.keys(QUANTILES) as QuantileName[];
  const qs = names.map((k) => QUANTILES[k]);
  const qa = quantilesOf(a);
  const qb = quantilesOf(b);
  const n = a.length;
  const out = {} as Record<QuantileName, Interval>;
  if (n < MIN_PAIRS) {
    for (const k of names) out[k] = { diff: qb[k] - qa[k], lo: null, hi: null };
    return out;
  }
  const va = Float64Array.from(a);
  const vb = Float64Array.from(b);
  const oa = sortedOrder(va);
  const ob = sortedOrder(vb);
  const iterations = opts.iterations ?? 1000;
  const prng = new Prng(opts.seed);
  const counts = new Uint32Array(n);
  const diffs = names.map(() => new Float64Array(iterations));
  for (let it = 0; it < iterations; it++) {
    resample(prng, counts);
    const ra = weightedQuantiles(va, oa, counts, n, qs);
    const rb = weightedQuantiles(vb, ob, counts, n, qs);
    names.forEach((_, j) => ((diffs[j] as Float64Array)[it] = (rb[j] as number) - (ra[j] as number)));
  }
  names.forEach((k, j) => {
    const [lo, hi] = interval(diffs[j] as Float64Array, opts.confidence ?? 0.95);
    out[k] = { diff: qb[k] - qa[k], lo, hi };
  });
  return out;
}

/** Mean of B - A over pairs (a rate when the values are 0/1), with its bootstrap interval. */
export function pairedMeanDiff(a: readonly number[], b: readonly number[], opts: BootstrapOptions): Interval {
  if (a.length !== b.length) throw new Error('pairedMeanDiff: samples of different lengths');
  const n = a.length;
  const d = a.map((x, i) => (b[i] as number) - x);
  const mean = n > 0 ? d.reduce((s, x) => s + x, 0) / n : NaN;
  if (n < MIN_PAIRS) return { diff: mean, lo: null, hi: null };
  const iterations = opts.iterations ?? 1000;
  const prng = new Prng(opts.seed);
  const means = new Float64Array(iterations);
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += d[prng.int(n)] as number;
    means[it] = s / n;
  }
  const [lo, hi] = interval(means, opts.confidence ?? 0.95);
  return { diff: mean, lo, hi };
}

/** True when the interval holds 0 (or there is none): the difference is within noise. */
export function withinNoise(i: Interval): boolean {
  return i.lo === null || i.hi === null || (i.lo <= 0 && i.hi >= 0);
}
