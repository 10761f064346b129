import { MODES, type MetricSummary, type Mode } from '../engine/types.ts';
import type { ModeReport, Report } from './report.ts';
import { fmtMs, fmtNum, table } from './text.ts';
import { redactUrl } from '../shared/url-secrets.ts';

/**
 * `streamtop compare A.json B.json`: key metrics side by side with the change from A to B and
 * whether that change is better or worse. Lower latency and error rate are better, higher
 * throughput is better; a change within ±2 % is run-to-run noise and reads "same".
 */

/** Relative change below which two runs count as the same, in percent. */
export const SAME_WITHIN_PCT = 2;

export type Verdict = 'better' | 'worse' | 'same' | 'n/a';

export interface CompareRow {
  metric: string;
  a: number | undefined;
  b: number | undefined;
  /** b - a; undefined when either side has no value. */
  delta: number | undefined;
  /** Relative change in percent of a; undefined when a is 0 or missing. */
  deltaPct: number | undefined;
  verdict: Verdict;
  /** How to print the values. */
  kind: 'ms' | 'rate' | 'pct';
}

const MODE_LABEL: Record<Mode, string> = { stream: 'stream', nonstream: 'non-stream' };
const PCTS = ['p50', 'p95', 'p99'] as const;

export function verdictOf(a: number | undefined, b: number | undefined, lowerIsBetter: boolean): Verdict {
  if (a === undefined || b === undefined) return 'n/a';
  if (a === b) return 'same';
  // From zero any change is infinitely large in relative terms; judge by direction alone.
  if (a !== 0 && Math.abs((b - a) / a) * 100 <= SAME_WITHIN_PCT) return 'same';
  return (b < a) === lowerIsBetter ? 'better' : 'worse';
}

function row(metric: string, a: number | undefined, b: number | undefined, lowerIsBetter: boolean, kind: CompareRow['kind']): CompareRow {
  const both = a !== undefined && b !== undefined;
  return {
    metric,
    a,
    b,
    delta: both ? b - a : undefined,
    deltaPct: both && a !== 0 ? ((b - a) / a) * 100 : undefined,
    verdict: verdictOf(a, b, lowerIsBetter),
    kind,
  };
}

/** A percentile, or undefined when the run had no samples (0 would read as "infinitely fast"). */
function pick(s: MetricSummary, p: (typeof PCTS)[number]): number | undefined {
  return s.count > 0 ? s[p] : undefined;
}

function errorRate(r: Report): number | undefined {
  return r.totals.requests > 0 ? (r.totals.failed / r.totals.requests) * 100 : undefined;
}

/** Reasoning tokens per reasoning request; undefined when no response reasoned. */
function reasoningPerRequest(r: Report): number | undefined {
  let requests = 0;
  let tokens = 0;
  for (const m of MODES) {
    requests += r.byMode[m].reasoningRequests;
    tokens += r.byMode[m].reasoningTokens;
  }
  return requests > 0 ? tokens / requests : undefined;
}

/** The rows, for callers that want numbers rather than text (and for tests). */
export function compareRows(a: Report, b: Report): CompareRow[] {
  const rows: CompareRow[] = [];
  const metrics: ReadonlyArray<{ label: string; key: keyof ModeReport & `${string}Ms` }> = [
    { label: 'TTFT', key: 'ttftMs' },
    { label: 'TTFO', key: 'ttfoMs' },
    { label: 'reasoning', key: 'reasoningMs' },
    { label: 'ITL', key: 'itlMs' },
    { label: 'E2E', key: 'e2eMs' },
  ];
  for (const m of MODES) {
    if (a.byMode[m].requests === 0 && b.byMode[m].requests === 0) continue;
    // TTFO differs from TTFT only where a response reasoned; otherwise its rows would repeat TTFT's.
    const reasoned = a.byMode[m].ttfrMs.count > 0 || b.byMode[m].ttfrMs.count > 0;
    for (const { label, key } of metrics) {
      if (key === 'ttfoMs' && !reasoned) continue;
      const sa = a.byMode[m][key];
      const sb = b.byMode[m][key];
      if (sa.count === 0 && sb.count === 0) continue;
      for (const p of PCTS) rows.push(row(`${label} ${p} ${MODE_LABEL[m]}`, pick(sa, p), pick(sb, p), true, 'ms'));
    }
  }
  rows.push(row('req/s', a.totals.requestsPerSec, b.totals.requestsPerSec, false, 'rate'));
  rows.push(row('output tok/s', a.totals.outputTokensPerSec, b.totals.outputTokensPerSec, false, 'rate'));
  rows.push(row('error rate %', errorRate(a), errorRate(b), true, 'pct'));
  const ra = reasoningPerRequest(a);
  const rb = reasoningPerRequest(b);
  if (ra !== undefined || rb !== undefined) rows.push(row('reasoning tok/req', ra, rb, true, 'rate'));
  return rows;
}

