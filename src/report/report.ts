import type { Engine, RunOutcome } from '../engine/engine.ts';
import type { EncodedModeAccumulator, ModeAccumulator } from '../engine/accumulator.ts';
import { METRIC_NAMES, MODES, type Mode } from '../engine/types.ts';
import { REPORT_SCHEMA, type ModeReport, type SegmentReport, type Report, type TurnReport, type WorkloadReport } from './schema.ts';
import type { SessionsShape } from '../engine/config.ts';
import type { TurnRow } from '../engine/turn-stats.ts';
import { describeLength } from '../engine/lengths.ts';
import { redactUrl } from '../shared/url-secrets.ts';

/**
 * The saved run: `streamtop.report/1`. Plain JSON, no secrets. Besides the summaries it carries
 * each mode's HdrHistograms (serialised), so `streamtop merge` can combine runs exactly.
 */

export { REPORT_SCHEMA, type ModeReport, type SegmentReport, type Report, type TargetReport } from './schema.ts';

export function modeReport(a: ModeAccumulator, wallMs: number): ModeReport {
  const secs = wallMs / 1000;
  const { tokensFromUsage, tokensFromTokenizer, ...counters } = a.n;
  const summaries = Object.fromEntries(METRIC_NAMES.map((m) => [`${m}Ms`, a.h[m].summary()]));
  return {
    ...counters,
    outputTokensPerSec: secs > 0 ? a.outputTokens / secs : 0,
    requestsPerSec: secs > 0 ? (a.succeeded + a.earlyStopped) / secs : 0,
    tokenSource: { usage: tokensFromUsage, tokenizer: tokensFromTokenizer },
    ...(summaries as Pick<ModeReport, `${(typeof METRIC_NAMES)[number]}Ms`>),
    connectMs: a.conn.connect.summary(),
    tlsMs: a.conn.tls.summary(),
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

/** What was asked (the workload flags) and what the server counted (usage). */
export function workloadReport(engine: Engine): WorkloadReport | undefined {
  const shape = engine.config.workload.shape;
  const seen = engine.workloadStats.snapshot();
  if (shape === undefined && seen === undefined && engine.config.workload.sessions === undefined) return undefined;
  const empty = { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const w = engine.config.workload;
  return {
    asked: {
      prompts: shape?.source ?? 'built-in',
      ...(shape?.inputTokens !== undefined ? { inputTokens: describeLength(shape.inputTokens) } : {}),
      ...(shape?.outputTokens !== undefined ? { outputTokens: describeLength(shape.outputTokens) } : {}),
      ...(shape?.prefix !== undefined ? { sharedPrefix: { ...shape.prefix } } : {}),
      ...(w.ignoreEos === true ? { ignoreEos: true } : {}),
      ...(shape?.sessions !== undefined ? { sessions: sessionsAsked(shape.sessions) } : {}),
      ...(shape?.dataset !== undefined ? { dataset: { ...shape.dataset } } : {}),
      ...(shape?.replaySpeed !== undefined ? { replaySpeed: shape.replaySpeed } : {}),
    },
    inputTokens: seen?.inputTokens ?? empty,
    outputTokens: seen?.outputTokens ?? empty,
    ...(seen?.cache !== undefined
      ? {
          cache: {
            promptTokens: seen.cache.promptTokens,
            cachedTokens: seen.cache.cachedTokens,
            hitRatio: seen.cache.hitRatio,
            hits: seen.cache.hits,
            misses: seen.cache.misses,
            ttftHitMs: seen.cache.ttftHit,
            ttftMissMs: seen.cache.ttftMiss,
          },
        }
      : {}),
    ...(w.sessions !== undefined ? { sessions: { ...engine.sessionCounts }, turns: turnReports(engine.stats.turns.rows()) } : {}),
    ...(seen?.lateMs !== undefined ? { replay: { sent: seen.lateMs.count, lateMs: seen.lateMs } } : {}),
  };
}

function sessionsAsked(s: SessionsShape): NonNullable<WorkloadReport['asked']['sessions']> {
  return {
    source: s.source,
    ...(s.turns !== undefined ? { turns: describeLength(s.turns) } : {}),
    history: s.history,
    ...(s.thinkMs !== undefined ? { thinkTimeMs: describeLength(s.thinkMs) } : {}),
    scripts: s.scripts,
  };
}

/** The per-turn statistics as the report carries them. */
export function turnReports(rows: readonly TurnRow[]): TurnReport[] {
  return rows.map((r) => {
    const mode = (m: Mode): TurnReport['stream'] => ({ ttftMs: r.byMode[m].ttft, e2eMs: r.byMode[m].e2e });
    return { turn: r.turn, requests: r.requests, succeeded: r.succeeded, inputTokens: r.inputTokens, cachedTokens: r.cachedTokens, stream: mode('stream'), nonstream: mode('nonstream') };
  });
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
  const segments: SegmentReport[] = stats.segments.map((p) => {
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
  const workload = workloadReport(engine);
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'streamtop', version: input.version },
    createdAt: new Date().toISOString(),
    interrupted: outcome.stopReason === 'interrupted' || outcome.stopReason === 'bail',
    stopReason: outcome.stopReason,
    // Saved reports get shared: a credential in the URL's query (?api-key=...) stays out.
    target: { ...input.target, baseUrl: redactUrl(input.target.baseUrl) },
    settings: input.settings,
    durationMs: wall,
    totals: totalsOf(byMode, wall, { dropped: outcome.dropped, warmup: stats.warmupCompleted, cancelled }),
    byMode,
    errors,
    errorMessages,
    segments,
    timeline: stats.timeline.slice(),
    histograms,
    ...(workload !== undefined ? { workload } : {}),
  };
}
