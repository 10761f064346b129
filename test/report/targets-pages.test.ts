import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyTargetsExtras } from '../../src/report/targets-extras.ts';
import { formatTargetsMarkdown } from '../../src/report/targets-markdown.ts';
import { renderHtml } from '../../src/report/html/index.ts';
import { fmtMs } from '../../src/report/text.ts';
import { okRecord, rec, targetsReportOf } from './helpers/synthetic.ts';

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

/** svg.ts's number format. */
function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}
