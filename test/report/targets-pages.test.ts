import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyTargetsExtras } from '../../src/report/targets-extras.ts';
import { formatTargetsMarkdown } from '../../src/report/targets-markdown.ts';
import { renderHtml } from '../../src/report/html/index.ts';
import type { ChartSpec } from '../../src/report/html/chart-spec.ts';
import { newModeSet, type TimelineEntry } from '../../src/engine/stats.ts';
import { fmtMs } from '../../src/report/text.ts';
import { disposeSet, okRecord, rec, segmentOf, targetsReportOf } from './helpers/synthetic.ts';

/** The Markdown and HTML pages of a multi-target run (--target), from a synthetic report. */

// a: TTFT 100..1000 ms; gw: the same plus 50 ms and one failure in ten.
const a = Array.from({ length: 30 }, (_, i) => okRecord('stream', 100 + (i % 10) * 100));
const gw = a.map((r, i) => (i % 10 === 9 ? rec({ mode: 'stream', outcome: 'failed', errorCode: 'http_502' }) : okRecord('stream', (r.ttftMs ?? 0) + 50)));

function sample() {
  const r = targetsReportOf({ direct: a, 'gw.eu-1': gw }, { errors: {}, model: 'gpt-4o-mini' });
  const g = r.targets?.[1];
  if (g) {
    g.errors = { http_502: 3 };
    g.errorMessages = { http_502: 'bad | gateway <script>' };
  }
  for (const t of r.targets ?? []) t.extras = { goodputCounts: { met: 20, total: 30 } };
  applyTargetsExtras(r, { slo: 'ttft<500ms', priceIn: 1, priceOut: 2, projectPerMonth: 1_000_000, failIf: 'p50(ttft@gw.eu-1)<p50(ttft@direct)+20ms' });
  return r;
}

