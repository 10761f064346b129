import { MODES, type MetricSummary, type Mode } from '../engine/types.ts';
import type { ModeReport, Report } from './report.ts';
import { redactUrl } from '../shared/url-secrets.ts';
import type { WorkloadReport } from './schema.ts';
import { datasetUnit, replaySpeedText } from './workload-text.ts';

/** Pure formatting of a report for the terminal: report in, string out. */

export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v === 0) return '0';
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  if (v < 10_000) return v.toFixed(0);
  return `${(v / 1000).toFixed(1)}s`;
}

/** fmtMs with its unit, for prose: "316 ms", "12.8s". */
export function fmtMsWithUnit(v: number): string {
  const t = fmtMs(v);
  return t.endsWith('s') || t === '-' ? t : `${t} ms`;
}

export function fmtNum(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return '-';
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

export function table(rows: string[][], alignRight: (col: number) => boolean = (c) => c > 0): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (alignRight(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const MODE_LABEL: Record<Mode, string> = { stream: 'stream', nonstream: 'non-stream' };

/** One row of the latency table: a metric of one mode, with its summary. */
export interface LatencyRow {
  label: string;
  mode: Mode;
  summary: MetricSummary;
}

function metricRows(label: string, pick: (m: ModeReport) => MetricSummary, byMode: Record<Mode, ModeReport>): LatencyRow[] {
  return MODES.filter((m) => byMode[m].requests > 0 && pick(byMode[m]).count > 0).map((m) => ({ label: `${label} ${MODE_LABEL[m]}`, mode: m, summary: pick(byMode[m]) }));
}

/** Whether any response of the run reasoned: without reasoning TTFO equals TTFT and is not shown. */
export function anyReasoning(r: Pick<Report, 'byMode'>): boolean {
  return r.byMode.stream.ttfrMs.count > 0 || r.byMode.nonstream.ttfrMs.count > 0;
}

/**
 * The rows of the latency table, in the order the terminal prints them; the HTML report shows the
 * same rows, so the two can never disagree on which numbers a run has.
 */
export function latencyRows(r: Pick<Report, 'byMode'>): LatencyRow[] {
  const streamOnly = { stream: r.byMode.stream, nonstream: { ...r.byMode.nonstream, requests: 0 } };
  // Rows of the reasoning phase only when a response reasoned; tool calls only when one was made.
  // Without reasoning TTFO equals TTFT and would only repeat it.
  const reasoned = anyReasoning(r);
  const rows = [
    ...metricRows('TTFT', (m) => m.ttftMs, r.byMode),
    ...(reasoned ? metricRows('TTFR', (m) => m.ttfrMs, r.byMode) : []),
    ...(reasoned ? metricRows('TTFO', (m) => m.ttfoMs, r.byMode) : []),
    ...metricRows('tool', (m) => m.ttftcMs, r.byMode),
    ...(reasoned ? metricRows('reasoning', (m) => m.reasoningMs, streamOnly) : []),
    ...metricRows('ITL ', (m) => m.itlMs, streamOnly),
    ...(reasoned ? metricRows('ITL reasoning', (m) => m.ritlMs, streamOnly) : []),
    ...(reasoned ? metricRows('ITL answer', (m) => m.oitlMs, streamOnly) : []),
    ...metricRows('TPOT', (m) => m.tpotMs, r.byMode),
    ...metricRows('E2E ', (m) => m.e2eMs, r.byMode),
    ...metricRows('TTFB', (m) => m.ttfbMs, r.byMode),
  ];
  if (r.byMode.stream.queueMs.max > 0 || r.byMode.nonstream.queueMs.max > 0) rows.push(...metricRows('queue', (m) => m.queueMs, r.byMode));
  return rows;
}

/** The summary columns after the label, formatted as the terminal shows them. */
export const LATENCY_COLUMNS = ['n', 'mean', 'min', 'p50', 'p90', 'p95', 'p99', 'max'] as const;

export function latencyCells(s: MetricSummary): string[] {
  return [String(s.count), fmtMs(s.mean), fmtMs(s.min), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)];
}

export function formatSummary(r: Report): string {
  const lines: string[] = [];
  const secs = r.durationMs / 1000;
  const t = r.totals;
  const url = redactUrl(r.target.baseUrl);
  const target = r.target.simulated ? `built-in simulator (${url})` : url;
  lines.push(`streamtop ${r.interrupted ? '(interrupted) ' : ''}- ${target}, ${r.target.api}, model ${r.target.model}`);
  lines.push(
    `${secs.toFixed(1)} s, ${t.requests} requests: ${t.succeeded} ok, ${t.failed} failed` +
      `${t.earlyStopped ? `, ${t.earlyStopped} stopped early` : ''}${t.cancelled ? `, ${t.cancelled} cancelled at stop` : ''}` +
      `${t.dropped ? `, ${t.dropped} dropped` : ''}${t.warmup ? ` (+${t.warmup} warm-up)` : ''}`,
  );
  const src = t.tokenSource.tokenizer > 0 ? (t.tokenSource.usage > 0 ? 'usage + tokenizer' : 'tokenizer') : 'server usage';
  lines.push(
    `throughput: ${fmtNum(t.requestsPerSec, 2)} req/s, ${fmtNum(t.outputTokensPerSec)} output tok/s (${fmtNum(t.outputTokens)} tokens, counted from ${src})`,
  );
  const reasoning = reasoningLine(r);
  if (reasoning !== undefined) lines.push(reasoning);
  if (
    r.workload !== undefined &&
    (r.workload.asked.prompts === 'synthetic' || r.workload.asked.prompts === 'dataset' || r.workload.asked.outputTokens !== undefined || r.workload.cache !== undefined)
  )
    lines.push(...workloadLines(r.workload));
  lines.push('');
  const header = ['latency (ms)', ...LATENCY_COLUMNS];
  const rows = [header, ...latencyRows(r).map((row) => [row.label, ...latencyCells(row.summary)])];
  lines.push(table(rows, (c) => c > 0));
  const s = r.byMode.stream.ttftMs;
  const n = r.byMode.nonstream.ttftMs;
  if (s.count > 0 && n.count > 0 && s.p50 > 0) {
    lines.push('');
    lines.push(
      `first token: streaming ${fmtMsWithUnit(s.p50)} vs non-streaming ${fmtMsWithUnit(n.p50)} (p50), ${(n.p50 / s.p50).toFixed(1)}x sooner; ` +
        `whole answer: ${fmtMsWithUnit(r.byMode.stream.e2eMs.p50)} vs ${fmtMsWithUnit(r.byMode.nonstream.e2eMs.p50)}`,
    );
  }
  const errs = Object.entries(r.errors);
  if (errs.length > 0) {
    lines.push('');
    lines.push('errors:');
    for (const [code, count] of errs.sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))) {
      lines.push(`  ${code.padEnd(20)} ${String(count).padStart(6)}  ${r.errorMessages[code as keyof Report['errors']] ?? ''}`);
    }
  }
  const turns = r.workload !== undefined ? turnRows(r.workload) : undefined;
  if (turns !== undefined) {
    lines.push('');
    lines.push('by turn:');
    lines.push(table([turns.header, ...turns.rows]));
    lines.push(turns.note);
  }
  if (r.segments.length > 1) {
    lines.push('');
    lines.push('by load setting:');
    const p = segmentRows(r);
    lines.push(table([p.header, ...p.rows]));
    lines.push(p.note);
  }
  return lines.join('\n');
}

