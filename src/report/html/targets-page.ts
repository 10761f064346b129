import { z } from 'zod';
import { redactSecrets } from '../../engine/wire/common.ts';
import { fmtUsd } from '../cost.ts';
import type { Report, TargetReport } from '../report.ts';
import type { ComparisonRow } from '../schema.ts';
import type { ChartSpec } from './chart-spec.ts';
import { targetCost, targetGoodput } from '../targets-extras.ts';
import { fmtValue, rowLabel, targetWhere, verdictIntro, verdictLine, verdictTable } from '../targets-text.ts';
import { LATENCY_COLUMNS, fmtNum, latencyCells, latencyRows } from '../text.ts';
import { escapeHtml } from './escape.ts';
import { chartBlock, factsHtml, paragraph, renderPage, section, svgBlock, tableHtml, type DataTable } from './page.ts';
import { loadModel, workload } from './run-page.ts';
import { barChartSvg, type BarGroup } from './svg.ts';
import { targetColor, targetsDistributionCharts, targetsTimelineCharts } from './targets-charts.ts';
import { loadMarkers } from './timeline.ts';

/**
 * A multi-target run (--target) as a page: the targets, the verdict as side-by-side bars with
 * their 95 % intervals (the same bars as the compare-modes page, svg.ts), the verdict table, the
 * terminal's summary table for each target, errors, goodput and cost by target, and the gates.
 *
 * The bars: each target's p50 over the pairs. The reference has no interval of its own (the
 * bootstrap is over differences); another target's whisker is the reference's p50 plus the 95 %
 * interval of the difference, so a whisker that reaches the reference's bar means "within noise".
 * Then the targets over time and their latency distributions, overlaid (targets-charts.ts).
 */

const color = targetColor;

/** Verdict rows grouped by metric and mode, in the report's order. */
function rowGroups(rows: readonly ComparisonRow[]): ComparisonRow[][] {
  const groups = new Map<string, ComparisonRow[]>();
  for (const r of rows) {
    const key = `${r.metric}/${r.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}

function barsFor(r: Report, unit: ComparisonRow['unit']): { groups: BarGroup[]; table: DataTable } {
  const c = r.comparison;
  const names = r.targets?.map((t) => t.name) ?? [];
  const groups: BarGroup[] = [];
  const rows: string[][] = [];
  for (const g of rowGroups((c?.rows ?? []).filter((row) => row.unit === unit))) {
    const first = g[0];
    const ref = first?.reference.p50;
    if (first === undefined || ref === undefined || c === undefined) continue;
    const bars = [{ label: c.reference, color: color(0), value: ref }];
    rows.push([rowLabel(first), c.reference, fmtValue(first, ref), '', '']);
    for (const row of g) {
      const v = row.value.p50;
      const d = row.diff.p50;
      if (v === undefined || d === undefined) continue;
      const i = Math.max(0, names.indexOf(row.target));
      bars.push({
        label: row.target,
        color: color(i),
        value: v,
        ...(d.lo !== null && d.hi !== null ? { low: ref + d.lo, high: ref + d.hi } : {}),
      });
      const ci = d.lo !== null && d.hi !== null ? `${fmtValue(row, ref + d.lo)} to ${fmtValue(row, ref + d.hi)}` : 'too few pairs';
      rows.push(['', row.target, fmtValue(row, v), `${d.diff >= 0 ? '+' : ''}${fmtValue(row, d.diff)}`, ci]);
    }
    groups.push({ title: rowLabel(first), bars });
  }
  return {
    groups,
    table: {
      caption: `The bars: p50 over the pairs, ${unit === 'ms' ? 'ms' : 'output tokens per second of each answer'}; the interval is the reference's p50 plus the 95 % interval of the difference`,
      head: ['metric', 'target', 'p50', `Δ to ${c?.reference ?? 'the reference'}`, '95 % interval'],
      rows,
    },
  };
}

