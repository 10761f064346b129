import { LatencyHistogram, type EncodedHistogram } from './histogram.ts';
import { METRIC_NAMES, type BaseMetric, type LaterMetric, type MetricName, type ModeStats, type RequestRecord } from './types.ts';

/**
 * Per-mode counters and histograms, driven by two tables: every counter and every histogram is
 * named once here, and adding, merging, encoding, decoding and the report's field list (see
 * src/report/schema.ts) all follow from them. A new metric is one entry, not six edits.
 */

/** Counters, in the order they are encoded. */
export const COUNTERS = [
  'requests',
  'succeeded',
  'failed',
  'earlyStopped',
  'cancelled',
  'outputTokens',
  /** Prompt tokens as the server reported them (usage); 0 when it did not. */
  'inputTokens',
  /** Of those, served from the server's prefix cache (usage); 0 when it did not say. */
  'cachedTokens',
  /** Output tokens by where the count came from. */
  'tokensFromUsage',
  'tokensFromTokenizer',
  'bytesReceived',
  /** Requests whose response reasoned, and their reasoning tokens (not in outputTokens). */
  'reasoningRequests',
  'reasoningTokens',
  /** Tool calls over all requests, and the responses whose tool arguments did not parse. */
  'toolCalls',
  'toolArgsInvalid',
] as const;
export type Counter = (typeof COUNTERS)[number];

/** Counters that reports written before they existed lack (read as 0). */
export const LATER_COUNTERS: ReadonlySet<Counter> = new Set<Counter>([
  'inputTokens',
  'cachedTokens',
  'reasoningRequests',
  'reasoningTokens',
  'toolCalls',
  'toolArgsInvalid',
]);

/**
 * Connection set-up charged to requests that opened a new connection (see conn-timing.ts). Kept
 * apart from the latency metrics: they are per connection, not per request, and were added to the
 * encoded form later (so they are optional there).
 */
export const CONNECTION_HISTOGRAMS = ['connect', 'tls'] as const;
export type ConnectionHistogram = (typeof CONNECTION_HISTOGRAMS)[number];

export type EncodedModeAccumulator = Record<Counter, number> & {
  /** Histograms of LATER_METRICS are missing from reports written before them. */
  histograms: Record<BaseMetric, EncodedHistogram> & Partial<Record<LaterMetric, EncodedHistogram>>;
} & Partial<Record<ConnectionHistogram, EncodedHistogram>>;

function newHistograms<K extends string>(names: readonly K[]): Record<K, LatencyHistogram> {
  return Object.fromEntries(names.map((n) => [n, new LatencyHistogram()])) as Record<K, LatencyHistogram>;
}

function zeroCounters(): Record<Counter, number> {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
}

/** Folds an encoded histogram into `dst` (decode allocates native memory, freed at once). */
function addEncoded(dst: LatencyHistogram, enc: EncodedHistogram | undefined): void {
  if (enc === undefined) return;
  const h = LatencyHistogram.decode(enc);
  dst.add(h);
  h.dispose();
}

export class ModeAccumulator {
  readonly n: Record<Counter, number> = zeroCounters();
  readonly h: Record<MetricName, LatencyHistogram> = newHistograms(METRIC_NAMES);
  readonly conn: Record<ConnectionHistogram, LatencyHistogram> = newHistograms(CONNECTION_HISTOGRAMS);

  get requests(): number {
    return this.n.requests;
  }
  get succeeded(): number {
    return this.n.succeeded;
  }
  get failed(): number {
    return this.n.failed;
  }
  get earlyStopped(): number {
    return this.n.earlyStopped;
  }
  get cancelled(): number {
    return this.n.cancelled;
  }
  get outputTokens(): number {
    return this.n.outputTokens;
  }
  get inputTokens(): number {
    return this.n.inputTokens;
  }
  get cachedTokens(): number {
    return this.n.cachedTokens;
  }
  get bytesReceived(): number {
    return this.n.bytesReceived;
  }

