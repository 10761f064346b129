import { MODES, type Mode } from '../engine/types.ts';
import { fmtUsd } from './cost.ts';
import { gatesMarkdown, mdTable, settingsLine } from './markdown.ts';
import type { ModeReport, Report, TargetReport } from './report.ts';
import { targetCost, targetGoodput } from './targets-extras.ts';
import { targetWhere, verdictIntro, verdictLine, verdictTable } from './targets-text.ts';
import { fmtMs, fmtNum } from './text.ts';

/**
 * A multi-target run (--target) as GitHub-flavoured Markdown: each target in brief, the verdict
 * with its intervals, latency per target, errors, goodput and cost by target, and the gates.
 * markdown.ts is the single-target page; this one shares its table and gate helpers.
 */

const MODE_TITLE: Record<Mode, string> = { stream: 'Streaming', nonstream: 'Non-streaming' };

/** The latencies the per-target tables show (the verdict covers the same, paired). */
const METRICS: ReadonlyArray<{ label: string; key: keyof ModeReport & `${string}Ms` }> = [
  { label: 'TTFT', key: 'ttftMs' },
  { label: 'TTFO', key: 'ttfoMs' },
  { label: 'ITL', key: 'itlMs' },
  { label: 'TPOT', key: 'tpotMs' },
  { label: 'E2E', key: 'e2eMs' },
];

function targetsTable(targets: readonly TargetReport[]): string {
  return mdTable(
    ['target', 'endpoint', 'model', 'pool', 'requests', 'ok', 'failed', 'req/s', 'output tok/s'],
    targets.map((t, i) => [
      `**${t.name}**${i === 0 ? ' (reference)' : ''}`,
      `\`${targetWhere(t)}\` (${t.target.api})`,
      `\`${t.target.model}\``,
      typeof t.settings.concurrency === 'number' ? String(t.settings.concurrency) : '-',
      String(t.totals.requests),
      String(t.totals.succeeded),
      String(t.totals.failed),
      fmtNum(t.totals.requestsPerSec, 2),
      fmtNum(t.totals.outputTokensPerSec),
    ]),
    (c) => c > 2,
  );
}

function latencySection(targets: readonly TargetReport[]): string[] {
  const out: string[] = [];
  for (const m of MODES) {
    if (targets.every((t) => t.byMode[m].requests === 0)) continue;
    // TTFO repeats TTFT unless some response reasoned.
    const reasoned = targets.some((t) => t.byMode[m].ttfrMs.count > 0);
    const rows: string[][] = [];
    for (const { label, key } of METRICS) {
      if (key === 'ttfoMs' && !reasoned) continue;
      for (const t of targets) {
        const s = t.byMode[m][key];
        if (s.count === 0) continue;
        rows.push([label, t.name, String(s.count), fmtMs(s.mean), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)]);
      }
    }
    if (rows.length === 0) continue;
    out.push(`### ${MODE_TITLE[m]}`, '', mdTable(['metric', 'target', 'n', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], rows, (c) => c > 1), '');
  }
  return out.length > 0 ? ['## Latency by target (ms)', '', 'Each target over all of its requests (the verdict above uses the pairs both targets completed).', '', ...out] : [];
}

function errorsSection(targets: readonly TargetReport[]): string[] {
  const rows: string[][] = [];
  for (const t of targets)
    for (const [code, n] of Object.entries(t.errors).sort((a, b) => b[1] - a[1])) rows.push([t.name, `\`${code}\``, String(n), t.errorMessages[code] ?? '']);
  if (rows.length === 0) return [];
  return ['## Errors by target', '', mdTable(['target', 'code', 'count', 'last message'], rows, (c) => c === 2), ''];
}

function goodputSection(targets: readonly TargetReport[]): string[] {
  const rows = targets.flatMap((t) => {
    const g = targetGoodput(t);
    return g === undefined ? [] : [[t.name, String(g.met), String(g.total), g.perSec.toFixed(2)]];
  });
  if (rows.length === 0) return [];
  const slo = targets.map(targetGoodput).find((g) => g?.slo !== undefined)?.slo;
  return ['## Goodput by target', '', `Requests that met every SLO${slo !== undefined ? ` (\`${slo}\`)` : ''}.`, '', mdTable(['target', 'met', 'of', 'req/s'], rows), ''];
}

function costSection(targets: readonly TargetReport[]): string[] {
  const costs = targets.map((t) => ({ t, c: targetCost(t) })).filter((x) => x.c !== undefined);
  if (costs.length === 0) return [];
  const projected = costs.some((x) => x.c?.projectedPerMonth !== undefined);
  const months = costs.find((x) => x.c?.projectRequestsPerMonth !== undefined)?.c?.projectRequestsPerMonth;
  const header = ['target', 'this run', 'per request', ...(projected ? [`a month (${fmtNum(months ?? 0)} requests)`] : []), 'prices from'];
  const rows = costs.map(({ t, c }) => [
    t.name,
    `${fmtUsd(c?.total ?? 0)}${c?.inputCostKnown === false ? ' (output only)' : ''}`,
    fmtUsd(c?.perRequest ?? 0),
    ...(projected ? [c?.projectedPerMonth !== undefined ? fmtUsd(c.projectedPerMonth) : '-'] : []),
    c?.source ?? '',
  ]);
  return ['## Cost by target', '', mdTable(header, rows, (col) => col > 0 && col < header.length - 1), '', 'A floor: failed requests may be billed too but carry no token counts.', ''];
}

export function formatTargetsMarkdown(r: Report): string {
  const targets = r.targets ?? [];
  const out: string[] = [];
  out.push(`# streamtop report: ${targets.length} targets${r.interrupted ? ' (interrupted)' : ''}`, '');
  out.push(
    `**Run:** ${(r.durationMs / 1000).toFixed(1)} s, stopped by ${r.stopReason}, ${r.createdAt}, streamtop ${r.tool.version}; the same prompts in the same order to each target  `,
  );
  const settings = settingsLine(r.settings);
  if (settings !== '') out.push(`**Settings (the reference's):** ${settings}`);
  out.push('', '## Targets', '', targetsTable(targets), '');
  const c = r.comparison;
  if (c !== undefined) {
    const v = verdictTable(c);
    out.push('## Verdict', '', `${verdictIntro(c)}.`, '', mdTable(v.header, v.rows, (col) => col >= 2), '');
    for (const row of c.rows) out.push(`- ${verdictLine(row, c.reference)}`);
    out.push('');
  }
  out.push(...latencySection(targets), ...errorsSection(targets), ...goodputSection(targets), ...costSection(targets), ...gatesMarkdown(r.extras?.gates));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
