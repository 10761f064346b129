import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newModeSet, type TimelineEntry } from '../../src/engine/stats.ts';
import { LatencyHistogram } from '../../src/engine/histogram.ts';
import { escapeHtml, jsonForScript } from '../../src/report/html/escape.ts';
import { percentileCurve } from '../../src/report/html/distribution.ts';
import { parseSavedResult, renderRunHtml, renderSweepHtml } from '../../src/report/html/index.ts';
import type { ChartSpec } from '../../src/report/html/chart-spec.ts';
import { UsageError } from '../../src/shared/usage-error.ts';
import { disposeSet, okRecord, segmentOf, reportOf } from './helpers/synthetic.ts';

/** The HTML renderer without a browser: escaping, what is drawn from which report field, secrets. */

function chartsOf(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="streamtop-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m?.[1], 'the page embeds its chart data');
  return (JSON.parse(m[1]) as { charts: ChartSpec[] }).charts;
}

function entry(tMs: number, extra: Record<string, unknown> = {}): TimelineEntry {
  return {
    tMs,
    inFlight: 4,
    concurrency: 4,
    completions: 5,
    errors: 1,
    outputTokens: 100,
    ttftMs: { p50: 50, p95: 90, p99: 120 },
    e2eMs: { p50: 400, p95: 700, p99: 900 },
    ...extra,
  } as TimelineEntry;
}

const records = Array.from({ length: 200 }, (_, i) => okRecord(i % 2 ? 'stream' : 'nonstream', 20 + (i % 50)));
/** The same run by a reasoning model: 40 ms of reasoning before each stream's first answer token. */
const reasoningRecords = records.map((r) => (r.mode === 'stream' ? { ...r, ttfrMs: r.ttftMs, ttfoMs: (r.ttftMs ?? 0) + 40, reasoningMs: 40, reasoningTokens: 10 } : r));