function verdictSection(r: Report): string {
  const c = r.comparison;
  if (c === undefined) return section('Verdict', paragraph('This report carries no paired comparison (a merged file keeps each target, not the pairs).'), 'verdict');
  const parts: string[] = [paragraph(`${verdictIntro(c)}.`, 'note')];
  const note = 'Bar: p50 over the pairs. Whisker: 95 % interval of the target\'s p50 (the reference\'s p50 plus the interval of the difference); a whisker that reaches the reference\'s value means within noise.';
  const lat = barsFor(r, 'ms');
  if (lat.groups.length > 0) parts.push(svgBlock(barChartSvg('targets-latency-bars', lat.groups, 'ms', 'Latency p50 per target with 95 % intervals; numbers in the table beside it'), 'Latency by target (p50, ms)', lat.table, note));
  const tput = barsFor(r, 'tok/s');
  if (tput.groups.length > 0) parts.push(svgBlock(barChartSvg('targets-throughput-bars', tput.groups, 'tok/s', 'Output tokens per second per answer, p50 per target with 95 % intervals; numbers in the table beside it'), 'Throughput by target (p50 of each answer, tok/s)', tput.table, note));
  const v = verdictTable(c);
  parts.push(`<h3>All differences</h3><div class="table-wrap">${tableHtml({ caption: 'Per metric and mode: the reference, then each target with its difference and 95 % interval', head: v.header, rows: v.rows }, { id: 'verdict-table' })}</div>`);
  const lines = c.rows.map((row) => `<li class="${row.withinNoise ? '' : row.higherIsBetter === (row.diff[row.metric === 'errorRate' ? 'rate' : 'p50']?.diff ?? 0) > 0 ? 'pass' : 'fail'}">${escapeHtml(verdictLine(row, c.reference))}</li>`);
  parts.push(`<ul id="verdict-lines">${lines.join('')}</ul>`);
  return section('Verdict', parts.join('\n'), 'verdict');
}

function targetsTable(targets: readonly TargetReport[]): DataTable {
  return {
    caption: 'Each target over all of its requests; the first is the reference',
    head: ['target', 'endpoint', 'API, model', 'pool', 'requests', 'ok', 'failed', 'req/s', 'output tok/s'],
    rows: targets.map((t) => [
      t.name,
      targetWhere(t),
      `${t.target.api}, ${t.target.model}`,
      typeof t.settings.concurrency === 'number' ? String(t.settings.concurrency) : '-',
      String(t.totals.requests),
      String(t.totals.succeeded),
      String(t.totals.failed),
      fmtNum(t.totals.requestsPerSec, 2),
      fmtNum(t.totals.outputTokensPerSec),
    ]),
    rowAttrs: targets.map((t) => ({ 'data-target': t.name })),
    textCols: [1, 2],
  };
}

const oneSpace = (s: string): string => s.replace(/\s+/g, ' ').trim();

function summarySection(targets: readonly TargetReport[]): string {
  const blocks = targets.map((t, i) => {
    const rows = latencyRows(t);
    const table: DataTable = {
      caption: `${t.name}: latency per mode, in ms (the terminal's summary table for this target)`,
      head: ['latency (ms)', ...LATENCY_COLUMNS],
      rows: rows.map((row) => [oneSpace(row.label), ...latencyCells(row.summary)]),
      rowAttrs: rows.map((row) => ({ 'data-row': oneSpace(row.label), 'data-mode': row.mode })),
    };
    const id = `summary-table-${i}`;
    return `<h3>${escapeHtml(t.name)}${i === 0 ? ' (reference)' : ''}</h3><div class="table-wrap">${tableHtml(table, { id, 'data-target': t.name })}</div>`;
  });
  return section('Summary by target', blocks.join('\n'), 'summary');
}

function errorsSection(targets: readonly TargetReport[]): string {
  const rows: string[][] = [];
  for (const t of targets)
    for (const [code, n] of Object.entries(t.errors).sort((a, b) => b[1] - a[1])) rows.push([t.name, code, String(n), redactSecrets(t.errorMessages[code] ?? '')]);
  if (rows.length === 0) return section('Errors', paragraph('No request failed on any target.'), 'errors');
  return section('Errors', `<div class="table-wrap">${tableHtml({ caption: 'Failed requests by target and error code, with the last message seen', head: ['target', 'code', 'count', 'last message'], rows, textCols: [1, 3] }, { id: 'errors-table' })}</div>`, 'errors');
}

const gatesSchema = z.looseObject({ pass: z.boolean(), results: z.array(z.looseObject({ pass: z.boolean(), text: z.string() })) });

