import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareReports, compareRows, verdictOf } from '../../src/report/compare.ts';
import type { Report } from '../../src/report/report.ts';
import { okRecord, rec, reportOf } from './helpers/synthetic.ts';

/** n stream + n non-stream requests at the given TTFT, `failed` failures, over durationMs. */
function run(ttft: number, o: { n?: number; failed?: number; durationMs?: number; streamOnly?: boolean } = {}): Report {
  const n = o.n ?? 10;
  return reportOf(
    [
      ...Array.from({ length: n }, () => okRecord('stream', ttft)),
      ...(o.streamOnly ? [] : Array.from({ length: n }, () => okRecord('nonstream', ttft * 2))),
      ...Array.from({ length: o.failed ?? 0 }, () => rec({ mode: 'stream', outcome: 'failed' })),
    ],
    { durationMs: o.durationMs ?? 10_000 },
  );
}

function rowOf(a: Report, b: Report, metric: string) {
  const r = compareRows(a, b).find((x) => x.metric === metric);
  assert.ok(r, `row ${metric}`);
  return r;
}

describe('verdictOf', () => {
  it('lower is better for latency', () => {
    assert.equal(verdictOf(100, 80, true), 'better');
    assert.equal(verdictOf(100, 120, true), 'worse');
  });
  it('higher is better for throughput', () => {
    assert.equal(verdictOf(10, 12, false), 'better');
    assert.equal(verdictOf(10, 8, false), 'worse');
  });
  it('within ±2 % is the same', () => {
    assert.equal(verdictOf(100, 102, true), 'same');
    assert.equal(verdictOf(100, 98, false), 'same');
    assert.equal(verdictOf(100, 102.5, true), 'worse');
    assert.equal(verdictOf(0, 0, true), 'same');
  });
  it('from zero, judged by direction; missing is n/a', () => {
    assert.equal(verdictOf(0, 0.1, true), 'worse');
    assert.equal(verdictOf(0, 3, false), 'better');
    assert.equal(verdictOf(undefined, 3, false), 'n/a');
    assert.equal(verdictOf(3, undefined, true), 'n/a');
  });
});

describe('compareRows', () => {
  it('faster B is better on latency, with delta and delta %', () => {
    const r = rowOf(run(200), run(150), 'TTFT p95 stream');
    assert.equal(r.a, 200);
    assert.equal(r.b, 150);
    assert.equal(r.delta, -50);
    assert.equal(r.deltaPct, -25);
    assert.equal(r.verdict, 'better');
    assert.equal(rowOf(run(150), run(200), 'E2E p99 non-stream').verdict, 'worse');
  });
  it('more throughput is better', () => {
    const r = rowOf(run(100, { durationMs: 10_000 }), run(100, { durationMs: 5_000 }), 'req/s');
    assert.equal(r.a, 2);
    assert.equal(r.b, 4);
    assert.equal(r.verdict, 'better');
    assert.equal(rowOf(run(100, { durationMs: 5_000 }), run(100), 'output tok/s').verdict, 'worse');
  });
  it('a higher error rate is worse', () => {
    const r = rowOf(run(100), run(100, { failed: 2 }), 'error rate %');
    assert.equal(r.a, 0);
    assert.ok(r.b !== undefined && Math.abs(r.b - (2 / 22) * 100) < 1e-9);
    assert.equal(r.verdict, 'worse');
    assert.equal(r.deltaPct, undefined);
  });
  it('a mode only one run had is n/a on the other side', () => {
    const r = rowOf(run(100, { streamOnly: true }), run(100), 'TTFT p50 non-stream');
    assert.equal(r.a, undefined);
    assert.equal(r.verdict, 'n/a');
    assert.ok(!compareRows(run(100, { streamOnly: true }), run(100, { streamOnly: true })).some((x) => x.metric.includes('non-stream')));
  });
  it('covers TTFT, ITL and E2E p50/p95/p99 per mode', () => {
    const metrics = compareRows(run(100), run(100)).map((x) => x.metric);
    for (const m of ['TTFT', 'ITL', 'E2E'])
      for (const p of ['p50', 'p95', 'p99']) assert.ok(metrics.includes(`${m} ${p} stream`), `${m} ${p} stream`);
    assert.ok(!metrics.includes('ITL p50 non-stream'));
    assert.ok(metrics.includes('E2E p99 non-stream'));
  });
});

describe('compareReports', () => {
  it('prints labels, a table with directions and a legend', () => {
    const text = compareReports(run(200), run(100), ['base.json', 'new.json']);
    assert.match(text, /^A base\.json: built-in simulator, openai, model streamtop-sim, 10\.0 s, 20 requests/);
    assert.match(text, /\nB new\.json: /);
    assert.match(text, /metric\s+A\s+B\s+delta\s+delta %\s+change/);
    assert.match(text, /TTFT p50 stream\s+200\s+100\s+-100\s+-50\.0 %\s+↓ better/);
    assert.match(text, /TTFT p50 non-stream\s+400\s+200\s+-200\s+-50\.0 %\s+↓ better/);
    assert.match(text, /req\/s\s+2\s+2\s+0\s+0\.0 %\s+= same/);
    assert.match(text, /within ±2 % counts as same/);
  });
  it('slower B reads worse with an up arrow; default labels', () => {
    assert.match(compareReports(run(100), run(130)), /^A: built-in simulator/);
    assert.match(compareReports(run(100), run(130)), /TTFT p95 stream\s+100\s+130\s+\+30\.0\s+\+30\.0 %\s+↑ WORSE/);
  });
  it('two simulator runs on different ports are the same target; real endpoints are compared', () => {
    const a = run(100);
    const b = { ...run(100), target: { ...a.target, baseUrl: 'http://127.0.0.1:2/v1' } };
    assert.doesNotMatch(compareReports(a, b), /different endpoints/);
    const real = { ...b, target: { ...b.target, simulated: false } };
    assert.match(compareReports(a, real), /note: the runs target different endpoints or models/);
  });
  it('notes different load settings', () => {
    const a = run(100);
    const b = { ...run(100), settings: { concurrency: 32, streamRatio: 0.5 } };
    assert.match(compareReports(a, b), /note: concurrency differs \(8 vs 32\)/);
  });
});