describe('formatTargetsMarkdown', () => {
  const md = formatTargetsMarkdown(sample());
  it('lists the targets, the reference first', () => {
    assert.match(md, /^# streamtop report: 2 targets/);
    assert.match(md, /\| \*\*direct\*\* \(reference\) \|/);
    assert.match(md, /\| \*\*gw.eu-1\*\* \|/);
  });
  it('carries the verdict table and its lines', () => {
    assert.match(md, /## Verdict/);
    assert.match(md, /\| TTFT stream \(ms\) \| direct \| \d+ \|/);
    assert.match(md, /- gw.eu-1 vs direct: TTFT stream p50 slower \(worse\): \+50/);
  });
  it('latency, errors, goodput and cost by target, and the gates', () => {
    assert.match(md, /\| TTFT \| gw.eu-1 \| 27 \|/);
    assert.match(md, /## Errors by target[\s\S]*\| gw.eu-1 \| `http_502` \| 3 \| bad \\\| gateway <script> \|/);
    assert.match(md, /## Goodput by target[\s\S]*`ttft<500ms`[\s\S]*\| direct \| 20 \| 30 \|/);
    assert.match(md, /## Cost by target[\s\S]*a month \(1\.00M requests\)/);
    assert.match(md, /## Gates[\s\S]*❌ 1 of 1 failed/);
  });
});

describe('the targets HTML page', () => {
  const report = sample();
  const html = renderHtml({ kind: 'run', report });
  it('is the targets page, with bars for each target and intervals for the others', () => {
    assert.match(html, /<body data-page="targets">/);
    assert.match(html, /<svg id="targets-latency-bars"/);
    const row = report.comparison?.rows.find((r) => r.metric === 'ttft' && r.mode === 'stream');
    const ref = row?.reference.p50 ?? NaN;
    const d = row?.diff.p50;
    assert.ok(d && d.lo !== null && d.hi !== null);
    // The tooltip of gw's bar gives its p50 and the interval: the reference plus the difference's.
    assert.ok(html.includes(`gw.eu-1: ${fmt(row?.value.p50 ?? NaN)} ms, interval ${fmt(ref + d.lo)} to ${fmt(ref + d.hi)} ms`), 'the interval is drawn');
  });
  it('has the summary table of each target with the report numbers', () => {
    const s = report.targets?.[1]?.byMode.stream.ttftMs;
    assert.ok(s);
    assert.match(html, /<table id="summary-table-1" data-target="gw.eu-1">/);
    assert.ok(html.includes(`<th scope="row">TTFT stream</th><td class="num">${s.count}</td><td class="num">${fmtMs(s.mean)}</td>`));
  });
  it('escapes names and messages, and shows goodput, cost and gates', () => {
    assert.ok(!html.includes('gateway <script>') && html.includes('bad | gateway &lt;script&gt;'), 'error messages are escaped');
    assert.match(html, /id="goodput-table"/);
    assert.match(html, /id="cost-table"/);
    assert.match(html, /<ul id="gates"><li><span class="fail">FAIL<\/span> p50\(ttft@gw.eu-1\)/);
  });
});

function chartsOf(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="streamtop-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m?.[1], 'the page embeds its chart data');
  return (JSON.parse(m[1]) as { charts: ChartSpec[] }).charts;
}

/** A second of a target's timeline whose stream TTFT p50 is `ttft` (p95 twice that). */
function second(tMs: number, ttft: number, extra: Partial<TimelineEntry> = {}): TimelineEntry {
  const w = (p50: number) => ({ count: 10, mean: p50 + 1, p50, p95: p50 * 2, p99: p50 * 3 });
  return {
    tMs,
    inFlight: 4,
    concurrency: 4,
    completions: 10,
    errors: 1,
    outputTokens: 200,
    ttftMs: { p50: ttft, p95: ttft * 2, p99: ttft * 3 },
    e2eMs: { p50: ttft * 4, p95: ttft * 8, p99: ttft * 12 },
    byMode: { stream: { ttftMs: w(ttft), e2eMs: w(ttft * 4), itlMs: w(5) } },
    ...extra,
  } as TimelineEntry;
}

describe('the targets HTML page over time and by percentile', () => {
  const r = sample();
  const [direct, gw] = r.targets ?? [];
  assert.ok(direct && gw);
  // The engines tick a few ms apart; gw's partial last second (at the stop) replaces its 3 s entry.
  direct.timeline = [second(1002, 100), second(2001, 110), second(3003, 120, { concurrency: 8 })];
  gw.timeline = [second(998, 150), second(2004, 0), second(2999, 170, { concurrency: 8 }), second(3300, 175, { concurrency: 8 })];
  const set = newModeSet();
  const segments = [segmentOf(0, set, 2000, 4), { ...segmentOf(1, set, 2000, 8), reason: 'concurrency' as const }];
  disposeSet(set);
  r.segments = segments;
  for (const t of r.targets ?? []) t.segments = segments;
  const html = renderHtml({ kind: 'run', report: r });
  const charts = chartsOf(html);
  const ids = charts.map((c) => c.id);

  it('one chart per metric and mode with every target overlaid, then load, throughput and tokens', () => {
    assert.deepEqual(
      ids.filter((id) => id.startsWith('tl-')),
      ['tl-ttftMs-stream', 'tl-itlMs-stream', 'tl-e2eMs-stream', 'tl-load', 'tl-throughput', 'tl-tokens'],
    );
    const ttft = charts.find((c) => c.id === 'tl-ttftMs-stream');
    assert.deepEqual(ttft?.x, [1, 2, 3]);
    assert.deepEqual(
      ttft?.series.map((s) => [s.label, s.values]),
      [
        ['direct p50', [100, 110, 120]],
        ['direct p95', [200, 220, 240]],
        // 0 is "no completion in the window": a gap. The 3.3 s entry stands for second 3.
        ['gw.eu-1 p50', [150, null, 175]],
        ['gw.eu-1 p95', [300, null, 350]],
      ],
    );
    const [dp50, dp95, gp50] = ttft?.series ?? [];
    assert.ok(dp50 && dp95 && gp50);
    assert.equal(dp50.color, dp95.color, 'a target keeps its colour');
    assert.notEqual(dp50.color, gp50.color, 'targets differ in colour');
    assert.ok(dp95.dash && !dp50.dash, 'p95 dashed, p50 solid');
    assert.deepEqual(charts.find((c) => c.id === 'tl-load')?.series.map((s) => s.label), ['direct in flight', 'gw.eu-1 in flight', 'pool size']);
    assert.deepEqual(charts.find((c) => c.id === 'tl-throughput')?.series.map((s) => s.label), ['direct completed/s', 'direct errors/s', 'gw.eu-1 completed/s', 'gw.eu-1 errors/s']);
  });
  it('marks the load change on every timeline chart', () => {
    for (const c of charts.filter((x) => x.id.startsWith('tl-'))) assert.deepEqual(c.markers, [{ x: 2, label: 'c=8' }], c.id);
  });
  it('every chart has its numbers in a table beside it', () => {
    for (const id of ids) assert.ok(html.includes(`aria-describedby="${id}-table"`) && html.includes(`<table id="${id}-table"`), id);
    assert.ok(html.includes('<th scope="row">2</th><td class="num">110</td><td class="num">220</td><td class="num">-</td><td class="num">-</td>'), 'a second without gw completions reads "-"');
  });
  it("each target's percentile curves overlaid, TTFO only when a response reasoned", () => {
    assert.deepEqual(ids.filter((id) => id.startsWith('dist-')), ['dist-ttft', 'dist-itl', 'dist-e2e']);
    const dist = charts.find((c) => c.id === 'dist-ttft');
    assert.equal(dist?.xLog, 10);
    assert.deepEqual(dist?.series.map((s) => s.label), ['direct stream', 'gw.eu-1 stream']);
    // gw is 50 ms slower at every percentile.
    const [d, g] = dist?.series ?? [];
    assert.ok((g?.values[0] ?? 0) > (d?.values[0] ?? Infinity));
    const reasoned = targetsReportOf({ direct: a.map((x) => ({ ...x, ttfrMs: x.ttftMs, ttfoMs: (x.ttftMs ?? 0) + 40, reasoningMs: 40, reasoningTokens: 5 })), gw: a });
    const rCharts = chartsOf(renderHtml({ kind: 'run', report: reasoned }));
    assert.deepEqual(rCharts.find((c) => c.id === 'dist-ttfo')?.series.map((s) => s.label), ['direct stream'], 'only the target that reasoned has a TTFO curve');
  });
});

/** svg.ts's number format. */
function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}