function extrasSection(r: Report, targets: readonly TargetReport[]): string {
  const parts: string[] = [];
  const goodput = targets.map((t) => ({ t, g: targetGoodput(t) })).filter((x) => x.g !== undefined);
  if (goodput.length > 0) {
    const slo = goodput.find((x) => x.g?.slo !== undefined)?.g?.slo;
    parts.push(
      `<h3>Goodput${slo !== undefined ? ` (${escapeHtml(slo)})` : ''}</h3><div class="table-wrap">${tableHtml(
        { caption: 'Requests that met every objective, by target', head: ['target', 'met', 'of', 'req/s'], rows: goodput.map(({ t, g }) => [t.name, String(g?.met ?? 0), String(g?.total ?? 0), (g?.perSec ?? 0).toFixed(2)]) },
        { id: 'goodput-table' },
      )}</div>`,
    );
  }
  const costs = targets.map((t) => ({ t, c: targetCost(t) })).filter((x) => x.c !== undefined);
  if (costs.length > 0) {
    const projected = costs.some((x) => x.c?.projectedPerMonth !== undefined);
    const months = costs.find((x) => x.c?.projectRequestsPerMonth !== undefined)?.c?.projectRequestsPerMonth;
    parts.push(
      `<h3>Cost</h3><div class="table-wrap">${tableHtml(
        {
          caption: 'Cost of the tokens counted, by target (a floor: failed requests may be billed too)',
          head: ['target', 'this run', 'per request', ...(projected ? [`a month (${fmtNum(months ?? 0)} requests)`] : []), 'prices from'],
          rows: costs.map(({ t, c }) => [
            t.name,
            `${fmtUsd(c?.total ?? 0)}${c?.inputCostKnown === false ? ' (output only)' : ''}`,
            fmtUsd(c?.perRequest ?? 0),
            ...(projected ? [c?.projectedPerMonth !== undefined ? fmtUsd(c.projectedPerMonth) : '-'] : []),
            c?.source ?? '',
          ]),
          textCols: [projected ? 4 : 3],
        },
        { id: 'cost-table' },
      )}</div>`,
    );
  } else {
    parts.push(paragraph('Cost: no prices known for these models (give --price-in and --price-out when running).', 'note'));
  }
  const gates = gatesSchema.safeParse(r.extras?.gates);
  if (gates.success) {
    const items = gates.data.results.map((g) => `<li><span class="${g.pass ? 'pass' : 'fail'}">${g.pass ? 'PASS' : 'FAIL'}</span> ${escapeHtml(g.text)}</li>`).join('');
    parts.push(`<h3>Gates (--fail-if): <span class="${gates.data.pass ? 'pass' : 'fail'}">${gates.data.pass ? 'all passed' : 'failed'}</span></h3><ul id="gates">${items}</ul>`);
  }
  return section('Goodput, cost and gates', parts.join('\n'), 'extras');
}

function chartsSections(r: Report): { html: string[]; specs: ChartSpec[] } {
  const timeline = targetsTimelineCharts(r);
  const dists = targetsDistributionCharts(r);
  const markers = loadMarkers(r);
  const overTime =
    timeline.length === 0
      ? paragraph('This report has no timeline (the run was shorter than a second).')
      : [
          paragraph(`Each target in its own colour (as in the bars above).${markers.length > 0 ? ` Dashed vertical lines mark the ${markers.length} load change${markers.length > 1 ? 's' : ''}.` : ''}`, 'note'),
          `<div class="grid2">${timeline.map((c) => chartBlock(c.spec, c.title, c.table, c.note)).join('\n')}</div>`,
        ].join('\n');
  const distributions =
    dists.length === 0
      ? paragraph('No latency was recorded.')
      : `${paragraph("Value at each percentile, from each target's HdrHistograms; the percentile axis is logarithmic so the tail is visible. One colour per target: streaming solid, non-streaming dashed.", 'note')}<div class="grid2">${dists.map((c) => chartBlock(c.spec, c.title, c.table)).join('\n')}</div>`;
  return {
    html: [section('Over time', overTime, 'timeline'), section('Latency distributions', distributions, 'distributions')],
    specs: [...timeline.map((c) => c.spec), ...dists.map((c) => c.spec)],
  };
}

export function renderTargetsHtml(r: Report): string {
  const charts = chartsSections(r);
  const targets = r.targets ?? [];
  const names = targets.map((t) => t.name).join(', ');
  const facts: [string, string][] = [
    ['Targets', `${targets.length}: ${names}; the reference is ${targets[0]?.name ?? '?'}`],
    ['Load model', `${loadModel(r)} (per target)`],
    ['Workload', `${workload(r)}; the same prompts in the same order to each target`],
    ['Duration', `${(r.durationMs / 1000).toFixed(1)} s, stopped by ${r.stopReason}${r.interrupted ? ' (interrupted)' : ''}`],
    ['When', r.createdAt],
    ['Tool', `${r.tool.name} ${r.tool.version}`],
  ];
  if (r.comparison !== undefined) facts.push(['Pairing', r.comparison.pairing]);
  const body = [
    factsHtml(facts),
    section('Targets', `<div class="table-wrap">${tableHtml(targetsTable(targets), { id: 'targets-table' })}</div>`, 'targets'),
    verdictSection(r),
    summarySection(targets),
    ...charts.html,
    errorsSection(targets),
    extrasSection(r, targets),
  ];
  if (r.interrupted) body.splice(1, 0, paragraph('The run was interrupted: the comparison covers the pairs completed before it stopped.', 'callout warn'));
  return renderPage({
    kind: 'targets',
    title: `streamtop: ${targets.length} targets compared`,
    subtitle: `${names}, ${r.createdAt}`,
    body,
    charts: charts.specs,
    toolVersion: r.tool.version,
  });
}
