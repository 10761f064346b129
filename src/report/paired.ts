import { MODES, type Mode, type RequestRecord } from '../engine/types.ts';
import { pairedMeanDiff, pairedQuantileDiffs, quantilesOf, withinNoise, type Interval } from './bootstrap.ts';
import type { PairedComparison, ComparisonRow } from './schema.ts';

/**
 * The verdict of a multi-target run: per metric and mode, each target against the reference
 * (the first), over the pairs of requests both sent (the k-th request of every target carries the
 * same prompt and the same stream/non-stream draw).
 */

/** What one request contributes to the comparison. */
export interface PairSample {
  mode: Mode;
  /** failed or dropped: counts for the error rate (cancelled requests count for nothing). */
  failed: boolean;
  ttftMs?: number;
  e2eMs?: number;
  /** Mean gap between content events of this stream. */
  itlMs?: number;
  /** Output tokens per second of the whole answer (tokens / E2E). */
  tokensPerSec?: number;
}

/** The sample of a finished request, or undefined when it says nothing about the target (warm-up, cancelled at stop). */
export function sampleOf(r: RequestRecord): PairSample | undefined {
  if (r.warmup || r.outcome === 'cancelled') return undefined;
  const failed = r.outcome === 'failed' || r.outcome === 'dropped';
  const s: PairSample = { mode: r.mode, failed };
  if (r.outcome !== 'ok') return s;
  if (r.mode === 'stream' && r.ttftMs !== undefined) s.ttftMs = r.ttftMs;
  if (r.e2eMs !== undefined) {
    s.e2eMs = r.e2eMs;
    if (r.e2eMs > 0 && r.outputTokens > 0) s.tokensPerSec = r.outputTokens / (r.e2eMs / 1000);
  }
  if (r.mode === 'stream' && r.itlMs.length > 0) s.itlMs = r.itlMs.reduce((a, b) => a + b, 0) / r.itlMs.length;
  return s;
}

/**
 * Samples of one target by request index. Bounded: past `max` pairs the comparison stops
 * growing (the run's own statistics go on counting every request).
 */
export class PairLog {
  readonly byIndex = new Map<number, PairSample>();
  constructor(private readonly max = 200_000) {}
  add(index: number, s: PairSample | undefined): void {
    if (s !== undefined && this.byIndex.size < this.max) this.byIndex.set(index, s);
  }
}

type Metric = ComparisonRow['metric'];
const LATENCY: readonly { metric: Metric; unit: 'ms' | 'tok/s'; higherIsBetter: boolean; pick: (s: PairSample) => number | undefined; modes: readonly Mode[] }[] = [
  { metric: 'ttft', unit: 'ms', higherIsBetter: false, pick: (s) => s.ttftMs, modes: ['stream'] },
  { metric: 'e2e', unit: 'ms', higherIsBetter: false, pick: (s) => s.e2eMs, modes: MODES },
  { metric: 'itl', unit: 'ms', higherIsBetter: false, pick: (s) => s.itlMs, modes: ['stream'] },
  { metric: 'throughput', unit: 'tok/s', higherIsBetter: true, pick: (s) => s.tokensPerSec, modes: MODES },
];

export interface CompareOptions {
  seed: number;
  iterations?: number;
  /** How the requests were paired, in words for the report. */
  pairing?: string;
}

const round = (v: number): number => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : v);
const roundInterval = (i: Interval): Interval => ({ diff: round(i.diff), lo: i.lo === null ? null : round(i.lo), hi: i.hi === null ? null : round(i.hi) });

/** Pairs of (reference, other) samples present on both sides, in index order. */
function pairsOf(ref: PairLog, other: PairLog): [PairSample, PairSample][] {
  const out: [PairSample, PairSample][] = [];
  const ids = [...ref.byIndex.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    const b = other.byIndex.get(id);
    const a = ref.byIndex.get(id) as PairSample;
    // Same seed, same draw: the modes agree; a mismatch would mean the pairing broke, so it is skipped.
    if (b !== undefined && b.mode === a.mode) out.push([a, b]);
  }
  return out;
}

export function comparePaired(names: readonly string[], logs: readonly PairLog[], opts: CompareOptions): PairedComparison {
  const iterations = opts.iterations ?? 1000;
  const rows: ComparisonRow[] = [];
  const ref = logs[0];
  const refName = names[0];
  if (ref === undefined || refName === undefined) throw new Error('comparePaired: no reference target');
  let seed = opts.seed;
  for (let t = 1; t < logs.length; t++) {
    const pairs = pairsOf(ref, logs[t] as PairLog);
    const name = names[t] as string;
    for (const mode of MODES) {
      const inMode = pairs.filter(([a]) => a.mode === mode);
      if (inMode.length === 0) continue;
      for (const m of LATENCY) {
        if (!m.modes.includes(mode)) continue;
        const a: number[] = [];
        const b: number[] = [];
        for (const [x, y] of inMode) {
          const va = m.pick(x);
          const vb = m.pick(y);
          if (va !== undefined && vb !== undefined) {
            a.push(va);
            b.push(vb);
          }
        }
        if (a.length === 0) continue;
        const diff = pairedQuantileDiffs(a, b, { seed: seed++, iterations });
        const qa = quantilesOf(a);
        const qb = quantilesOf(b);
        rows.push({
          metric: m.metric,
          mode,
          unit: m.unit,
          higherIsBetter: m.higherIsBetter,
          target: name,
          pairs: a.length,
          reference: { p50: round(qa.p50), p95: round(qa.p95), p99: round(qa.p99) },
          value: { p50: round(qb.p50), p95: round(qb.p95), p99: round(qb.p99) },
          diff: { p50: roundInterval(diff.p50), p95: roundInterval(diff.p95), p99: roundInterval(diff.p99) },
          withinNoise: withinNoise(diff.p50),
        });
      }
      const ea = inMode.map(([x]) => (x.failed ? 1 : 0));
      const eb = inMode.map(([, y]) => (y.failed ? 1 : 0));
      const rate = pairedMeanDiff(ea, eb, { seed: seed++, iterations });
      const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
      rows.push({
        metric: 'errorRate',
        mode,
        unit: 'ratio',
        higherIsBetter: false,
        target: name,
        pairs: inMode.length,
        reference: { rate: round(mean(ea)) },
        value: { rate: round(mean(eb)) },
        diff: { rate: roundInterval(rate) },
        withinNoise: withinNoise(rate),
      });
    }
  }
  return { reference: refName, targets: [...names], confidence: 0.95, iterations, seed: opts.seed, pairing: opts.pairing ?? 'request index', rows };
}
