import { ModeAccumulator, newModeSet, type ModeSet, type TimelineEntry } from '../../../src/engine/stats.ts';
import { MODES, type ErrorCode, type Mode, type RequestRecord } from '../../../src/engine/types.ts';
import {
  REPORT_SCHEMA,
  modeReport,
  totalsOf,
  type ModeReport,
  type SegmentReport,
  type Report,
} from '../../../src/report/report.ts';
import type { EncodedModeAccumulator } from '../../../src/engine/stats.ts';
import { comparePaired, PairLog, sampleOf } from '../../../src/report/paired.ts';

/**
 * Reports without an Engine: the same steps as buildReport (modeReport, totalsOf, encode), from
 * accumulators the test fills with hand-built records.
 */

export function rec(p: Partial<RequestRecord> & { mode: Mode }): RequestRecord {
  return {
    id: 0,
    requestId: 'r',
    outcome: 'ok',
    attempts: 1,
    segment: 0,
    warmup: false,
    intendedStartMs: 0,
    startMs: 0,
    queueMs: 0,
    contentEvents: 1,
    itlMs: [],
    outputTokens: 10,
    tokenSource: 'usage',
    bytesReceived: 100,
    ...p,
  };
}

/** A successful request whose every latency derives from one number, so tests can predict them. */
export function okRecord(mode: Mode, ttftMs: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return rec({
    mode,
    ttftMs,
    ttfbMs: ttftMs / 2,
    e2eMs: ttftMs * 4,
    tpotMs: ttftMs / 10,
    itlMs: mode === 'stream' ? [ttftMs / 10, ttftMs / 5] : [],
    outputTokens: 20,
    inputTokens: 5,
    ...extra,
  });
}

export interface ReportOpts {
  durationMs?: number;
  model?: string;
  baseUrl?: string;
  simulated?: boolean;
  errors?: Partial<Record<ErrorCode, number>>;
  errorMessages?: Partial<Record<ErrorCode, string>>;
  segments?: SegmentReport[];
  timeline?: TimelineEntry[];
  extras?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  dropped?: number;
  warmup?: number;
  createdAt?: string;
}

export function reportFrom(modes: ModeSet, o: ReportOpts = {}): Report {
  const durationMs = o.durationMs ?? 10_000;
  const byMode = {} as Record<Mode, ModeReport>;
  const histograms = {} as Record<Mode, EncodedModeAccumulator>;
  let cancelled = 0;
  for (const m of MODES) {
    byMode[m] = modeReport(modes[m], durationMs);
    histograms[m] = modes[m].encode();
    cancelled += modes[m].cancelled;
  }
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'streamtop', version: '0.1.0' },
    createdAt: o.createdAt ?? '2025-11-20T10:00:00.000Z',
    interrupted: false,
    stopReason: 'duration',
    target: { baseUrl: o.baseUrl ?? 'http://127.0.0.1:1/v1', api: 'openai', model: o.model ?? 'streamtop-sim', simulated: o.simulated ?? true },
    settings: o.settings ?? { concurrency: 8, streamRatio: 0.5 },
    durationMs,
    totals: totalsOf(byMode, durationMs, { dropped: o.dropped ?? 0, warmup: o.warmup ?? 0, cancelled }),
    byMode,
    errors: o.errors ?? {},
    errorMessages: o.errorMessages ?? {},
    segments: o.segments ?? [],
    timeline: o.timeline ?? [],
    histograms,
    ...(o.extras ? { extras: o.extras } : {}),
  };
}

/** Fills a fresh mode set with the records, builds the report, frees the WASM memory. */
export function reportOf(records: readonly RequestRecord[], o: ReportOpts = {}): Report {
  const set = newModeSet();
  try {
    for (const r of records) set[r.mode].add(r);
    return reportFrom(set, o);
  } finally {
    disposeSet(set);
  }
}

export function disposeSet(set: ModeSet): void {
  for (const m of MODES) set[m].dispose();
}

export function segmentOf(index: number, modes: ModeSet, durationMs: number, concurrency: number): SegmentReport {
  const byMode = {} as Record<Mode, ModeReport>;
  let completed = 0;
  for (const m of MODES) {
    byMode[m] = modeReport(modes[m], durationMs);
    completed += modes[m].succeeded + modes[m].earlyStopped;
  }
  return {
    index,
    startMs: index * durationMs,
    endMs: (index + 1) * durationMs,
    concurrency,
    streamRatio: 0.5,
    reason: index === 0 ? 'start' : 'concurrency',
    durationMs,
    completed,
    requestsPerSec: durationMs > 0 ? (completed * 1000) / durationMs : 0,
    byMode,
  };
}

/** Deterministic values (no Math.random), so failures reproduce. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export { ModeAccumulator };

/**
 * A multi-target report (--target), as runTargets builds it: the first target is the reference,
 * its run is the top level. The k-th record of every target is the k-th request of the pair, so
 * `comparison` is the paired verdict over them.
 */
export function targetsReportOf(byTarget: Readonly<Record<string, readonly RequestRecord[]>>, o: ReportOpts & { seed?: number } = {}): Report {
  const names = Object.keys(byTarget);
  const runs = names.map((name) => reportOf(byTarget[name] ?? [], { ...o, baseUrl: `http://127.0.0.1:1/${name}/v1` }));
  const logs = names.map((name) => {
    const log = new PairLog();
    (byTarget[name] ?? []).forEach((r, i) => log.add(i, sampleOf(r)));
    return log;
  });
  const ref = runs[0];
  if (ref === undefined) throw new Error('targetsReportOf: no target');
  const targets = runs.map((r, i) => {
    const { schema: _s, tool: _t, createdAt: _c, ...body } = r;
    return { name: names[i] ?? String(i), ...body };
  });
  return { ...ref, targets, comparison: comparePaired(names, logs, { seed: o.seed ?? 1, iterations: 200 }) };
}
