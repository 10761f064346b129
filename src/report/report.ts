import type { Engine, RunOutcome } from '../engine/engine.ts';
import { ModeAccumulator, type EncodedModeAccumulator, type PhaseInfo, type TimelineEntry } from '../engine/stats.ts';
import { MODES, type Api, type ErrorCode, type MetricSummary, type Mode } from '../engine/types.ts';

/**
 * The saved run: `streamtop.report/1`. Plain JSON, no secrets. Besides the summaries it carries
 * each mode's HdrHistograms (serialised), so `streamtop merge` can combine runs exactly.
 */

export const REPORT_SCHEMA = 'streamtop.report/1';

export interface ModeReport {
  requests: number;
  succeeded: number;
  failed: number;
  earlyStopped: number;
  cancelled: number;
  outputTokens: number;
  /** Prompt tokens from server usage (0 when the server did not report them). */
  inputTokens: number;
  outputTokensPerSec: number;
  requestsPerSec: number;
  tokenSource: { usage: number; tokenizer: number };
  bytesReceived: number;
  ttftMs: MetricSummary;
  ttfbMs: MetricSummary;
  itlMs: MetricSummary;
  tpotMs: MetricSummary;
  e2eMs: MetricSummary;
  queueMs: MetricSummary;
  /** New connections opened by this mode's requests, and what they cost (TCP; TLS apart). */
  connectMs: MetricSummary;
  tlsMs: MetricSummary;
}

/**
 * One segment (load setting). Two populations, on purpose: latencies (byMode's percentiles and
 * counts) are of the requests that started in the segment, so each setting gets the latencies it
 * caused; throughput (completed, requestsPerSec, outputTokensPerSec, and byMode's per-second
 * rates) is of the requests that finished while it was in force, over its duration, which is
 * what the server delivered under that setting. Reports from earlier versions lack `completed`
 * and the two rates.
 */
export interface PhaseReport extends PhaseInfo {
  durationMs: number;
  /** Requests completed (ok or stopped early) while the segment was in force, warm-up excluded. */
  completed?: number;
  /** completed / duration. */
  requestsPerSec?: number;
  /** Output tokens of those completions / duration. */
  outputTokensPerSec?: number;
  byMode: Record<Mode, ModeReport>;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  tool: { name: 'streamtop'; version: string };
  createdAt: string;
  /** True when the run was cut short (Ctrl-C, SIGTERM, --bail). */
  interrupted: boolean;
  stopReason: RunOutcome['stopReason'];
  target: { baseUrl: string; api: Api; model: string; simulated: boolean };
  settings: Record<string, unknown>;
  durationMs: number;
  totals: {
    requests: number;
    succeeded: number;
    failed: number;
    earlyStopped: number;
    cancelled: number;
    dropped: number;
    warmup: number;
    outputTokens: number;
    requestsPerSec: number;
    outputTokensPerSec: number;
    tokenSource: { usage: number; tokenizer: number };
  };
  byMode: Record<Mode, ModeReport>;
  errors: Partial<Record<ErrorCode, number>>;
  errorMessages: Partial<Record<ErrorCode, string>>;
  phases: PhaseReport[];
  timeline: TimelineEntry[];
  /** Lossless state for merging: per mode, counters and HdrHistograms (microseconds). */
  histograms: Record<Mode, EncodedModeAccumulator>;
  /** Filled by the features that need them (early stop, cost, gates). */
  extras?: Record<string, unknown>;
}

export function modeReport(a: ModeAccumulator, wallMs: number): ModeReport {
  const secs = wallMs / 1000;
  return {
    requests: a.requests,
    succeeded: a.succeeded,
    failed: a.failed,
    earlyStopped: a.earlyStopped,
    cancelled: a.cancelled,
    outputTokens: a.outputTokens,
    inputTokens: a.inputTokens,
    outputTokensPerSec: secs > 0 ? a.outputTokens / secs : 0,
    requestsPerSec: secs > 0 ? (a.succeeded + a.earlyStopped) / secs : 0,
    tokenSource: { usage: a.tokensFromUsage, tokenizer: a.tokensFromTokenizer },
    bytesReceived: a.bytesReceived,
    ttftMs: a.h.ttft.summary(),
    ttfbMs: a.h.ttfb.summary(),
    itlMs: a.h.itl.summary(),
    tpotMs: a.h.tpot.summary(),
    e2eMs: a.h.e2e.summary(),
    queueMs: a.h.queue.summary(),
    connectMs: a.connect.summary(),
    tlsMs: a.tls.summary(),
  };
}

