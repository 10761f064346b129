import type { ComparisonRow, PairedComparison, Report, TargetReport } from './schema.ts';
import { fmtMs, fmtNum, table } from './text.ts';
import { redactUrl } from '../shared/url-secrets.ts';
import { targetGoodput } from './targets-extras.ts';

/** The terminal summary of a multi-target run: each target in brief, errors by target, the verdict. */

const METRIC_LABEL: Record<ComparisonRow['metric'], string> = {
  ttft: 'TTFT',
  e2e: 'E2E',
  itl: 'ITL',
  throughput: 'tok/s',
  errorRate: 'errors',
};
const MODE_LABEL: Record<ComparisonRow['mode'], string> = { stream: 'stream', nonstream: 'non-stream' };

export function fmtValue(row: Pick<ComparisonRow, 'unit'>, v: number | undefined): string {
  if (v === undefined) return '-';
  if (row.unit === 'ratio') return `${(v * 100).toFixed(1)}%`;
  if (row.unit === 'tok/s') return fmtNum(v);
  return fmtMs(v);
}

function signed(row: Pick<ComparisonRow, 'unit'>, v: number | null): string {
  if (v === null) return '?';
  if (row.unit === 'ratio') return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`;
  const s = Math.abs(v) < 10 ? v.toFixed(1) : v.toFixed(0);
  return `${v >= 0 ? '+' : ''}${s}`;
}

/** "+50.2 [+48.1, +52.3]": a difference with its interval, in the row's unit. */
export function fmtInterval(row: ComparisonRow, key: string): string {
  const i = row.diff[key];
  if (i === undefined) return '-';
  const ci = i.lo === null || i.hi === null ? ' [too few pairs]' : ` [${signed(row, i.lo)}, ${signed(row, i.hi)}]`;
  return `${signed(row, i.diff)}${ci}`;
}

const UNIT_TEXT: Record<ComparisonRow['unit'], string> = { ms: 'ms', 'tok/s': 'tok/s', ratio: 'points' };

/** One sentence: is the target better, worse, or the same as the reference on this row. */
export function verdictLine(row: ComparisonRow, reference: string): string {
  const key = row.metric === 'errorRate' ? 'rate' : 'p50';
  const what = `${METRIC_LABEL[row.metric]} ${MODE_LABEL[row.mode]}${row.metric === 'errorRate' ? '' : ' p50'}`;
  const i = row.diff[key];
  if (i === undefined) return `${row.target}: ${what}: no data`;
  if (row.metric === 'errorRate' && row.reference.rate === 0 && row.value.rate === 0) return `${row.target} vs ${reference}: ${what}: none on either`;
  if (i.lo === null || i.hi === null)
    return `${row.target} vs ${reference}: ${what}: ${signed(row, i.diff)} ${UNIT_TEXT[row.unit]}, too few pairs (${row.pairs}) for an interval: run longer`;
  if (row.withinNoise) return `${row.target} vs ${reference}: ${what} within noise (${fmtInterval(row, key)} ${UNIT_TEXT[row.unit]}, the interval holds 0)`;
  const higher = i.diff > 0;
  const better = higher === row.higherIsBetter;
  const word = row.metric === 'throughput' ? (higher ? 'faster' : 'slower') : row.metric === 'errorRate' ? (higher ? 'more errors' : 'fewer errors') : higher ? 'slower' : 'faster';
  return `${row.target} vs ${reference}: ${what} ${word} (${better ? 'better' : 'worse'}): ${fmtInterval(row, key)} ${UNIT_TEXT[row.unit]}`;
}

/** Where a target is, for people: "simulator URL" or the URL, credentials masked. */
export function targetWhere(t: Pick<TargetReport, 'target'>): string {
  return t.target.simulated ? `simulator ${redactUrl(t.target.baseUrl)}` : redactUrl(t.target.baseUrl);
}

function targetLine(t: TargetReport): string {
  const where = targetWhere(t);
  const c = typeof t.settings.concurrency === 'number' ? `, c=${t.settings.concurrency}` : '';
  return `  ${t.name}: ${where}, ${t.target.api}, model ${t.target.model}${c}: ${t.totals.succeeded}/${t.totals.requests} ok, ${fmtNum(t.totals.requestsPerSec, 2)} req/s, ${fmtNum(t.totals.outputTokensPerSec)} tok/s`;
}

/** "TTFT stream (ms)": a verdict row's metric and mode as the tables label them. */
export function rowLabel(row: ComparisonRow): string {
  return `${METRIC_LABEL[row.metric]} ${MODE_LABEL[row.mode]}${row.unit === 'ms' ? ' (ms)' : ''}`;
}

/**
 * The verdict as a table (the terminal's, the Markdown's and the HTML page's): per metric and
 * mode, the reference's row once, then each target with its differences.
 */
export function verdictTable(c: PairedComparison): { header: string[]; rows: string[][] } {
  const header = ['metric', 'target', 'pairs', 'p50', 'p95', 'p99', 'Δp50 [95% CI]', 'Δp95 [95% CI]', 'Δp99 [95% CI]'];
  const rows: string[][] = [];
  const seen = new Set<string>();
  for (const row of c.rows) {
    const label = rowLabel(row);
    const key = `${row.metric}/${row.mode}`;
    if (row.metric === 'errorRate') {
      if (!seen.has(key)) rows.push([label, c.reference, String(row.pairs), fmtValue(row, row.reference.rate), '', '', '', '', '']);
      rows.push(['', row.target, String(row.pairs), fmtValue(row, row.value.rate), '', '', `${fmtInterval(row, 'rate')} pts`, '', '']);
    } else {
      if (!seen.has(key)) rows.push([label, c.reference, String(row.pairs), fmtValue(row, row.reference.p50), fmtValue(row, row.reference.p95), fmtValue(row, row.reference.p99), '', '', '']);
      rows.push(['', row.target, String(row.pairs), fmtValue(row, row.value.p50), fmtValue(row, row.value.p95), fmtValue(row, row.value.p99), fmtInterval(row, 'p50'), fmtInterval(row, 'p95'), fmtInterval(row, 'p99')]);
    }
    seen.add(key);
  }
  return { header, rows };
}

/** The sentence above the verdict: what the differences and intervals are. */
export function verdictIntro(c: PairedComparison): string {
  return (
    `verdict against ${c.reference} (the reference): differences are target - ${c.reference}, with ${Math.round(c.confidence * 100)} % intervals ` +
    `from a paired bootstrap (${c.iterations} resamples, seed ${c.seed}) over the requests both sent (paired by ${c.pairing})`
  );
}

/** The verdict table: per metric and mode, the reference and each target, with differences. */
export function formatComparison(c: PairedComparison): string {
  const lines: string[] = [verdictIntro(c)];
  const t = verdictTable(c);
  lines.push('', table([t.header, ...t.rows], (col) => col >= 2), '');
  for (const row of c.rows) lines.push(verdictLine(row, c.reference));
  return lines.join('\n');
}

export function formatTargetsSummary(r: Report): string {
  const targets = r.targets ?? [];
  const lines: string[] = [];
  lines.push(`streamtop ${r.interrupted ? '(interrupted) ' : ''}- ${targets.length} targets, ${(r.durationMs / 1000).toFixed(1)} s, the same prompts in the same order to each`);
  for (const t of targets) lines.push(targetLine(t));
  const withErrors = targets.filter((t) => Object.keys(t.errors).length > 0);
  if (withErrors.length > 0) {
    lines.push('', 'errors by target:');
    for (const t of withErrors)
      for (const [code, n] of Object.entries(t.errors).sort((a, b) => b[1] - a[1])) lines.push(`  ${t.name.padEnd(12)} ${code.padEnd(20)} ${String(n).padStart(6)}  ${t.errorMessages[code] ?? ''}`);
  }
  if (r.comparison !== undefined) lines.push('', formatComparison(r.comparison));
  const goodput = targets.map((t) => ({ name: t.name, g: targetGoodput(t) }));
  const slo = goodput.find((x) => x.g?.slo !== undefined)?.g?.slo;
  if (goodput.some((x) => x.g !== undefined)) {
    lines.push('', `goodput${slo !== undefined ? ` (${slo})` : ''}: requests that met every SLO, by target`);
    for (const { name, g } of goodput)
      if (g !== undefined) lines.push(`  ${name.padEnd(12)} ${g.met} of ${g.total}, ${g.perSec.toFixed(2)} req/s${g.basis !== '' && g.basis !== 'per request' ? ` (${g.basis})` : ''}`);
  }
  for (const t of targets) {
    const cost = (t.extras?.cost as { lines?: unknown } | undefined)?.lines;
    if (Array.isArray(cost)) lines.push('', `cost, ${t.name}:`, ...cost.filter((l): l is string => typeof l === 'string').map((l) => `  ${l}`));
  }
  return lines.join('\n');
}