const ARROW: Record<Verdict, string> = { better: 'better', worse: 'WORSE', same: 'same', 'n/a': 'n/a' };

function fmtValue(v: number | undefined, kind: CompareRow['kind']): string {
  if (v === undefined) return '-';
  if (kind === 'ms') return fmtMs(v);
  return fmtNum(v, 2);
}

function signed(s: string, v: number): string {
  return v > 0 ? `+${s}` : v < 0 ? `-${s}` : s;
}

function describe(label: string, r: Report): string {
  const secs = (r.durationMs / 1000).toFixed(1);
  const where = r.target.simulated ? 'built-in simulator' : redactUrl(r.target.baseUrl);
  return (
    `${label}: ${where}, ${r.target.api}, model ${r.target.model}, ${secs} s, ${r.totals.requests} requests, ` +
    `${r.createdAt}${r.interrupted ? ' (interrupted)' : ''}`
  );
}

export function compareReports(a: Report, b: Report, labels: [string, string] = ['A', 'B']): string {
  const [la, lb] = labels;
  const name = (letter: string, label: string): string => (label === letter ? letter : `${letter} ${label}`);
  const lines: string[] = [describe(name('A', la), a), describe(name('B', lb), b)];
  const notes: string[] = [];
  // The built-in simulator listens on a fresh port each run: its URL differing means nothing.
  const sameUrl = a.target.baseUrl === b.target.baseUrl || (a.target.simulated && b.target.simulated);
  if (a.target.model !== b.target.model || !sameUrl || a.target.api !== b.target.api)
    notes.push('note: the runs target different endpoints or models');
  for (const key of ['concurrency', 'rate', 'streamRatio', 'maxTokens'] as const) {
    const va = a.settings[key];
    const vb = b.settings[key];
    if (va !== undefined && vb !== undefined && JSON.stringify(va) !== JSON.stringify(vb))
      notes.push(`note: ${key} differs (${JSON.stringify(va)} vs ${JSON.stringify(vb)}): latency depends on load`);
  }
  lines.push(...notes, '');

  const header = ['metric', 'A', 'B', 'delta', 'delta %', 'change'];
  const body = compareRows(a, b).map((r) => {
    const arrow = r.delta === undefined ? ' ' : r.delta === 0 ? '=' : r.delta > 0 ? '↑' : '↓';
    return [
      r.metric,
      fmtValue(r.a, r.kind),
      fmtValue(r.b, r.kind),
      r.delta === undefined ? '-' : signed(fmtValue(Math.abs(r.delta), r.kind), r.delta),
      r.deltaPct === undefined ? '-' : signed(`${Math.abs(r.deltaPct).toFixed(1)} %`, r.deltaPct),
      `${arrow} ${ARROW[r.verdict]}`,
    ];
  });
  lines.push(table([header, ...body], (c) => c > 0 && c < 5));
  lines.push(
    '',
    `latency in ms (lower is better); req/s and tok/s higher is better; error rate lower is better; ` +
      `within ±${SAME_WITHIN_PCT} % counts as same`,
  );
  return lines.join('\n');
}
