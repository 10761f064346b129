import type { MetricSummary } from '../../engine/types.ts';
import { fmtMs, fmtNum } from '../text.ts';
import { PALETTE } from './chart-spec.ts';
import type { ComparisonFile } from './inputs.ts';
import { factsHtml, paragraph, renderPage, section, svgBlock, tableHtml, type DataTable } from './page.ts';
import { barChartSvg, type BarGroup } from './svg.ts';

/**
 * compare-modes and compare-connections results as a page: one bar per variant for each latency,
 * side by side, the bar at the median and a whisker up to p95, with the full table beside.
 *
 * The whiskers show spread (p50 to p95), not uncertainty: these results keep percentiles per
 * variant, not per-pair differences, so there is no confidence interval to draw.
 */

type Variant = ComparisonFile['results'][number];

function groups(c: ComparisonFile): { title: string; pick: (v: Variant) => MetricSummary }[] {
  if (c.experiment === 'compare-modes') {
    return [
      { title: 'Time to first token', pick: (v) => v.report.ttftMs },
      { title: 'Whole answer (E2E)', pick: (v) => v.report.e2eMs },
    ];
  }
  return [
    { title: 'TTFT including connection set-up', pick: (v) => v.ttftFromIssueMs },
    { title: 'TTFT (from the request written)', pick: (v) => v.report.ttftMs },
    { title: 'TTFB', pick: (v) => v.report.ttfbMs },
    { title: 'Whole answer (E2E)', pick: (v) => v.report.e2eMs },
  ];
}

function table(c: ComparisonFile): DataTable {
  if (c.experiment === 'compare-modes') {
    return {
      caption: 'Per variant; times in ms',
      head: ['variant', 'requests', 'TTFT p50', 'TTFT p95', 'whole answer p50', 'whole answer p95', 'total time', 'bytes/req', 'tokens/req'],
      rows: c.results.map((r) => {
        const done = Math.max(1, r.report.succeeded);
        return [
          r.label,
          `${r.report.succeeded}/${r.report.requests}`,
          fmtMs(r.report.ttftMs.p50),
          fmtMs(r.report.ttftMs.p95),
          fmtMs(r.report.e2eMs.p50),
          fmtMs(r.report.e2eMs.p95),
          `${(r.wallMs / 1000).toFixed(1)}s`,
          fmtNum(r.report.bytesReceived / done, 0),
          fmtNum(r.report.outputTokens / done, 1),
        ];
      }),
      rowAttrs: c.results.map((r) => ({ 'data-variant': r.label })),
    };
  }
  const base = c.results[0];
  return {
    caption: 'Per strategy; times in ms; connect and TLS are means over new connections',
    head: ['strategy', 'ok', 'new conns', 'connect', 'TLS', 'TTFB p50', 'TTFT p50', 'TTFT p95', 'incl. connect p50', 'incl. connect p95', 'E2E p50', 'vs first'],
    rows: c.results.map((r) => [
      r.label,
      `${r.report.succeeded}/${r.report.requests}`,
      String(r.newConnections),
      r.report.connectMs.count > 0 ? fmtMs(r.report.connectMs.mean) : '-',
      r.report.tlsMs.count > 0 ? fmtMs(r.report.tlsMs.mean) : '-',
      fmtMs(r.report.ttfbMs.p50),
      fmtMs(r.report.ttftMs.p50),
      fmtMs(r.report.ttftMs.p95),
      fmtMs(r.ttftFromIssueMs.p50),
      fmtMs(r.ttftFromIssueMs.p95),
      fmtMs(r.report.e2eMs.p50),
      base && base.ttftFromIssueMs.p50 > 0 ? `${(r.ttftFromIssueMs.p50 / base.ttftFromIssueMs.p50).toFixed(2)}x` : '-',
    ]),
    rowAttrs: c.results.map((r) => ({ 'data-variant': r.label })),
  };
}

export function renderComparisonHtml(c: ComparisonFile): string {
  const title = c.experiment === 'compare-modes' ? 'streaming vs non-streaming' : 'connection strategies';
  const target = c.target ? (c.target.simulated ? `built-in simulator (${c.target.baseUrl})` : c.target.baseUrl) : 'not recorded in this file';
  const facts: [string, string][] = [
    ['Experiment', `${c.experiment}: ${title}`],
    ['Target', target],
    ['API and model', c.target ? `${c.target.api}, ${c.target.model}` : 'not recorded'],
    ['Design', `${c.rounds} interleaved rounds of ${c.requestsPerRound} requests per variant${c.concurrency !== undefined ? `, concurrency ${c.concurrency}` : ''}${c.interrupted ? ' (interrupted)' : ''}`],
    ['Tool', c.tool ? `${c.tool.name} ${c.tool.version}` : 'not recorded'],
  ];
  const barGroups: BarGroup[] = groups(c)
    .map((g) => ({
      title: g.title,
      bars: c.results
        .filter((r) => g.pick(r).count > 0)
        .map((r, i) => ({ label: r.label, color: PALETTE[i % PALETTE.length] ?? PALETTE[0], value: g.pick(r).p50, high: g.pick(r).p95 })),
    }))
    .filter((g) => g.bars.length > 0);
  const barTable: DataTable = {
    caption: 'The bars: p50 and p95 per variant, ms',
    head: ['latency', ...c.results.flatMap((r) => [`${r.label} p50`, `${r.label} p95`])],
    rows: groups(c).map((g) => [g.title, ...c.results.flatMap((r) => (g.pick(r).count > 0 ? [fmtMs(g.pick(r).p50), fmtMs(g.pick(r).p95)] : ['-', '-']))]),
  };
  const svg = barChartSvg('comparison-bars', barGroups, 'ms', `${title}: p50 bars with whiskers to p95 per variant; numbers in the table beside it`);
  const body = [
    factsHtml(facts),
    section(
      'Side by side',
      svgBlock(svg, `Latency by ${c.experiment === 'compare-modes' ? 'mode' : 'strategy'}`, barTable, 'Bar: median (p50). Whisker: up to p95 — the spread of the requests, not a confidence interval.'),
      'bars',
    ),
    section('All figures', `<div class="table-wrap">${tableHtml(table(c), { id: 'comparison-table' })}</div>`, 'figures'),
  ];
  if (c.interrupted) body.splice(1, 0, paragraph('The experiment was interrupted: later rounds were not measured.', 'callout warn'));
  return renderPage({ kind: 'comparison', title: `streamtop ${c.experiment}`, subtitle: `${title} against ${target}`, body, charts: [], toolVersion: c.tool?.version ?? 'unknown' });
}
