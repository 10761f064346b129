import { LatencyHistogram } from './histogram.ts';
import { MODES, type MetricSummary, type Mode, type RequestRecord } from './types.ts';

/**
 * Latency by turn index in multi-turn sessions: turn 1 sends a fresh conversation, later turns
 * resend it grown, so a server's prefix cache shows as a lower TTFT from turn 2 on. Driven by two
 * tables (the turn buckets and the metrics kept per bucket); measured requests only, cumulative
 * over the run. Histograms are made the first time a bucket is used: a run without sessions
 * allocates none.
 */

/** Turns 1 to 9 each have their own bucket; later turns share the last one ("10+"). */
export const TURN_BUCKETS = 10;
export const TURN_METRICS = ['ttft', 'e2e'] as const;
export type TurnMetric = (typeof TURN_METRICS)[number];

/** Bucket index (0-based) of a turn (from 1). */
export function turnBucket(turn: number): number {
  return Math.min(TURN_BUCKETS, Math.max(1, Math.floor(turn))) - 1;
}

/** "1" ... "9", "10+". */
export function turnLabel(bucket: number): string {
  return bucket >= TURN_BUCKETS - 1 ? `${TURN_BUCKETS}+` : String(bucket + 1);
}

type TurnHistograms = Record<Mode, Record<TurnMetric, LatencyHistogram>>;

interface Bucket {
  /** Measured requests at this turn index, any outcome. */
  requests: number;
  /** Of those, answered (ok or stopped early). */
  succeeded: number;
  /** Prompt tokens and cached prompt tokens the server reported for them. */
  inputTokens: number;
  cachedTokens: number;
  h: TurnHistograms;
}

/** One bucket's figures, in the snapshot and the report. */
export interface TurnRow {
  turn: string;
  requests: number;
  succeeded: number;
  inputTokens: number;
  cachedTokens: number;
  byMode: Record<Mode, Record<TurnMetric, MetricSummary>>;
}

function newBucket(): Bucket {
  const h = {} as TurnHistograms;
  for (const m of MODES) h[m] = Object.fromEntries(TURN_METRICS.map((k) => [k, new LatencyHistogram()])) as Record<TurnMetric, LatencyHistogram>;
  return { requests: 0, succeeded: 0, inputTokens: 0, cachedTokens: 0, h };
}

export class TurnStats {
  private readonly buckets: (Bucket | undefined)[] = new Array<Bucket | undefined>(TURN_BUCKETS).fill(undefined);

  /** Records a measured request that belongs to a session (others are ignored). */
  record(r: RequestRecord): void {
    if (r.turn === undefined || r.warmup) return;
    const i = turnBucket(r.turn);
    const b = (this.buckets[i] ??= newBucket());
    b.requests++;
    if (r.outcome !== 'ok' && r.outcome !== 'early_stopped') return;
    b.succeeded++;
    b.inputTokens += r.inputTokens ?? 0;
    b.cachedTokens += r.cachedTokens ?? 0;
    const h = b.h[r.mode];
    if (r.ttftMs !== undefined) h.ttft.record(r.ttftMs);
    // As in the per-mode statistics: a stream stopped early says nothing about end-to-end time.
    if (r.outcome === 'ok' && r.e2eMs !== undefined) h.e2e.record(r.e2eMs);
  }

  /** Buckets that saw a request, in turn order; empty without sessions. */
  rows(): TurnRow[] {
    const out: TurnRow[] = [];
    this.buckets.forEach((b, i) => {
      if (b === undefined) return;
      const byMode = {} as TurnRow['byMode'];
      for (const m of MODES) byMode[m] = { ttft: b.h[m].ttft.summary(), e2e: b.h[m].e2e.summary() };
      out.push({ turn: turnLabel(i), requests: b.requests, succeeded: b.succeeded, inputTokens: b.inputTokens, cachedTokens: b.cachedTokens, byMode });
    });
    return out;
  }

  dispose(): void {
    for (const b of this.buckets) if (b !== undefined) for (const m of MODES) for (const k of TURN_METRICS) b.h[m][k].dispose();
  }
}