/**
 * Reasoning tokens and tool calls, when there were any: reasoning tokens are not in the output
 * tokens above them.
 */
export function reasoningLine(r: Report): string | undefined {
  let requests = 0;
  let tokens = 0;
  let tools = 0;
  let invalid = 0;
  for (const m of MODES) {
    requests += r.byMode[m].reasoningRequests;
    tokens += r.byMode[m].reasoningTokens;
    tools += r.byMode[m].toolCalls;
    invalid += r.byMode[m].toolArgsInvalid;
  }
  const parts: string[] = [];
  if (requests > 0) parts.push(`reasoning: ${fmtNum(tokens)} tokens over ${requests} requests (${fmtNum(tokens / requests)} per request, not in output tokens)`);
  if (tools > 0) parts.push(`tool calls: ${tools}${invalid > 0 ? ` (${invalid} responses with arguments that are not JSON)` : ''}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * One row per load setting (segment). Throughput is what completed while the segment was in
 * force, over its length; latencies are of the requests that started in it (see SegmentReport).
 * Latencies are the streaming requests' when there are any (a non-streaming TTFT is the whole
 * answer, a different quantity), else the non-streaming ones; a segment in which nothing
 * completed shows no latency ('-'), not zeros. A report from before segments counted their
 * completions shows '-' for them.
 */
export function segmentRows(r: Report): { header: string[]; rows: string[][]; note: string } {
  const header = ['segment', 'load', 'stream %', 'secs', 'completed', 'completed/s', 'latency of', 'TTFT p50', 'TTFT p95', 'E2E p50', 'E2E p95'];
  const rows = r.segments.map((p) => {
    const m = p.byMode.stream.ttftMs.count > 0 ? p.byMode.stream : p.byMode.nonstream;
    const measured = m.ttftMs.count > 0;
    const ms = (v: number): string => (measured ? fmtMs(v) : '-');
    return [
      String(p.index),
      p.rate !== undefined ? `${fmtNum(p.rate)} rps` : `c=${p.concurrency}`,
      `${Math.round(p.streamRatio * 100)}`,
      (p.durationMs / 1000).toFixed(1),
      p.completed !== undefined ? String(p.completed) : '-',
      p.requestsPerSec !== undefined && p.durationMs > 0 ? fmtNum(p.requestsPerSec, 2) : '-',
      !measured ? '-' : m === p.byMode.stream ? 'stream' : 'non-stream',
      ms(m.ttftMs.p50),
      ms(m.ttftMs.p95),
      ms(m.e2eMs.p50),
      ms(m.e2eMs.p95),
    ];
  });
  const note = 'completed(/s): requests finished while the setting held, whenever they started; latencies: requests started under it';
  return { header, rows, note };
}

function tokens(s: WorkloadReport['inputTokens']): string {
  return s.count === 0 ? 'not reported' : `p50 ${Math.round(s.p50)}, p99 ${Math.round(s.p99)}, mean ${s.mean.toFixed(1)}`;
}

/** Summary lines of the workload: asked, counted, and the cache when the server reported one. */
export function workloadLines(w: WorkloadReport): string[] {
  const a = w.asked;
  const sa = a.sessions;
  const d = a.dataset;
  const source =
    d !== undefined
      ? `dataset ${d.file} (${d.format}, ${d.lines} ${datasetUnit(d.format, d.lines)}${d.skipped > 0 ? `, ${d.skipped} skipped as empty` : ''})`
      : sa?.source === 'synthetic'
        ? 'short questions'
        : `${a.prompts} prompts`;
  const asked = [
    a.inputTokens !== undefined ? `input ${a.inputTokens} tokens` : source,
    ...(a.replaySpeed !== undefined ? [`replayed at its timestamps, ${replaySpeedText(a.replaySpeed)}`] : []),
    ...(a.outputTokens !== undefined ? [`output ${a.outputTokens}${a.ignoreEos === true ? ' (ignore_eos)' : ''}`] : []),
    ...(a.sharedPrefix !== undefined
      ? [`shared prefix ${a.sharedPrefix.tokens} tokens × ${a.sharedPrefix.groups} group${a.sharedPrefix.groups === 1 ? '' : 's'} on ${Math.round(a.sharedPrefix.ratio * 100)}% of requests`]
      : []),
  ];
  if (sa !== undefined) {
    const think = sa.thinkTimeMs !== undefined ? `, think ${sa.thinkTimeMs} ms` : '';
    asked.push(`${sa.turns !== undefined ? `sessions of ${sa.turns} turns` : 'its conversations as sessions'} (${sa.history} history${think})`);
  }
  const lines = [`workload: ${asked.join(', ')}`, `  server counted: input ${tokens(w.inputTokens)}; output ${tokens(w.outputTokens)}`];
  const sc = w.sessions;
  if (sc !== undefined) lines.push(`  sessions: ${sc.started} started, ${sc.completed} completed, ${sc.failed} ended by a failed turn, ${sc.cut} cut short (run end, -n or a smaller pool)`);
  const c = w.cache;
  if (c !== undefined) {
    const ttft =
      c.ttftHitMs.count > 0 || c.ttftMissMs.count > 0
        ? `; stream TTFT p50 ${c.ttftHitMs.count > 0 ? fmtMs(c.ttftHitMs.p50) : '-'} ms on a hit vs ${c.ttftMissMs.count > 0 ? fmtMs(c.ttftMissMs.p50) : '-'} ms on a miss`
        : '';
    lines.push(`  prefix cache: ${(c.hitRatio * 100).toFixed(1)}% of prompt tokens cached; ${c.hits} hits, ${c.misses} misses (hit: half the prompt or more)${ttft}`);
  }
  const rp = w.replay;
  if (rp !== undefined) lines.push(`  replay: ${rp.sent} sent; late against the trace p50 ${fmtMsWithUnit(rp.lateMs.p50)}, p99 ${fmtMsWithUnit(rp.lateMs.p99)}, max ${fmtMsWithUnit(rp.lateMs.max)}`);
  return lines;
}

/**
 * One row per turn index of multi-turn sessions, when sessions had more than one turn: TTFT and
 * E2E of the streams (of the non-streaming requests when none streamed, as in segmentRows), and
 * the share of prompt tokens the server served from its cache, which grows with the conversation.
 */
export function turnRows(w: WorkloadReport): { header: string[]; rows: string[][]; note: string } | undefined {
  const turns = w.turns ?? [];
  if (turns.length < 2) return undefined;
  const streamed = turns.some((t) => t.stream.ttftMs.count > 0);
  const mode = streamed ? 'stream' : 'nonstream';
  const header = ['turn', 'requests', 'ok', 'prompt tok', 'cached %', 'TTFT p50', 'TTFT p95', 'E2E p50', 'E2E p95'];
  const rows = turns.map((t) => {
    const m = t[mode];
    const ms = (s: MetricSummary, v: number): string => (s.count > 0 ? fmtMs(v) : '-');
    return [
      t.turn,
      String(t.requests),
      String(t.succeeded),
      t.succeeded > 0 ? fmtNum(t.inputTokens / t.succeeded, 0) : '-',
      t.inputTokens > 0 ? ((100 * t.cachedTokens) / t.inputTokens).toFixed(1) : '-',
      ms(m.ttftMs, m.ttftMs.p50),
      ms(m.ttftMs, m.ttftMs.p95),
      ms(m.e2eMs, m.e2eMs.p50),
      ms(m.e2eMs, m.e2eMs.p95),
    ];
  });
  const note = `latencies (ms) of ${streamed ? 'streaming' : 'non-streaming'} requests; prompt tok: mean per answered request, as the server counted it`;
  return { header, rows, note };
}
