import { MODES, type MetricSummary, type Mode } from '../engine/types.ts';
import { fmtUsd, type CostResult } from './cost.ts';
import type { GateResult } from './gates.ts';
import type { ModeReport, Report } from './report.ts';
import type { WorkloadReport } from './schema.ts';
import { datasetUnit, replaySpeedText } from './workload-text.ts';
import { fmtMs, fmtNum, segmentRows, turnRows } from './text.ts';
import { redactUrl } from '../shared/url-secrets.ts';

/**
 * The report as GitHub-flavoured Markdown, for a pull request or a job summary: report in,
 * string out. Reads `extras` defensively, since a loaded report's extras are untyped JSON.
 */

const MODE_TITLE: Record<Mode, string> = { stream: 'Streaming', nonstream: 'Non-streaming' };

const METRICS: ReadonlyArray<{ label: string; key: keyof ModeReport & `${string}Ms` }> = [
  { label: 'TTFT', key: 'ttftMs' },
  { label: 'TTFR (first reasoning token)', key: 'ttfrMs' },
  { label: 'TTFO (first output token)', key: 'ttfoMs' },
  { label: 'first tool-call token', key: 'ttftcMs' },
  { label: 'reasoning duration', key: 'reasoningMs' },
  { label: 'ITL', key: 'itlMs' },
  { label: 'ITL reasoning', key: 'ritlMs' },
  { label: 'ITL answer', key: 'oitlMs' },
  { label: 'TPOT', key: 'tpotMs' },
  { label: 'E2E', key: 'e2eMs' },
  { label: 'TTFB', key: 'ttfbMs' },
  { label: 'queue', key: 'queueMs' },
];

/**
 * A table cell: pipes would split the cell and newlines would end the table. Backslashes stay
 * as they are: GitHub un-escapes `\|` even inside code spans, but not `\\`.
 */
export function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Numbers right-aligned by default: every column but the first. */
export function mdTable(header: string[], rows: string[][], alignRight: (col: number) => boolean = (c) => c > 0): string {
  const align = header.map((_, i) => (alignRight(i) ? '---:' : ':---'));
  const line = (cells: string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), `|${align.join('|')}|`, ...rows.map(line)].join('\n');
}

function summaryRow(label: string, s: MetricSummary): string[] {
  return [label, String(s.count), fmtMs(s.mean), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)];
}

export function formatMarkdown(r: Report): string {
  const out: string[] = [];
  const t = r.totals;
  out.push(`# streamtop report${r.interrupted ? ' (interrupted)' : ''}`, '');
  const url = redactUrl(r.target.baseUrl);
  const target = r.target.simulated ? `built-in simulator (\`${url}\`)` : `\`${url}\``;
  out.push(
    `**Target:** ${target}, ${r.target.api} API, model \`${r.target.model}\`  `,
    `**Run:** ${(r.durationMs / 1000).toFixed(1)} s, stopped by ${r.stopReason}, ${r.createdAt}, streamtop ${r.tool.version}  `,
  );
  const settings = settingsLine(r.settings);
  if (settings !== '') out.push(`**Settings:** ${settings}`);
  out.push('');

  out.push('## Totals', '');
  out.push(
    mdTable(
      ['requests', 'ok', 'failed', 'early stopped', 'cancelled', 'dropped', 'req/s', 'output tok/s', 'output tokens'],
      [
        [
          String(t.requests),
          String(t.succeeded),
          String(t.failed),
          String(t.earlyStopped),
          String(t.cancelled),
          String(t.dropped),
          fmtNum(t.requestsPerSec, 2),
          fmtNum(t.outputTokensPerSec),
          String(t.outputTokens),
        ],
      ],
      () => true,
    ),
  );
  const src = t.tokenSource.tokenizer > 0 ? (t.tokenSource.usage > 0 ? 'server usage and a tokenizer' : 'a tokenizer') : 'server usage';
  out.push('', `Output tokens counted from ${src}.${t.warmup ? ` ${t.warmup} warm-up requests not counted.` : ''}`, '');

  if (r.workload !== undefined) out.push(...workloadSection(r.workload));

  for (const m of MODES) {
    const mr = r.byMode[m];
    if (mr.requests === 0) continue;
    out.push(`## ${MODE_TITLE[m]} latency (ms)`, '');
    out.push(`${mr.requests} requests, ${mr.succeeded} ok, ${fmtNum(mr.requestsPerSec, 2)} req/s, ${fmtNum(mr.outputTokensPerSec)} output tok/s`, '');
    // Closed-loop runs have no queueing: a row of zeros would only look like a measurement.
    // Without reasoning, TTFO and the answer ITL only repeat TTFT and ITL.
    const reasoned = mr.ttfrMs.count > 0;
    const shown = (key: (typeof METRICS)[number]['key']): boolean =>
      mr[key].count > 0 && (key !== 'queueMs' || mr.queueMs.max > 0) && (reasoned || (key !== 'ttfoMs' && key !== 'oitlMs'));
    const rows = METRICS.filter((x) => shown(x.key)).map((x) =>
      summaryRow(x.label, mr[x.key]),
    );
    out.push(rows.length > 0 ? mdTable(['metric', 'n', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], rows) : '_no latency samples_', '');
  }

  const errs = Object.entries(r.errors).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  if (errs.length > 0) {
    out.push('## Errors', '');
    out.push(
      mdTable(
        ['code', 'count', 'last message'],
        errs.map(([code, n]) => [`\`${code}\``, String(n ?? 0), r.errorMessages[code as keyof Report['errorMessages']] ?? '']),
        (c) => c === 1,
      ),
      '',
    );
  }

  if (r.segments.length > 1) {
    out.push('## By load setting', '');
    const p = segmentRows(r);
    out.push(mdTable(p.header, p.rows), '', `${p.note}.`, '');
  }

  out.push(...extrasSection(r.extras));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Asked against counted, per request; the cache when the server reported one. */
function workloadSection(w: WorkloadReport): string[] {
  const row = (label: string, asked: string, s: WorkloadReport['inputTokens']): string[] =>
    [label, asked, String(s.count), s.mean.toFixed(1), String(Math.round(s.p50)), String(Math.round(s.p99)), String(Math.round(s.max))];
  const out = ['## Workload', ''];
  const d = w.asked.dataset;
  if (d !== undefined) {
    const replay = w.asked.replaySpeed !== undefined ? `, replayed at its timestamps (${replaySpeedText(w.asked.replaySpeed)})` : '';
    out.push(`Dataset: \`${d.file.replace(/`/g, "'")}\` (${d.format}, ${d.lines} ${datasetUnit(d.format, d.lines)})${replay}.`, '');
  }
  out.push(
    mdTable(['tokens per request', 'asked', 'n', 'mean', 'p50', 'p99', 'max'], [
      row('input (server count)', w.asked.inputTokens ?? (d !== undefined ? `the dataset's` : `${w.asked.prompts} prompts`), w.inputTokens),
      row('output', `${w.asked.outputTokens ?? (d !== undefined ? "the dataset's" : "the server's")}${w.asked.ignoreEos === true ? ' (ignore_eos)' : ''}`, w.outputTokens),
    ], (c) => c > 1),
    '',
  );
  const p = w.asked.sharedPrefix;
  if (p !== undefined) out.push(`Shared prefix: ${p.tokens} tokens, ${p.groups} group${p.groups === 1 ? '' : 's'}, on ${Math.round(p.ratio * 100)}% of requests.`, '');
  const c = w.cache;
  if (c !== undefined) {
    out.push(
      `Prefix cache: **${(c.hitRatio * 100).toFixed(1)}%** of prompt tokens cached; ${c.hits} hits, ${c.misses} misses (a hit has half its prompt or more cached).`,
      '',
    );
    out.push(mdTable(['stream TTFT (ms)', 'n', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], [summaryRow('cache hit', c.ttftHitMs), summaryRow('cache miss', c.ttftMissMs)]), '');
  }
  const turns = turnRows(w);
  if (turns !== undefined) out.push('### By turn', '', mdTable(turns.header, turns.rows), '', `${turns.note}.`, '');
  if (w.replay !== undefined)
    out.push(mdTable(['replay: late against the trace (ms)', 'n', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], [summaryRow('send', w.replay.lateMs)]), '');
  return out;
}