export interface ReportInput {
  version: string;
  target: Report['target'];
  settings: Record<string, unknown>;
  outcome: RunOutcome;
  engine: Engine;
}

/** Totals over both modes, from the per-mode reports. */
export function totalsOf(
  byMode: Record<Mode, ModeReport>,
  durationMs: number,
  extra: { dropped: number; warmup: number; cancelled: number },
): Report['totals'] {
  let requests = 0;
  let succeeded = 0;
  let failed = 0;
  let earlyStopped = 0;
  let outputTokens = 0;
  let usage = 0;
  let tokenizer = 0;
  for (const m of MODES) {
    const r = byMode[m];
    requests += r.requests - r.cancelled;
    succeeded += r.succeeded;
    failed += r.failed;
    earlyStopped += r.earlyStopped;
    outputTokens += r.outputTokens;
    usage += r.tokenSource.usage;
    tokenizer += r.tokenSource.tokenizer;
  }
  const secs = durationMs / 1000;
  return {
    requests,
    succeeded,
    failed,
    earlyStopped,
    cancelled: extra.cancelled,
    dropped: extra.dropped,
    warmup: extra.warmup,
    outputTokens,
    requestsPerSec: secs > 0 ? (succeeded + earlyStopped) / secs : 0,
    outputTokensPerSec: secs > 0 ? outputTokens / secs : 0,
    tokenSource: { usage, tokenizer },
  };
}

export function buildReport(input: ReportInput): Report {
  const { engine, outcome } = input;
  const stats = engine.stats;
  stats.flush();
  const wall = outcome.durationMs;
  const byMode = {} as Record<Mode, ModeReport>;
  const histograms = {} as Record<Mode, EncodedModeAccumulator>;
  for (const m of MODES) {
    byMode[m] = modeReport(stats.cumulative[m], wall);
    histograms[m] = stats.cumulative[m].encode();
  }
  const errors: Report['errors'] = {};
  const errorMessages: Report['errorMessages'] = {};
  for (const g of stats.errorGroups()) {
    errors[g.code] = g.count;
    errorMessages[g.code] = g.lastMessage;
  }
  const phases: PhaseReport[] = stats.phases.map((p) => {
    const end = p.info.endMs ?? wall;
    const dur = Math.max(0, end - p.info.startMs);
    const secs = dur / 1000;
    const rate = (n: number): number => (secs > 0 ? n / secs : 0);
    const pm = {} as Record<Mode, ModeReport>;
    let completed = 0;
    let tokens = 0;
    for (const m of MODES) {
      const f = p.finished[m];
      pm[m] = { ...modeReport(p.modes[m], dur), requestsPerSec: rate(f.completed), outputTokensPerSec: rate(f.outputTokens) };
      completed += f.completed;
      tokens += f.outputTokens;
    }
    return {
      ...p.info,
      endMs: end,
      durationMs: dur,
      completed,
      requestsPerSec: rate(completed),
      outputTokensPerSec: rate(tokens),
      byMode: pm,
    };
  });
  let cancelled = 0;
  for (const m of MODES) cancelled += stats.cumulative[m].cancelled;
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'streamtop', version: input.version },
    createdAt: new Date().toISOString(),
    interrupted: outcome.stopReason === 'interrupted' || outcome.stopReason === 'bail',
    stopReason: outcome.stopReason,
    target: input.target,
    settings: input.settings,
    durationMs: wall,
    totals: totalsOf(byMode, wall, { dropped: outcome.dropped, warmup: stats.warmupCompleted, cancelled }),
    byMode,
    errors,
    errorMessages,
    phases,
    timeline: stats.timeline.slice(),
    histograms,
  };
}
