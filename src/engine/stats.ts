import { ModeAccumulator } from './accumulator.ts';
import { LatencyHistogram } from './histogram.ts';
import { TurnStats } from './turn-stats.ts';
import { CHART_KEYS, MODES, type ChartKey, type ErrorCode, type ErrorGroup, type Mode, type RequestRecord, type SeriesPoint } from './types.ts';

export { ModeAccumulator, type EncodedModeAccumulator } from './accumulator.ts';

/**
 * Statistics, three ways over the same records:
 * - cumulative: the whole run (the summary);
 * - per segment: a new segment each time the load setting changes, so each concurrency level or
 *   rate gets its own percentiles;
 * - per second: interval histograms in a ring, merged over a rolling window for the live charts.
 * Means come from exact sums (see LatencyHistogram).
 */

export type ModeSet = Record<Mode, ModeAccumulator>;

export function newModeSet(): ModeSet {
  return { stream: new ModeAccumulator(), nonstream: new ModeAccumulator() };
}

export interface SegmentInfo {
  index: number;
  startMs: number;
  endMs?: number;
  concurrency: number;
  rate?: number;
  streamRatio: number;
  /** Why the segment started: run start, a load change, or an explicit `z`. */
  reason: 'start' | 'concurrency' | 'rate' | 'stream-ratio' | 'manual' | 'sweep';
}

/** What finished while a segment was in force, whenever it started: the segment's throughput. */
export interface SegmentThroughput {
  /** Requests that completed (ok or stopped early), warm-up excluded. */
  completed: number;
  outputTokens: number;
}

export interface Segment {
  info: SegmentInfo;
  /** Requests that started (t0) in the segment: its latencies. */
  modes: ModeSet;
  /** Requests that finished in the segment: its throughput (completions / duration). */
  finished: Record<Mode, SegmentThroughput>;
}

function newThroughput(): Record<Mode, SegmentThroughput> {
  return { stream: { completed: 0, outputTokens: 0 }, nonstream: { completed: 0, outputTokens: 0 } };
}

/** One metric over the rolling window at one second of the timeline. */
export interface WindowSummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/**
 * One mode's latencies at one second of the timeline. TTFO and ITL exist for streams only, and
 * only once a stream had an output token (TTFO) or two content events (ITL) in the window.
 */
export interface TimelineModeEntry {
  ttftMs: WindowSummary;
  e2eMs: WindowSummary;
  ttfoMs?: WindowSummary;
  itlMs?: WindowSummary;
}

/** One second of the run, for the report's timeline. */
export interface TimelineEntry {
  tMs: number;
  inFlight: number;
  concurrency: number;
  rate?: number;
  completions: number;
  errors: number;
  outputTokens: number;
  /** Both modes together (what older reports carry, and what `merge` combines). */
  ttftMs: { p50: number; p95: number; p99: number };
  e2eMs: { p50: number; p95: number; p99: number };
  /** Each mode on its own, with the mean: only modes with a request in the window. */
  byMode?: Partial<Record<Mode, TimelineModeEntry>>;
}

interface SecondBucket {
  ttft: Record<Mode, LatencyHistogram>;
  /** Streaming requests' first output token (the chart's TTFO). */
  ttfo: LatencyHistogram;
  e2e: Record<Mode, LatencyHistogram>;
  itl: LatencyHistogram;
  completions: number;
  errors: number;
  outputTokens: number;
}

function newBucket(): SecondBucket {
  return {
    ttft: { stream: new LatencyHistogram(), nonstream: new LatencyHistogram() },
    ttfo: new LatencyHistogram(),
    e2e: { stream: new LatencyHistogram(), nonstream: new LatencyHistogram() },
    itl: new LatencyHistogram(),
    completions: 0,
    errors: 0,
    outputTokens: 0,
  };
}

function resetBucket(b: SecondBucket): void {
  for (const m of MODES) {
    b.ttft[m].reset();
    b.e2e[m].reset();
  }
  b.itl.reset();
  b.ttfo.reset();
  b.completions = 0;
  b.errors = 0;
  b.outputTokens = 0;
}

const MAX_SEGMENTS = 1000;
const MAX_SERIES = 900;
const MAX_TIMELINE = 86_400;
const MAX_ERROR_CODES = 64;
const MAX_MESSAGE_CHARS = 300;

/** Microseconds are the histograms' resolution; more digits would only make the report longer. */
const us = (ms: number): number => Math.round(ms * 1000) / 1000;

function windowSummary(p: SeriesPoint): WindowSummary {
  return { count: p.count, mean: us(p.mean), p50: us(p.p50), p95: us(p.p95), p99: us(p.p99) };
}