  /** `withItl` false: the caller records the ITL and output-ITL gaps itself (see StatsCollector's pending ITL). */
  add(r: RequestRecord, withItl = true): void {
    const n = this.n;
    n.requests++;
    if (r.connectMs !== undefined) this.conn.connect.record(r.connectMs);
    if (r.tlsMs !== undefined) this.conn.tls.record(r.tlsMs);
    n.bytesReceived += r.bytesReceived;
    if (r.outcome === 'ok') n.succeeded++;
    else if (r.outcome === 'early_stopped') n.earlyStopped++;
    else if (r.outcome === 'cancelled') n.cancelled++;
    else n.failed++;
    if (r.outcome !== 'ok' && r.outcome !== 'early_stopped') return;
    n.outputTokens += r.outputTokens;
    n.inputTokens += r.inputTokens ?? 0;
    if (r.reasoningTokens !== undefined || r.ttfrMs !== undefined) n.reasoningRequests++;
    n.reasoningTokens += r.reasoningTokens ?? 0;
    n.toolCalls += r.toolCalls ?? 0;
    if (r.errorCode === 'tool_args_invalid') n.toolArgsInvalid++;
    n.cachedTokens += r.cachedTokens ?? 0;
    if (r.tokenSource === 'usage') n.tokensFromUsage += r.outputTokens;
    else n.tokensFromTokenizer += r.outputTokens;
    const h = this.h;
    if (r.ttftMs !== undefined) h.ttft.record(r.ttftMs);
    if (r.ttfbMs !== undefined) h.ttfb.record(r.ttfbMs);
    h.queue.record(r.queueMs);
    if (r.ttfrMs !== undefined) h.ttfr.record(r.ttfrMs);
    if (r.ttfoMs !== undefined) h.ttfo.record(r.ttfoMs);
    if (r.reasoningMs !== undefined) h.reasoning.record(r.reasoningMs);
    if (r.ttftcMs !== undefined) h.ttftc.record(r.ttftcMs);
    // Per-phase gaps. Without reasoning every gap is an output gap, and the record leaves them in
    // itlMs alone rather than keeping a second copy. Output gaps are as many as all gaps, so they
    // take the same pending path (withItl); reasoning gaps are rarer and recorded here.
    if (withItl) {
      for (const gap of r.itlMs) h.itl.record(gap);
      for (const gap of r.outputItlMs ?? r.itlMs) h.oitl.record(gap);
    }
    if (r.reasoningItlMs !== undefined) for (const gap of r.reasoningItlMs) h.ritl.record(gap);
    // A stream stopped early has a truncated end: it says nothing about end-to-end time.
    if (r.outcome === 'ok') {
      if (r.e2eMs !== undefined) h.e2e.record(r.e2eMs);
      if (r.tpotMs !== undefined) h.tpot.record(r.tpotMs);
    }
  }

  merge(o: ModeAccumulator): void {
    for (const c of COUNTERS) this.n[c] += o.n[c];
    for (const m of METRIC_NAMES) this.h[m].add(o.h[m]);
    for (const k of CONNECTION_HISTOGRAMS) this.conn[k].add(o.conn[k]);
  }

  toStats(wallMs: number): ModeStats {
    const secs = wallMs / 1000;
    const n = this.n;
    return {
      requests: n.requests,
      succeeded: n.succeeded,
      failed: n.failed,
      earlyStopped: n.earlyStopped,
      outputTokens: n.outputTokens,
      outputTokensPerSec: secs > 0 ? n.outputTokens / secs : 0,
      inputTokens: n.inputTokens,
      cachedTokens: n.cachedTokens,
      ttft: this.h.ttft.summary(),
      ttfb: this.h.ttfb.summary(),
      itl: this.h.itl.summary(),
      tpot: this.h.tpot.summary(),
      e2e: this.h.e2e.summary(),
      queue: this.h.queue.summary(),
      ttfr: this.h.ttfr.summary(),
      ttfo: this.h.ttfo.summary(),
      reasoning: this.h.reasoning.summary(),
      reasoningRequests: n.reasoningRequests,
      reasoningTokens: n.reasoningTokens,
      toolCalls: n.toolCalls,
    };
  }

  encode(): EncodedModeAccumulator {
    const histograms = Object.fromEntries(METRIC_NAMES.map((m) => [m, this.h[m].encode()])) as Record<MetricName, EncodedHistogram>;
    const conn = Object.fromEntries(CONNECTION_HISTOGRAMS.map((k) => [k, this.conn[k].encode()])) as Record<ConnectionHistogram, EncodedHistogram>;
    return { ...this.n, histograms, ...conn };
  }

  /** Counters missing from an older report count as 0; histograms missing are empty. */
  static decode(e: Partial<Record<Counter, number>> & Omit<EncodedModeAccumulator, Counter>): ModeAccumulator {
    const a = new ModeAccumulator();
    for (const c of COUNTERS) a.n[c] = e[c] ?? 0;
    for (const k of CONNECTION_HISTOGRAMS) addEncoded(a.conn[k], e[k]);
    for (const m of METRIC_NAMES) addEncoded(a.h[m], e.histograms[m]);
    return a;
  }

  dispose(): void {
    for (const m of METRIC_NAMES) this.h[m].dispose();
    for (const k of CONNECTION_HISTOGRAMS) this.conn[k].dispose();
  }
}
