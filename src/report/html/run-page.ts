import { z } from 'zod';
import { redactSecrets } from '../../engine/wire/common.ts';
import type { Report } from '../report.ts';
import { LATENCY_COLUMNS, fmtMs, fmtNum, latencyCells, latencyRows, segmentRows, turnRows } from '../text.ts';
import type { ChartSpec } from './chart-spec.ts';
import { distributionCharts } from './distribution.ts';
import { escapeHtml } from './escape.ts';
import { chartBlock, factsHtml, paragraph, renderPage, section, tableHtml, type DataTable } from './page.ts';
import { loadMarkers, timelineCharts } from './timeline.ts';

/**
 * One run (`streamtop.report/1`) as a page: header, the terminal's summary table, the run over
 * time, latency distributions, errors, and the extras (goodput, cost, gates, early stop).
 *
 * Settings are shown field by field from a fixed list, never dumped: whatever a future version
 * adds to `settings` stays out of the page unless it is named here.
 */

function setting(r: Report, key: string): unknown {
  return r.settings[key];
}
const numSetting = (r: Report, key: string): number | undefined => {
  const v = setting(r, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
const strSetting = (r: Report, key: string): string | undefined => {
  const v = setting(r, key);
  return typeof v === 'string' ? v : undefined;
};

export function loadModel(r: Report): string {
  const rate = numSetting(r, 'rate');
  const c = numSetting(r, 'concurrency');
  const parts: string[] = [];
  if (rate !== undefined) parts.push(`open loop, ${fmtNum(rate)} req/s (${strSetting(r, 'arrival') ?? 'constant'} arrivals)${c !== undefined ? `, at most ${c} in flight` : ''}`);
  else parts.push(`closed loop, ${c ?? '?'} in flight`);
  const ramp = numSetting(r, 'rampSeconds');
  if (ramp !== undefined && ramp > 0) parts.push(`ramp ${ramp} s`);
  const conn = strSetting(r, 'connection');
  if (conn !== undefined) parts.push(`connections: ${conn}`);
  if (r.segments.length > 1) parts.push(`${r.segments.length - 1} load change${r.segments.length > 2 ? 's' : ''}`);
  return parts.join('; ');
}

export function workload(r: Report): string {
  const parts: string[] = [];
  const ratio = numSetting(r, 'streamRatio');
  if (ratio !== undefined) parts.push(`${Math.round(ratio * 100)}% streaming`);
  const prompts = setting(r, 'prompts');
  const sessions = r.workload?.asked.sessions;
  if (sessions !== undefined) parts.push(`${sessions.turns !== undefined ? `sessions of ${sessions.turns} turns` : 'dataset conversations as sessions'} (${sessions.history} history${sessions.thinkTimeMs !== undefined ? `, think ${sessions.thinkTimeMs} ms` : ''})`);
  else if (typeof prompts === 'number') parts.push(`${prompts} prompt${prompts === 1 ? '' : 's'}`);
  const maxTokens = numSetting(r, 'maxTokens');
  parts.push(maxTokens !== undefined ? `max ${maxTokens} output tokens` : 'no max-tokens limit');
  const warmup = numSetting(r, 'warmup');
  if (warmup !== undefined && warmup > 0) parts.push(`${warmup} warm-up requests`);
  const seed = numSetting(r, 'seed');
  if (seed !== undefined) parts.push(`seed ${seed}`);
  return parts.join('; ');
}

export function targetText(r: Report): string {
  return r.target.simulated ? `built-in simulator (${r.target.baseUrl})` : r.target.baseUrl;
}

function headerSection(r: Report): string {
  const t = r.totals;
  const merged = setting(r, 'mergedFrom');
  const facts: [string, string][] = [
    ['Target', targetText(r)],
    ['API and model', `${r.target.api}, ${r.target.model}`],
    ['Load model', loadModel(r)],
    ['Workload', workload(r)],
    ['Duration', `${(r.durationMs / 1000).toFixed(1)} s, stopped by ${r.stopReason}${r.interrupted ? ' (interrupted)' : ''}`],
    ['When', r.createdAt],
    ['Requests', `${t.requests} measured: ${t.succeeded} ok, ${t.failed} failed${t.earlyStopped ? `, ${t.earlyStopped} stopped early` : ''}${t.cancelled ? `, ${t.cancelled} cancelled at stop` : ''}${t.dropped ? `, ${t.dropped} dropped` : ''}`],
    ['Tool', `${r.tool.name} ${r.tool.version}`],
  ];
  if (Array.isArray(merged)) facts.push(['Merged from', merged.filter((f): f is string => typeof f === 'string').join(', ')]);
  return factsHtml(facts);
}

/** The terminal pads labels to line up its columns; a table cell needs no padding. */
const oneSpace = (s: string): string => s.replace(/\s+/g, ' ').trim();

function summarySection(r: Report): string {
  const t = r.totals;
  const src = t.tokenSource.tokenizer > 0 ? (t.tokenSource.usage > 0 ? 'usage + tokenizer' : 'tokenizer') : 'server usage';
  const rows = latencyRows(r);
  const table: DataTable = {
    caption: 'Latency per mode, in ms (the same table as the terminal summary)',
    head: ['latency (ms)', ...LATENCY_COLUMNS],
    rows: rows.map((row) => [oneSpace(row.label), ...latencyCells(row.summary)]),
    rowAttrs: rows.map((row) => ({ 'data-row': oneSpace(row.label), 'data-mode': row.mode })),
  };
  const parts = [
    `<p class="callout" id="throughput">Throughput: <b>${escapeHtml(fmtNum(t.requestsPerSec, 2))} req/s</b>, <b>${escapeHtml(fmtNum(t.outputTokensPerSec))} output tok/s</b> (${escapeHtml(fmtNum(t.outputTokens))} tokens, counted from ${escapeHtml(src)})</p>`,
    `<div class="table-wrap">${tableHtml(table, { id: 'summary-table' })}</div>`,
  ];
  const s = r.byMode.stream.ttftMs;
  const n = r.byMode.nonstream.ttftMs;
  if (s.count > 0 && n.count > 0 && s.p50 > 0) {
    parts.push(
      paragraph(
        `First token: streaming ${fmtMs(s.p50)} ms vs non-streaming ${fmtMs(n.p50)} ms (p50), ${(n.p50 / s.p50).toFixed(1)}x sooner; whole answer: ${fmtMs(r.byMode.stream.e2eMs.p50)} vs ${fmtMs(r.byMode.nonstream.e2eMs.p50)} ms.`,
      ),
    );
  }
  if (r.segments.length > 1) {
    const p = segmentRows(r);
    parts.push(`<h3>By load setting</h3><div class="table-wrap">${tableHtml({ caption: 'One row per segment (load setting); latencies in ms', head: p.header, rows: p.rows }, { id: 'segments-table' })}</div>`);
  }
  const turns = r.workload !== undefined ? turnRows(r.workload) : undefined;
  if (turns !== undefined) {
    parts.push(`<h3>By turn</h3><div class="table-wrap">${tableHtml({ caption: `One row per turn index of the multi-turn sessions; ${turns.note}`, head: turns.header, rows: turns.rows }, { id: 'turns-table' })}</div>`);
  }
  return section('Summary', parts.join('\n'), 'summary');
}

function errorsSection(r: Report): string {
  const errs = Object.entries(r.errors).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  if (errs.length === 0) return section('Errors', paragraph('No request failed.'), 'errors');
  const messages = r.errorMessages as Record<string, string | undefined>;
  const table: DataTable = {
    caption: 'Failed requests by error code, with the last message seen for each',
    head: ['code', 'count', 'last message'],
    rows: errs.map(([code, count]) => [code, String(count ?? 0), redactSecrets(messages[code] ?? '')]),
    textCols: [2],
  };
  return section('Errors', `<div class="table-wrap">${tableHtml(table, { id: 'errors-table' })}</div>`, 'errors');
}

const costSchema = z.looseObject({
  total: z.number(),
  perRequest: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  inputCostKnown: z.boolean(),
  priceIn: z.number(),
  priceOut: z.number(),
  source: z.string(),
  projectRequestsPerMonth: z.number().optional(),
  projectedPerMonth: z.number().optional(),
  savedByEarlyStop: z.looseObject({ tokens: z.number(), dollars: z.number() }).optional(),
});
const goodputSchema = z.looseObject({ met: z.number(), total: z.number(), perSec: z.number(), basis: z.string() });
const gatesSchema = z.looseObject({ pass: z.boolean(), results: z.array(z.looseObject({ pass: z.boolean(), text: z.string() })) });
const earlyStopSchema = z.looseObject({
  rule: z.string(),
  streamsStopped: z.number(),
  tokensReceived: z.number(),
  estimatedFullTokens: z.number().nullable(),
  tokensSaved: z.number().nullable(),
  basis: z.string(),
});

const usd = (v: number): string => `$${v < 0.01 && v > 0 ? v.toPrecision(3) : v.toFixed(v >= 100 ? 0 : 4)}`;

function extrasSection(r: Report): string {
  const x = r.extras ?? {};
  const parts: string[] = [];
  const goodput = goodputSchema.safeParse(x.goodput);
  if (goodput.success) {
    const g = goodput.data;
    parts.push(`<h3>Goodput</h3>${paragraph(`${g.met} of ${g.total} requests met every objective: ${g.perSec.toFixed(2)} req/s (${g.basis}).`)}`);
  }
  const cost = costSchema.safeParse(x.cost);
  if (cost.success) {
    const c = cost.data;
    const rows: string[][] = [
      ['this run', usd(c.total)],
      ['per completed request', usd(c.perRequest)],
      ['input tokens', `${fmtNum(c.inputTokens)}${c.inputCostKnown ? '' : ' (not reported by the server: input cost missing)'}`],
      ['output tokens', fmtNum(c.outputTokens)],
      ['prices ($ per million tokens)', `in ${c.priceIn}, out ${c.priceOut} (${c.source})`],
    ];
    if (c.projectedPerMonth !== undefined && c.projectRequestsPerMonth !== undefined) rows.push([`${fmtNum(c.projectRequestsPerMonth)} requests a month`, usd(c.projectedPerMonth)]);
    if (c.savedByEarlyStop) rows.push(['saved by early stop', `${fmtNum(c.savedByEarlyStop.tokens)} tokens, ${usd(c.savedByEarlyStop.dollars)}`]);
    parts.push(`<h3>Cost</h3><div class="table-wrap">${tableHtml({ caption: 'Cost of the tokens counted (a floor: failed requests may be billed too)', head: ['', 'value'], rows, textCols: [1] }, { id: 'cost-table' })}</div>`);
  }
  const es = earlyStopSchema.safeParse(x.earlyStop);
  if (es.success) {
    const e = es.data;
    parts.push(
      `<h3>Early stop</h3>${paragraph(`${e.rule}: ${e.streamsStopped} streams stopped with ${e.tokensReceived} tokens received${e.tokensSaved !== null ? `; about ${Math.round(e.tokensSaved)} tokens not generated` : ''} (full lengths from ${e.basis}).`)}`,
    );
  }
  const gates = gatesSchema.safeParse(x.gates);
  if (gates.success) {
    const items = gates.data.results.map((g) => `<li><span class="${g.pass ? 'pass' : 'fail'}">${g.pass ? 'PASS' : 'FAIL'}</span> ${escapeHtml(g.text)}</li>`).join('');
    parts.push(`<h3>Gates (--fail-if): <span class="${gates.data.pass ? 'pass' : 'fail'}">${gates.data.pass ? 'all passed' : 'failed'}</span></h3><ul>${items}</ul>`);
  }
  if (!cost.success) parts.push(paragraph('Cost: no prices known for this model (give --price-in and --price-out when running).', 'note'));
  return section('Goodput, cost and gates', parts.join('\n'), 'extras');
}

export function renderRunHtml(r: Report): string {
  const specs: ChartSpec[] = [];
  const timeline = timelineCharts(r);
  const dists = distributionCharts(r);
  specs.push(...timeline.map((c) => c.spec), ...dists.map((c) => c.spec));
  const markers = loadMarkers(r);
  const overTime =
    timeline.length === 0
      ? paragraph('This report has no timeline (the run was shorter than a second).')
      : [
          markers.length > 0 ? paragraph(`Dashed lines mark the ${markers.length} load change${markers.length > 1 ? 's' : ''}.`, 'note') : '',
          `<div class="grid2">${timeline.map((c) => chartBlock(c.spec, c.title, c.table, c.note)).join('\n')}</div>`,
        ].join('\n');
  const body = [
    headerSection(r),
    summarySection(r),
    section('Over time', overTime, 'timeline'),
    section(
      'Latency distributions',
      dists.length === 0
        ? paragraph('No latency was recorded.')
        : `${paragraph('Value at each percentile, from the HdrHistograms saved in the report; the percentile axis is logarithmic so the tail is visible. Streaming solid, non-streaming dashed.', 'note')}<div class="grid2">${dists.map((c) => chartBlock(c.spec, c.title, c.table)).join('\n')}</div>`,
      'distributions',
    ),
    errorsSection(r),
    extrasSection(r),
  ];
  return renderPage({
    kind: 'run',
    title: `streamtop run: ${r.target.model}`,
    subtitle: `${targetText(r)}, ${r.createdAt}`,
    body,
    charts: specs,
    toolVersion: r.tool.version,
  });
}
