import { invalidFlag } from '../shared/usage-error.ts';
import type { RequestRecord } from '../engine/types.ts';
import type { Report } from './report.ts';

/**
 * Service-level objectives for goodput (as vLLM's and AIPerf's benchmarks define it): a request
 * counts when it succeeded and met every objective given. Per-request, so the engine evaluates
 * it as requests finish; the report only carries the counts.
 */
const SLO_METRICS = ['ttft', 'ttfo', 'tpot', 'e2e', 'reasoning'] as const;
export type SloMetric = (typeof SLO_METRICS)[number];
/** The record field each objective reads. */
const FIELD: Record<SloMetric, 'ttftMs' | 'ttfoMs' | 'tpotMs' | 'e2eMs' | 'reasoningMs'> = {
  ttft: 'ttftMs',
  ttfo: 'ttfoMs',
  tpot: 'tpotMs',
  e2e: 'e2eMs',
  reasoning: 'reasoningMs',
};
/**
 * Objectives that do not apply to a request without the value: a single token has no TPOT, a
 * response that did not reason has no reasoning duration.
 */
const OPTIONAL: ReadonlySet<SloMetric> = new Set<SloMetric>(['tpot', 'reasoning']);
export interface SloRule {
  metric: SloMetric;
  /** The request passes when its value is strictly below this, ms. */
  belowMs: number;
}

const ALLOWED = `comma-separated objectives like "ttft<500ms,tpot<50ms,e2e<10s" (metrics: ${SLO_METRICS.join(', ')})`;

export function parseSlo(flag: string, raw: string): SloRule[] {
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw invalidFlag(flag, raw, ALLOWED);
  return parts.map((p) => {
    const m = /^(ttft|ttfo|tpot|e2e|reasoning)\s*<\s*(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(p);
    if (!m || m[1] === undefined || m[2] === undefined) throw invalidFlag(flag, raw, ALLOWED);
    const n = Number(m[2]) * (m[3]?.toLowerCase() === 's' ? 1000 : 1);
    return { metric: m[1].toLowerCase() as SloMetric, belowMs: n };
  });
}

/** What an objective looks at in a request. */
export type SloSubject = Pick<RequestRecord, 'outcome' | 'warmup' | 'ttftMs' | 'ttfoMs' | 'tpotMs' | 'e2eMs' | 'reasoningMs'>;

/**
 * Without --slo, goodput still needs an objective (sweep and autotune alike): TTFT within 3x
 * the unloaded median, i.e. "latency has not yet blown up under load". 1 s stands in when
 * nothing was measured.
 */
export function defaultSloFor(unloadedTtftP50Ms: number | undefined): string {
  const base = unloadedTtftP50Ms !== undefined && unloadedTtftP50Ms > 0 ? unloadedTtftP50Ms : 1000;
  return `ttft<${Math.max(1, Math.round(base * 3))}ms`;
}

export function meetsSlo(r: SloSubject, rules: readonly SloRule[]): boolean {
  if (r.outcome !== 'ok' || r.warmup) return false;
  for (const rule of rules) {
    const v = r[FIELD[rule.metric]];
    if (v === undefined) {
      if (OPTIONAL.has(rule.metric)) continue;
      return false;
    }
    if (!(v < rule.belowMs)) return false;
  }
  return true;
}

/** Counts kept while the run goes. */
export class GoodputCounter {
  met = 0;
  total = 0;
  constructor(readonly rules: readonly SloRule[]) {}
  add(r: RequestRecord): void {
    if (r.warmup || r.outcome === 'cancelled') return;
    this.total++;
    if (meetsSlo(r, this.rules)) this.met++;
  }
}

export interface GoodputResult {
  met: number;
  total: number;
  perSec: number;
  basis: string;
}

export function goodputOf(report: Pick<Report, 'extras' | 'totals' | 'durationMs'>, _rules: readonly SloRule[]): GoodputResult {
  const g = report.extras?.goodputCounts as { met: number; total: number } | undefined;
  const met = g?.met ?? 0;
  const total = g?.total ?? report.totals.requests;
  return {
    met,
    total,
    perSec: report.durationMs > 0 ? (met * 1000) / report.durationMs : 0,
    basis: g ? 'per request' : 'not recorded for this run',
  };
}
