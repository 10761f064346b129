import { fmtMs, fmtNum } from '../text.ts';
import { COLORS, type ChartSpec } from './chart-spec.ts';
import { escapeHtml } from './escape.ts';
import type { SweepFile } from './inputs.ts';
import { chartBlock, factsHtml, paragraph, renderPage, section, svgBlock, tableHtml, type DataTable } from './page.ts';
import { curveChartSvg } from './svg.ts';

/**
 * A sweep (`streamtop.sweep/1`) as a page: the recommendation first, then throughput against
 * latency (the curve that shows where a pool stops paying), goodput by level with the
 * recommended level marked, and the per-level table.
 */

export function renderSweepHtml(s: SweepFile): string {
  const unit = s.kind === 'concurrency' ? 'pool size' : 'rate (req/s)';
  const unitShort = s.kind === 'concurrency' ? 'pool' : 'rate';
  const rec = s.levels.find((l) => l.level === s.recommended);
  const target = s.target.simulated ? `built-in simulator (${s.target.baseUrl})` : s.target.baseUrl;
  const facts: [string, string][] = [
    ['Target', target],
    ['API and model', `${s.target.api}, ${s.target.model}`],
    ['Swept', `${unit}: ${s.levels.map((l) => fmtNum(l.level)).join(', ')}${s.interrupted ? ' (interrupted)' : ''}`],
    ['Goodput objective', s.slo === '' ? 'none recorded' : s.slo],
    ['Time measured', `${(s.levels.reduce((a, l) => a + l.durationMs, 0) / 1000).toFixed(1)} s over ${s.levels.length} levels`],
    ['Tool', `${s.tool.name} ${s.tool.version}`],
  ];
  const recommendation = rec
    ? `<p class="callout" id="recommendation">Recommended ${escapeHtml(unitShort)}: <b id="recommended" data-level="${escapeHtml(String(rec.level))}">${escapeHtml(fmtNum(rec.level))}</b> — the highest goodput, ${escapeHtml(fmtNum(rec.goodputPerSec, 2))} req/s meeting ${escapeHtml(s.slo)}; TTFT p95 ${escapeHtml(fmtMs(rec.ttftMs.p95))} ms.</p>`
    : `<p class="callout warn" id="recommendation">No recommendation: no level completed.</p>`;

  const table: DataTable = {
    caption: 'One row per level; latencies in ms',
    head: [unitShort, 'req/s', 'tok/s', 'goodput/s', 'ok', 'fail', 'TTFT p50', 'TTFT p95', 'TTFT p99', 'E2E p50', 'E2E p95', 'E2E p99'],
    rows: s.levels.map((l) => [
      `${fmtNum(l.level)}${l.level === s.recommended ? ' (recommended)' : ''}`,
      fmtNum(l.requestsPerSec, 2),
      fmtNum(l.outputTokensPerSec),
      fmtNum(l.goodputPerSec, 2),
      String(l.succeeded),
      String(l.failed),
      fmtMs(l.ttftMs.p50),
      fmtMs(l.ttftMs.p95),
      fmtMs(l.ttftMs.p99),
      fmtMs(l.e2eMs.p50),
      fmtMs(l.e2eMs.p95),
      fmtMs(l.e2eMs.p99),
    ]),
    rowAttrs: s.levels.map((l) => ({ 'data-level': String(l.level) })),
  };

  const measured = s.levels.filter((l) => l.ttftMs.count > 0);
  const tag = (l: SweepFile['levels'][number]): string => (s.kind === 'concurrency' ? `c=${fmtNum(l.level)}` : `${fmtNum(l.level)}/s`);
  const curve = curveChartSvg(
    'sweep-curve',
    [
      { label: 'TTFT p50', color: COLORS.p50, points: measured.map((l) => ({ x: l.requestsPerSec, y: l.ttftMs.p50, tag: tag(l) })) },
      { label: 'TTFT p95', color: COLORS.p95, points: measured.map((l) => ({ x: l.requestsPerSec, y: l.ttftMs.p95, tag: tag(l) })) },
    ],
    { x: 'throughput (req/s)', y: 'TTFT (ms)' },
    rec ? { tag: tag(rec), label: `recommended: ${tag(rec)}` } : undefined,
    'Throughput against TTFT, one point per level; its numbers are in the table beside it',
  );
  const curveTable: DataTable = {
    caption: 'Throughput and TTFT per level',
    head: [unitShort, 'req/s', 'TTFT p50 (ms)', 'TTFT p95 (ms)'],
    rows: measured.map((l) => [fmtNum(l.level), fmtNum(l.requestsPerSec, 2), fmtMs(l.ttftMs.p50), fmtMs(l.ttftMs.p95)]),
  };

  const sorted = [...s.levels].sort((a, b) => a.level - b.level);
  const logX = s.kind === 'concurrency' && sorted.every((l) => l.level >= 1);
  const goodput: ChartSpec = {
    id: 'sweep-goodput',
    xKind: 'level',
    ...(logX ? { xLog: 2 as const } : {}),
    xLabel: unit,
    yLabel: 'req/s',
    yUnit: 'req/s',
    x: sorted.map((l) => l.level),
    series: [
      { label: 'goodput', color: COLORS.d, values: sorted.map((l) => l.goodputPerSec), points: true },
      { label: 'throughput', color: COLORS.muted, values: sorted.map((l) => l.requestsPerSec), points: true, dash: [4, 3] },
    ],
    markers: rec ? [{ x: rec.level, label: `recommended ${fmtNum(rec.level)}` }] : [],
  };
  const goodputTable: DataTable = {
    caption: `Goodput (requests meeting ${s.slo}) and throughput per level, req/s`,
    head: [unitShort, 'goodput/s', 'met', 'req/s'],
    rows: sorted.map((l) => [fmtNum(l.level), fmtNum(l.goodputPerSec, 2), String(l.goodMet), fmtNum(l.requestsPerSec, 2)]),
  };

  const body = [
    factsHtml(facts),
    recommendation,
    section(
      'Throughput against latency',
      svgBlock(curve, 'Throughput vs TTFT', curveTable, 'Each point is a level; past saturation throughput stops growing while latency climbs.'),
      'curve',
    ),
    section('Goodput by level', chartBlock(goodput, `Goodput vs ${unit}`, goodputTable, `Requests per second that met every objective (${s.slo}).`), 'goodput'),
    section('All levels', `<div class="table-wrap">${tableHtml(table, { id: 'levels-table' })}</div>`, 'levels'),
  ];
  if (s.interrupted) body.splice(2, 0, paragraph('The sweep was interrupted: later levels were not measured.', 'callout warn'));
  return renderPage({
    kind: 'sweep',
    title: `streamtop sweep: ${s.target.model}`,
    subtitle: `${unit} sweep against ${target}`,
    body,
    charts: [goodput],
    toolVersion: s.tool.version,
  });
}