export function settingsLine(s: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(s)) {
    // Nested settings (timeouts, simulator) would bury the line; the JSON report has them.
    if (v === null || v === undefined || typeof v === 'object') continue;
    parts.push(`${k}=${String(v)}`);
  }
  return parts.map((p) => `\`${p.replace(/`/g, "'")}\``).join(', ');
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function gateResults(v: unknown): { pass: boolean; results: GateResult[] } | undefined {
  if (!isObj(v) || typeof v.pass !== 'boolean' || !Array.isArray(v.results)) return undefined;
  const results = (v.results as unknown[]).filter(
    (g): g is GateResult => isObj(g) && typeof g.text === 'string' && typeof g.pass === 'boolean',
  );
  return { pass: v.pass, results };
}

/** The --fail-if results (`extras.gates`) as a section; nothing when there are none. */
export function gatesMarkdown(v: unknown): string[] {
  const gates = gateResults(v);
  if (!gates) return [];
  const failed = gates.results.filter((g) => !g.pass).length;
  return [
    '## Gates',
    '',
    gates.pass ? `✅ all ${gates.results.length} passed` : `❌ ${failed} of ${gates.results.length} failed`,
    '',
    mdTable(
      ['', 'condition', 'result'],
      gates.results.map((g) => [g.pass ? '✅' : '❌', `\`${typeof g.gate === 'string' ? g.gate : ''}\``, g.text]),
      () => false,
    ),
    '',
  ];
}

function extrasSection(extras: Report['extras']): string[] {
  if (!extras) return [];
  const out: string[] = [...gatesMarkdown(extras.gates)];
  const gp = extras.goodput;
  if (isObj(gp) && typeof gp.met === 'number' && typeof gp.total === 'number' && typeof gp.perSec === 'number') {
    out.push('## Goodput', '');
    out.push(
      `${gp.met} of ${gp.total} requests met every SLO: **${gp.perSec.toFixed(2)} req/s**` +
        `${typeof gp.basis === 'string' ? ` (${gp.basis})` : ''}`,
      '',
    );
  }
  const cost = extras.cost;
  if (isObj(cost) && Array.isArray(cost.lines)) {
    const c = cost as Partial<CostResult> & { lines: unknown[] };
    out.push('## Cost', '');
    if (typeof c.total === 'number' && typeof c.perRequest === 'number') {
      const rows: string[][] = [
        ['this run', fmtUsd(c.total)],
        ['per request', fmtUsd(c.perRequest)],
      ];
      if (typeof c.projectedPerMonth === 'number')
        rows.push([`a month (${fmtNum(c.projectRequestsPerMonth ?? 0)} requests)`, fmtUsd(c.projectedPerMonth)]);
      if (c.savedByEarlyStop) rows.push(['saved by early stop (est.)', fmtUsd(c.savedByEarlyStop.dollars)]);
      out.push(mdTable(['', 'cost'], rows), '');
    }
    for (const l of c.lines) if (typeof l === 'string') out.push(`- ${l.trim().replace(/:$/, '')}`);
    out.push('');
  }
  return out;
}