/** The per-mode part of a timeline entry; a mode with nothing in the window is left out (a 10-minute run's report stays small). */
function timelineByMode(
  ttftS: SeriesPoint,
  e2eS: SeriesPoint,
  ttfoS: SeriesPoint,
  itlS: SeriesPoint,
  ttftN: SeriesPoint,
  e2eN: SeriesPoint,
): Pick<TimelineEntry, 'byMode'> {
  const byMode: Partial<Record<Mode, TimelineModeEntry>> = {};
  if (ttftS.count > 0 || e2eS.count > 0)
    byMode.stream = {
      ttftMs: windowSummary(ttftS),
      e2eMs: windowSummary(e2eS),
      ...(ttfoS.count > 0 ? { ttfoMs: windowSummary(ttfoS) } : {}),
      ...(itlS.count > 0 ? { itlMs: windowSummary(itlS) } : {}),
    };
  if (ttftN.count > 0 || e2eN.count > 0) byMode.nonstream = { ttftMs: windowSummary(ttftN), e2eMs: windowSummary(e2eN) };
  return byMode.stream !== undefined || byMode.nonstream !== undefined ? { byMode } : {};
}

export interface StatsOptions {
  /** Rolling window for live charts, seconds. */
  windowSeconds: number;
}

export class StatsCollector {
  readonly cumulative: ModeSet = newModeSet();
  readonly segments: Segment[] = [];
  readonly timeline: TimelineEntry[] = [];
  readonly charts: Record<ChartKey, SeriesPoint[]>;
  readonly segmentMarksMs: number[] = [];
  readonly errors = new Map<ErrorCode, ErrorGroup>();
  /** TTFT and E2E by turn index, for requests of multi-turn sessions (cumulative). */
  readonly turns = new TurnStats();
  warmupCompleted = 0;
  completed = 0;

  private readonly ring: SecondBucket[];
  private ringPos = 0;
  private readonly scratch = new LatencyHistogram();
  /**
   * ITL gaps are the bulk of all samples (one per token). Each is recorded once, here, and folded
   * into the cumulative, segment and per-second histograms by flush() (HdrHistogram add is
   * cheap) instead of being recorded three times on the hot path.
   */
  private readonly pendingItl: Record<Mode, LatencyHistogram> = {
    stream: new LatencyHistogram(),
    nonstream: new LatencyHistogram(),
  };
  /** The same for the output-phase gaps (every gap of a response that did not reason). */
  private readonly pendingOitl: Record<Mode, LatencyHistogram> = {
    stream: new LatencyHistogram(),
    nonstream: new LatencyHistogram(),
  };

  constructor(private readonly opts: StatsOptions) {
    const n = Math.max(1, Math.round(opts.windowSeconds));
    this.ring = Array.from({ length: n }, newBucket);
    this.charts = Object.fromEntries(CHART_KEYS.map((k) => [k, [] as SeriesPoint[]])) as Record<
      ChartKey,
      SeriesPoint[]
    >;
  }

  get currentSegment(): Segment | undefined {
    return this.segments[this.segments.length - 1];
  }

  /** Starts a new segment; the previous one ends now. */
  beginSegment(info: Omit<SegmentInfo, 'index'>): number {
    this.flush();
    const prev = this.currentSegment;
    if (prev) {
      prev.info.endMs = info.startMs;
      // Bounded: past the cap, further changes fold into the last segment.
      if (this.segments.length >= MAX_SEGMENTS) return prev.info.index;
    }
    const index = this.segments.length;
    this.segments.push({ info: { ...info, index }, modes: newModeSet(), finished: newThroughput() });
    if (index > 0) this.segmentMarksMs.push(info.startMs);
    return index;
  }

  /**
   * Index of the segment in force at `ms` (run time): the last one that began at or before it.
   * Segments begin in time order, so a binary search finds it.
   */
  segmentAt(ms: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    if (hi < 0) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.segments[mid]?.info.startMs ?? Infinity) <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Every error is counted by code, warm-up or not: a failure is never hidden. */
  recordError(code: ErrorCode, message: string): void {
    const g = this.errors.get(code);
    const msg = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
    if (g) {
      g.count++;
      g.lastMessage = msg;
    } else if (this.errors.size < MAX_ERROR_CODES) {
      this.errors.set(code, { code, count: 1, lastMessage: msg });
    }
  }

  record(r: RequestRecord): void {
    if (r.errorCode && r.outcome !== 'cancelled') this.recordError(r.errorCode, r.errorMessage ?? r.errorCode);
    if (r.warmup) {
      this.warmupCompleted++;
      return;
    }
    this.completed++;
    if (r.turn !== undefined) this.turns.record(r);
    const segmentIndex = Math.min(r.segment, this.segments.length - 1);
    const segment = this.segments[segmentIndex];
    const current = segmentIndex === this.segments.length - 1;
    // Gaps of a request that started in an earlier segment go straight to that segment.
    this.cumulative[r.mode].add(r, !current);
    segment?.modes[r.mode].add(r, !current);
    if (r.outcome === 'ok' || r.outcome === 'early_stopped') {
      const done = this.currentSegment?.finished[r.mode];
      if (done) {
        done.completed++;
        done.outputTokens += r.outputTokens;
      }
    }
    const b = this.ring[this.ringPos];
    if (current && (r.outcome === 'ok' || r.outcome === 'early_stopped')) {
      const p = this.pendingItl[r.mode];
      for (const g of r.itlMs) p.record(g);
      const o = this.pendingOitl[r.mode];
      for (const g of r.outputItlMs ?? r.itlMs) o.record(g);
    }
    if (!b) return;
    b.completions++;
    if (r.outcome === 'failed' || r.outcome === 'dropped') b.errors++;
    if (r.outcome === 'ok' || r.outcome === 'early_stopped') {
      b.outputTokens += r.outputTokens;
      if (r.ttftMs !== undefined) b.ttft[r.mode].record(r.ttftMs);
      if (r.mode === 'stream' && r.ttfoMs !== undefined) b.ttfo.record(r.ttfoMs);
      if (r.outcome === 'ok' && r.e2eMs !== undefined) b.e2e[r.mode].record(r.e2eMs);
      if (!current && r.mode === 'stream') for (const g of r.itlMs) b.itl.record(g);
    }
  }

