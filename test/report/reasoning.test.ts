import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LATER_METRICS, MODES, type RequestRecord } from '../../src/engine/types.ts';
import { parseReport } from '../../src/report/load.ts';
import { mergeReports } from '../../src/report/merge.ts';
import { compareRows } from '../../src/report/compare.ts';
import { evaluateGates, parseFailIf } from '../../src/report/gates.ts';
import { meetsSlo, parseSlo } from '../../src/report/slo.ts';
import { formatSummary } from '../../src/report/text.ts';
import { formatMarkdown } from '../../src/report/markdown.ts';
import { okRecord, reportOf } from './helpers/synthetic.ts';

/** A streamed answer that reasoned: first reasoning token at ttft, first answer token at ttfo. */
function reasoned(ttftMs: number, ttfoMs: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return okRecord('stream', ttftMs, {
    ttfrMs: ttftMs,
    ttfoMs,
    reasoningMs: ttfoMs - ttftMs - 10,
    reasoningTokens: 50,
    reasoningTokenSource: 'usage',
    reasoningItlMs: [10, 10],
    outputItlMs: [20],
    e2eMs: ttfoMs + 100,
    ...extra,
  });
}

describe('reports with reasoning', () => {
  it('summaries per mode: TTFR, TTFO, reasoning duration, reasoning tokens, per-phase ITL', () => {
    const r = reportOf([reasoned(200, 700), reasoned(220, 720), okRecord('stream', 150, { ttfoMs: 150 })]);
    const s = r.byMode.stream;
    assert.equal(s.ttfrMs.count, 2);
    assert.equal(s.ttfoMs.count, 3);
    assert.equal(s.reasoningMs.count, 2);
    assert.equal(s.reasoningTokens, 100);
    assert.equal(s.reasoningRequests, 2);
    assert.equal(s.ritlMs.count, 4);
    assert.equal(s.oitlMs.count, 2 + 2, 'answer gaps of the reasoning requests, every gap of the plain one');
    assert.equal(s.outputTokens, 60, 'reasoning tokens are not output tokens');
  });

  it('a report written before these metrics loads, with empty summaries and no histograms', () => {
    const r = JSON.parse(JSON.stringify(reportOf([okRecord('stream', 100)]))) as Record<string, unknown> & {
      byMode: Record<string, Record<string, unknown>>;
      histograms: Record<string, Record<string, unknown> & { histograms: Record<string, unknown> }>;
    };
    for (const m of MODES) {
      for (const k of LATER_METRICS) {
        delete r.byMode[m]?.[`${k}Ms`];
        delete r.histograms[m]?.histograms[k];
      }
      for (const c of ['reasoningRequests', 'reasoningTokens', 'toolCalls', 'toolArgsInvalid']) {
        delete r.byMode[m]?.[c];
        delete r.histograms[m]?.[c];
      }
    }
    const back = parseReport(r, 'old.json');
    assert.equal(back.byMode.stream.ttfoMs.count, 0);
    assert.equal(back.byMode.stream.reasoningTokens, 0);
    assert.equal(back.histograms.stream.histograms.ttfo, undefined);
    // Merging an old report with a new one keeps the new one's reasoning.
    const merged = mergeReports([back, reportOf([reasoned(200, 700)])]);
    assert.equal(merged.byMode.stream.ttfoMs.count, 1);
    assert.equal(merged.byMode.stream.ttftMs.count, 2);
    assert.equal(merged.byMode.stream.reasoningTokens, 50);
    // A gate on TTFO of the old report alone has nothing to measure: it fails, and says so.
    const ev = evaluateGates(back, parseFailIf('--fail-if', 'p95(ttfo)<1s'));
    assert.equal(ev.pass, false);
    assert.match(ev.results[0]?.text ?? '', /no samples/);
  });

  it('--fail-if knows ttfo and reasoning', () => {
    const r = reportOf([reasoned(200, 700), reasoned(200, 900)]);
    const ok = evaluateGates(r, parseFailIf('--fail-if', 'p50(ttfo)<2s,max(reasoning)<1s,p50(ttft)<300ms'));
    assert.equal(ok.pass, true, ok.results.map((x) => x.text).join('; '));
    const bad = evaluateGates(r, parseFailIf('--fail-if', 'max(ttfo)<800ms'));
    assert.equal(bad.pass, false);
    assert.match(bad.results[0]?.text ?? '', /max\(ttfo\) = 900 ms/);
  });

  it('--slo objectives on ttfo and reasoning; reasoning does not apply to a request that did not reason', () => {
    const rules = parseSlo('--slo', 'ttfo<800ms,reasoning<500ms');
    assert.deepEqual(rules, [
      { metric: 'ttfo', belowMs: 800 },
      { metric: 'reasoning', belowMs: 500 },
    ]);
    assert.equal(meetsSlo(reasoned(200, 700), rules), true);
    assert.equal(meetsSlo(reasoned(200, 900), rules), false, 'TTFO too late');
    assert.equal(meetsSlo(reasoned(100, 700), rules), false, 'reasoned too long (590 ms)');
    assert.equal(meetsSlo(okRecord('stream', 100, { ttfoMs: 100 }), rules), true);
    assert.equal(meetsSlo(okRecord('stream', 100), rules), false, 'no output token: TTFO objective missed');
    assert.throws(() => parseSlo('--slo', 'thinking<1s'), /metrics: ttft, ttfo, tpot, e2e, reasoning/);
  });

  it('compare shows TTFO and reasoning rows only where a run reasoned', () => {
    const plain = reportOf([okRecord('stream', 100, { ttfoMs: 100 })]);
    const thinking = reportOf([reasoned(200, 700)]);
    const metrics = (a: typeof plain, b: typeof plain) => compareRows(a, b).map((r) => r.metric);
    assert.ok(!metrics(plain, plain).some((m) => m.startsWith('TTFO') || m.startsWith('reasoning')));
    const rows = compareRows(plain, thinking);
    const ttfo = rows.find((r) => r.metric === 'TTFO p50 stream');
    assert.equal(ttfo?.a, 100);
    assert.equal(ttfo?.b, 700);
    assert.equal(rows.find((r) => r.metric === 'reasoning tok/req')?.b, 50);
  });

  it('the text and Markdown summaries show the reasoning rows and tokens when a response reasoned', () => {
    const r = reportOf([reasoned(200, 700), okRecord('stream', 100, { toolCalls: 2, ttftcMs: 120, ttfoMs: 120 })]);
    const text = formatSummary(r);
    assert.match(text, /TTFO stream/);
    assert.match(text, /TTFR stream/);
    assert.match(text, /ITL reasoning stream/);
    assert.match(text, /reasoning: 50 tokens over 1 requests .*tool calls: 2/);
    const md = formatMarkdown(r);
    assert.match(md, /TTFO \(first output token\)/);
    const plain = formatSummary(reportOf([okRecord('stream', 100, { ttfoMs: 100 })]));
    assert.doesNotMatch(plain, /TTFO|reasoning/);
  });
});