test('jsonForScript: no string can close the script element, and JSON.parse reads it back', () => {
  const v = { s: '</script><script>alert(1)</script><!--', u: '\u2028' };
  const out = jsonForScript(v);
  assert.ok(!out.includes('<'), out);
  assert.deepEqual(JSON.parse(out), v);
  assert.equal(escapeHtml(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
});

test('report strings are escaped: an error page or a model name cannot inject markup', () => {
  const evil = '</script><img src=x onerror=alert(1)>';
  const r = reportOf(records, { model: evil, errors: { http_500: 3 }, errorMessages: { http_500: `HTML error page: ${evil}` }, timeline: [entry(1000), entry(2000)] });
  const html = renderRunHtml(r);
  assert.ok(!html.includes('<img src=x'), 'no raw tag from report data');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the text is shown, escaped');
  assert.equal(chartsOf(html).length > 0, true);
});

test('the page loads nothing: no external script, style, image or font', () => {
  const html = renderRunHtml(reportOf(records, { timeline: [entry(1000)] }));
  assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i);
  assert.doesNotMatch(html, /@import|url\(\s*['"]?https?:/i);
  assert.match(html, /uPlot/, 'the chart library is inline');
});

test('load changes are marked on every timeline chart, and segments get their table', () => {
  const sets = [newModeSet(), newModeSet()];
  try {
    const segments = [segmentOf(0, sets[0]!, 5000, 4), segmentOf(1, sets[1]!, 5000, 16)];
    const r = reportOf(records, { segments, timeline: [entry(1000), entry(6000, { concurrency: 16 })] });
    const html = renderRunHtml(r);
    const timeline = chartsOf(html).filter((c) => c.id.startsWith('tl-'));
    assert.ok(timeline.length >= 5);
    for (const c of timeline) assert.deepEqual(c.markers, [{ x: 5, label: 'c=16' }], c.id);
    assert.match(html, /id="segments-table"/);
  } finally {
    for (const s of sets) disposeSet(s);
  }
});

test('TTFO, ITL and mean series appear only when the timeline carries them, TTFO only when a response reasoned', () => {
  const plain = chartsOf(renderRunHtml(reportOf(records, { timeline: [entry(1000)] }))).map((c) => c.id);
  assert.ok(plain.includes('tl-ttftMs') && plain.includes('tl-e2eMs'));
  assert.ok(!plain.includes('tl-ttfoMs') && !plain.includes('tl-itlMs'));
  const ttft = chartsOf(renderRunHtml(reportOf(records, { timeline: [entry(1000)] }))).find((c) => c.id === 'tl-ttftMs');
  assert.deepEqual(ttft?.series.map((s) => s.label), ['p50', 'p95', 'p99']);

  const withTtfo = { timeline: [entry(1000, { ttfoMs: { p50: 60, p95: 95, p99: 130, mean: 70 } })] };
  // Without reasoning TTFO is TTFT again: neither its timeline nor its distribution is drawn.
  const noReasoning = chartsOf(renderRunHtml(reportOf(records, withTtfo))).map((c) => c.id);
  assert.ok(!noReasoning.some((id) => id.includes('ttfo')), noReasoning.join(' '));
  const charts = chartsOf(renderRunHtml(reportOf(reasoningRecords, withTtfo)));
  assert.ok(charts.some((c) => c.id.includes('ttfo') && !c.id.startsWith('tl-')), 'the TTFO distribution is drawn');
  const ttfo = charts.find((c) => c.id === 'tl-ttfoMs');
  assert.deepEqual(ttfo?.series.map((s) => s.label), ['p50', 'p95', 'p99', 'mean']);
  assert.deepEqual(ttfo?.series.map((s) => s.values[0]), [60, 95, 130, 70]);
});

test('percentile curve: non-decreasing, ending at the largest sample', () => {
  const h = new LatencyHistogram();
  try {
    for (let i = 1; i <= 1000; i++) h.record(i * 0.5);
    const curve = percentileCurve(h).filter((v): v is number => v !== null);
    assert.ok(curve.length > 20);
    for (let i = 1; i < curve.length; i++) assert.ok((curve[i] ?? 0) >= (curve[i - 1] ?? 0), `point ${i}`);
    assert.equal(curve.at(-1), 500);
    assert.ok(Math.abs((curve[0] ?? 0) - 0.5) < 0.01, 'starts at the minimum');
  } finally {
    h.dispose();
  }
});

test('settings are shown from a fixed list: an unknown field (a key, say) never reaches the page', () => {
  const canary = 'sk-canary-html-5e1f0a9b7c3d';
  const r = reportOf(records, {
    settings: { concurrency: 4, streamRatio: 0.5, apiKey: canary, headers: { authorization: `Bearer ${canary}` } },
    errors: { http_401: 2 },
    errorMessages: { http_401: `Incorrect API key provided: ${canary}` },
  });
  const html = renderRunHtml(r);
  assert.ok(!html.includes('canary-html'), 'no part of the key');
  assert.match(html, /closed loop, 4 in flight/);
});

test('sweep files: validated with the field at fault, rendered with the recommendation', () => {
  assert.throws(() => parseSavedResult({ schema: 'streamtop.sweep/1', levels: 'x' }, 'bad.json'), (e: unknown) => e instanceof UsageError && /bad\.json is not a valid streamtop\.sweep\/1 result: .*levels/.test(e.message));
  assert.throws(() => parseSavedResult({ schema: 'other/2' }, 'o.json'), /o\.json has schema "other\/2"/);
  const s = { count: 10, mean: 50, min: 10, p50: 40, p90: 80, p95: 90, p99: 99, max: 120 };
  const level = (n: number, good: number) => ({ level: n, durationMs: 2000, requests: 10, succeeded: 10, failed: 0, requestsPerSec: n, outputTokensPerSec: 100 * n, goodputPerSec: good, goodMet: good * 2, ttftMs: s, e2eMs: s, tpotMs: s });
  const parsed = parseSavedResult(
    { schema: 'streamtop.sweep/1', tool: { name: 'streamtop', version: '0' }, target: { baseUrl: 'http://127.0.0.1:1/v1', api: 'openai', model: 'm', simulated: true }, kind: 'concurrency', slo: 'ttft<100ms', levels: [level(1, 1), level(2, 1.9), level(4, 1.2)], recommended: 2, interrupted: false },
    's.json',
  );
  assert.equal(parsed.kind, 'sweep');
  if (parsed.kind !== 'sweep') return;
  const html = renderSweepHtml(parsed.sweep);
  assert.match(html, /<b id="recommended" data-level="2">2<\/b>/);
  assert.deepEqual(chartsOf(html).find((c) => c.id === 'sweep-goodput')?.markers, [{ x: 2, label: 'recommended 2' }]);
});

test('a timeline with byMode gets one chart per metric and mode, each with its mean', () => {
  const w = (p50: number): Record<string, number> => ({ count: 10, mean: p50 + 5, p50, p95: p50 * 2, p99: p50 * 3 });
  const perMode = {
    byMode: {
      stream: { ttftMs: w(50), e2eMs: w(400), ttfoMs: w(300), itlMs: w(8) },
      nonstream: { ttftMs: w(500), e2eMs: w(500) },
    },
  };
  const r = reportOf(reasoningRecords, { timeline: [entry(1000, perMode), entry(2000, perMode)] });
  const ids = chartsOf(renderRunHtml(r)).map((c) => c.id).filter((id) => /^tl-(ttft|ttfo|itl|e2e)/.test(id));
  assert.deepEqual(ids, ['tl-ttftMs-stream', 'tl-ttftMs-nonstream', 'tl-ttfoMs-stream', 'tl-itlMs-stream', 'tl-e2eMs-stream', 'tl-e2eMs-nonstream']);
  const ttfo = chartsOf(renderRunHtml(r)).find((c) => c.id === 'tl-ttfoMs-stream');
  assert.deepEqual(ttfo?.series.map((s) => [s.label, s.values[1]]), [['p50', 300], ['p95', 600], ['p99', 900], ['mean', 305]]);
});