  /** Folds the pending ITL (and output-ITL) gaps into the cumulative, current-segment and current-second histograms. */
  flush(): void {
    const segment = this.currentSegment;
    const b = this.ring[this.ringPos];
    for (const m of MODES) {
      const p = this.pendingItl[m];
      if (p.count === 0) continue;
      this.cumulative[m].h.itl.add(p);
      segment?.modes[m].h.itl.add(p);
      if (m === 'stream') b?.itl.add(p);
      p.reset();
    }
    for (const m of MODES) {
      const o = this.pendingOitl[m];
      if (o.count === 0) continue;
      this.cumulative[m].h.oitl.add(o);
      segment?.modes[m].h.oitl.add(o);
      o.reset();
    }
  }

  /**
   * Called once a second: turns the rolling window into one chart point per series and one
   * timeline entry, then opens a fresh bucket.
   */
  tick(tMs: number, load: { inFlight: number; concurrency: number; rate?: number }): void {
    this.flush();
    const cur = this.ring[this.ringPos];
    const point = (pick: (b: SecondBucket) => LatencyHistogram): SeriesPoint => {
      this.scratch.reset();
      for (const b of this.ring) this.scratch.add(pick(b));
      const s = this.scratch;
      return { tMs, count: s.count, mean: s.mean, p50: s.percentile(50), p95: s.percentile(95), p99: s.percentile(99) };
    };
    const push = (k: ChartKey, p: SeriesPoint): void => {
      const arr = this.charts[k];
      arr.push(p);
      if (arr.length > MAX_SERIES) arr.splice(0, arr.length - MAX_SERIES);
    };
    // The same window summaries feed the live charts and the report's timeline.
    const ttftS = point((b) => b.ttft.stream);
    const ttfoS = point((b) => b.ttfo);
    const ttftN = point((b) => b.ttft.nonstream);
    const e2eS = point((b) => b.e2e.stream);
    const e2eN = point((b) => b.e2e.nonstream);
    const itlS = point((b) => b.itl);
    push('ttft.stream', ttftS);
    push('ttfo.stream', ttfoS);
    push('ttft.nonstream', ttftN);
    push('e2e.stream', e2eS);
    push('e2e.nonstream', e2eN);
    push('itl.stream', itlS);

    const both = (pick: (b: SecondBucket, m: Mode) => LatencyHistogram) => {
      this.scratch.reset();
      for (const b of this.ring) for (const m of MODES) this.scratch.add(pick(b, m));
      return { p50: this.scratch.percentile(50), p95: this.scratch.percentile(95), p99: this.scratch.percentile(99) };
    };
    if (this.timeline.length < MAX_TIMELINE) {
      this.timeline.push({
        tMs,
        inFlight: load.inFlight,
        concurrency: load.concurrency,
        ...(load.rate !== undefined ? { rate: load.rate } : {}),
        completions: cur?.completions ?? 0,
        errors: cur?.errors ?? 0,
        outputTokens: cur?.outputTokens ?? 0,
        ttftMs: both((b, m) => b.ttft[m]),
        e2eMs: both((b, m) => b.e2e[m]),
        ...timelineByMode(ttftS, e2eS, ttfoS, itlS, ttftN, e2eN),
      });
    }
    this.ringPos = (this.ringPos + 1) % this.ring.length;
    const next = this.ring[this.ringPos];
    if (next) resetBucket(next);
  }

  errorGroups(): ErrorGroup[] {
    return [...this.errors.values()].sort((a, b) => b.count - a.count).map((g) => ({ ...g }));
  }

  get errorsTotal(): number {
    let n = 0;
    for (const g of this.errors.values()) n += g.count;
    return n;
  }

  dispose(): void {
    this.turns.dispose();
    for (const m of MODES) this.cumulative[m].dispose();
    for (const p of this.segments) for (const m of MODES) p.modes[m].dispose();
    for (const b of this.ring) {
      for (const m of MODES) {
        b.ttft[m].dispose();
        b.e2e[m].dispose();
      }
      b.itl.dispose();
      b.ttfo.dispose();
    }
    this.scratch.dispose();
    for (const m of MODES) {
      this.pendingItl[m].dispose();
      this.pendingOitl[m].dispose();
    }
  }
}
