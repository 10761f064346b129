import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newModeSet } from '../../src/engine/stats.ts';
import { LatencyHistogram } from '../../src/engine/histogram.ts';
import { METRIC_NAMES, MODES, type Mode, type RequestRecord } from '../../src/engine/types.ts';
import { modeReport } from '../../src/report/report.ts';
import { mergeReports, mergeTimelines } from '../../src/report/merge.ts';
import { parseReport } from '../../src/report/load.ts';
import { disposeSet, lcg, okRecord, segmentOf, rec, reportFrom, reportOf } from './helpers/synthetic.ts';

/**
 * Records with a spread of latencies (a long tail), both modes, a few failures and early stops.
 * `dyadic` rounds every latency to 1/64 ms: such sums are exact in floating point whatever the
 * order, so even means must match bit for bit.
 */
function records(n: number, seed: number, dyadic: boolean): RequestRecord[] {
  const rnd = lcg(seed);
  const q = (v: number): number => (dyadic ? Math.round(v * 64) / 64 : v);
  const out: RequestRecord[] = [];
  for (let i = 0; i < n; i++) {
    const mode: Mode = rnd() < 0.6 ? 'stream' : 'nonstream';
    const u = rnd();
    const ttft = q(50 + 5000 * u ** 6 + 200 * rnd());
    const roll = rnd();
    if (roll < 0.05) {
      out.push(rec({ mode, outcome: 'failed', errorCode: 'http_500', bytesReceived: 50 }));
      continue;
    }
    if (roll < 0.08 && mode === 'stream') {
      out.push(okRecord(mode, ttft, { outcome: 'early_stopped', itlMs: [q(rnd() * 40)], outputTokens: 7, e2eMs: undefined, tpotMs: undefined }));
      continue;
    }
    const gaps = mode === 'stream' ? Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => q(rnd() * 80)) : [];
    out.push(
      okRecord(mode, ttft, {
        id: i,
        ttfbMs: q(ttft * 0.4),
        e2eMs: q(ttft + 3000 * rnd()),
        tpotMs: q(5 + 40 * rnd()),
        queueMs: q(rnd() * 30),
        itlMs: gaps,
        outputTokens: 10 + Math.floor(rnd() * 500),
        inputTokens: 20 + Math.floor(rnd() * 100),
        tokenSource: rnd() < 0.9 ? 'usage' : 'tokenizer',
        bytesReceived: 1000 + Math.floor(rnd() * 5000),
      }),
    );
  }
  return out;
}

function checkExact(dyadic: boolean): void {
  const all = records(3000, 7, dyadic);
  const half = 1700;
  const whole = newModeSet();
  const a = newModeSet();
  const b = newModeSet();
  try {
    all.forEach((r, i) => {
      whole[r.mode].add(r);
      (i < half ? a : b)[r.mode].add(r);
    });
    // Parallel runs: the whole run is as long as the longer half.
    const ra = reportFrom(a, { durationMs: 60_000, errors: { http_500: 3 } });
    const rb = reportFrom(b, { durationMs: 58_500, errors: { http_500: 2, http_429: 4 } });
    // Through JSON, as merge reads files.
    const merged = mergeReports([JSON.parse(JSON.stringify(ra)), JSON.parse(JSON.stringify(rb))]);
    assert.equal(merged.durationMs, 60_000);

    for (const m of MODES) {
      const expected = modeReport(whole[m], 60_000);
      const got = merged.byMode[m];
      assert.ok(expected.requests > 100, 'enough samples to matter');
      for (const metric of METRIC_NAMES) {
        const key = `${metric}Ms` as const;
        const e = expected[key];
        const g = got[key];
        assert.equal(g.count, e.count, `${m} ${metric} count`);
        for (const p of ['p50', 'p90', 'p95', 'p99', 'min', 'max'] as const) assert.equal(g[p], e[p], `${m} ${metric} ${p}`);
        if (dyadic) assert.equal(g.mean, e.mean, `${m} ${metric} mean`);
        else assert.ok(Math.abs(g.mean - e.mean) <= Math.abs(e.mean) * 1e-12, `${m} ${metric} mean ${g.mean} vs ${e.mean}`);
        // Every percentile, not only the ones the summary keeps, from the re-encoded histograms.
        const enc = merged.histograms[m].histograms[metric];
        assert.ok(enc !== undefined, `${m} ${metric} histogram`);
        const hm = LatencyHistogram.decode(enc);
        for (const p of [1, 10, 25, 33.3, 50, 75, 99.9, 100]) assert.equal(hm.percentile(p), whole[m].h[metric].percentile(p), `${m} ${metric} p${p}`);
        hm.dispose();
      }
      if (dyadic) assert.deepEqual(got, expected);
      const { histograms: _h, ...counters } = merged.histograms[m];
      const { histograms: _w, ...wholeCounters } = whole[m].encode();
      assert.deepEqual(counters, wholeCounters);
    }
    let cancelled = 0;
    for (const m of MODES) cancelled += whole[m].cancelled;
    const expectedTotals = reportFrom(whole, { durationMs: 60_000 }).totals;
    assert.deepEqual(merged.totals, { ...expectedTotals, cancelled });
    assert.deepEqual(merged.errors, { http_500: 5, http_429: 4 });
  } finally {
    disposeSet(whole);
    disposeSet(a);
    disposeSet(b);
  }
}

describe('mergeReports: exactness', () => {
  it('two halves merge into exactly the report of one accumulator that saw everything', () => checkExact(true));
  it('with arbitrary decimals: counts, percentiles, min and max exact, mean to float rounding', () => checkExact(false));

  it('merging is associative: ((A+B)+C) equals (A+(B+C))', () => {
    const rs = [1, 2, 3].map((s) => reportOf(records(300, s, true), { durationMs: 5000 }));
    const [r1, r2, r3] = rs;
    assert.ok(r1 && r2 && r3);
    const left = mergeReports([mergeReports([r1, r2]), r3]);
    const right = mergeReports([r1, mergeReports([r2, r3])]);
    const all = mergeReports([r1, r2, r3]);
    assert.deepEqual(left.byMode, right.byMode);
    assert.deepEqual(all.byMode, left.byMode);
    assert.deepEqual(all.totals, left.totals);
  });

  it('the merged report is a valid streamtop.report/1', () => {
    const merged = mergeReports([reportOf(records(100, 4, true)), reportOf(records(100, 5, true))]);
    assert.doesNotThrow(() => parseReport(JSON.parse(JSON.stringify(merged)), 'merged'));
  });
});

describe('mergeReports: everything else', () => {
  it('target from the first, simulated only if all were; notes on differences', () => {
    const sim = reportOf([okRecord('stream', 10)], { simulated: true });
    const real = reportOf([okRecord('stream', 10)], { simulated: false, baseUrl: 'https://api.example.com/v1' });
    const m = mergeReports([sim, real]);
    assert.equal(m.target.simulated, false);
    assert.equal(m.target.baseUrl, sim.target.baseUrl);
    const notes = m.settings.mergeNotes as string[];
    assert.ok(notes.some((n) => n.includes('different endpoints')));
    assert.ok(notes.some((n) => n.includes('longest input')));
    assert.equal(mergeReports([sim, sim]).target.simulated, true);
  });

  it('settings record what was merged, with labels when given', () => {
    const r = reportOf([okRecord('stream', 10)]);
    assert.deepEqual(mergeReports([r, r], ['a.json', 'b.json']).settings.mergedFrom, ['a.json', 'b.json']);
    const m = mergeReports([r, r]).settings.mergedFrom as string[];
    assert.equal(m.length, 2);
    assert.match(m[0] ?? '', /^#1 /);
  });

  it('sums error counts by code, keeps a message, interrupted if any was', () => {
    const r1 = reportOf([], { errors: { http_429: 2 }, errorMessages: { http_429: 'slow down' } });
    const r2 = { ...reportOf([], { errors: { http_429: 1, timeout_ttft: 3 } }), interrupted: true, stopReason: 'interrupted' as const };
    const m = mergeReports([r1, r2]);
    assert.deepEqual(m.errors, { http_429: 3, timeout_ttft: 3 });
    assert.equal(m.errorMessages.http_429, 'slow down');
    assert.equal(m.interrupted, true);
    assert.equal(m.stopReason, 'interrupted');
  });

  it('sums dropped, warm-up and goodput counts; drops per-run judgements', () => {
    const r1 = reportOf([okRecord('stream', 10)], { dropped: 2, warmup: 3, extras: { goodputCounts: { met: 4, total: 5 }, gates: { pass: true } } });
    const r2 = reportOf([okRecord('stream', 10)], { dropped: 1, warmup: 1, extras: { goodputCounts: { met: 1, total: 5 } } });
    const m = mergeReports([r1, r2]);
    assert.equal(m.totals.dropped, 3);
    assert.equal(m.totals.warmup, 4);
    assert.deepEqual(m.extras, { goodputCounts: { met: 5, total: 10 } });
    assert.equal(mergeReports([r1, reportOf([])]).extras, undefined);
  });

  it('single-segment inputs: segments omitted; several: listed per input and renumbered', () => {
    const set = newModeSet();
    try {
      set.stream.add(okRecord('stream', 10));
      const one = reportFrom(set, { segments: [segmentOf(0, set, 10_000, 4)] });
      assert.deepEqual(mergeReports([one, one]).segments, []);
      const two = reportFrom(set, { segments: [segmentOf(0, set, 5000, 4), segmentOf(1, set, 5000, 8)] });
      const m = mergeReports([one, two]);
      assert.deepEqual(
        m.segments.map((p) => [p.index, (p as { source?: number }).source, p.concurrency]),
        [
          [0, 0, 4],
          [1, 1, 4],
          [2, 1, 8],
        ],
      );
    } finally {
      disposeSet(set);
    }
  });

  it('timelines: counts summed per second, percentiles the worst input', () => {
    const e = (tMs: number, n: number, p95: number) => ({
      tMs,
      inFlight: n,
      concurrency: 4,
      completions: n,
      errors: 1,
      outputTokens: n * 10,
      ttftMs: { p50: p95 / 2, p95, p99: p95 * 2 },
      e2eMs: { p50: p95, p95: p95 * 2, p99: p95 * 3 },
    });
    const merged = mergeTimelines([
      [e(1000, 3, 100), e(2000, 4, 300)],
      [e(1004, 5, 200), e(3001, 1, 50)],
    ]);
    assert.deepEqual(merged, [
      { ...e(1000, 8, 200), errors: 2, concurrency: 8, outputTokens: 80, inFlight: 8 },
      e(2000, 4, 300),
      e(3000, 1, 50),
    ]);
  });

  it('timelines by mode: counts add, means weighted by them, percentiles the worst; a mode only one input has is kept', () => {
    const w = (count: number, mean: number, p50: number) => ({ count, mean, p50, p95: p50 * 2, p99: p50 * 3 });
    const base = { tMs: 1000, inFlight: 1, concurrency: 1, completions: 1, errors: 0, outputTokens: 1, ttftMs: { p50: 1, p95: 1, p99: 1 }, e2eMs: { p50: 1, p95: 1, p99: 1 } };
    const [m] = mergeTimelines([
      [{ ...base, byMode: { stream: { ttftMs: w(1, 100, 100), e2eMs: w(1, 300, 300), ttfoMs: w(1, 200, 200) } } }],
      [{ ...base, byMode: { stream: { ttftMs: w(3, 60, 50), e2eMs: w(3, 200, 200) }, nonstream: { ttftMs: w(2, 500, 500), e2eMs: w(2, 500, 500) } } }],
    ]);
    assert.deepEqual(m?.byMode?.stream?.ttftMs, { count: 4, mean: 70, p50: 100, p95: 200, p99: 300 });
    assert.deepEqual(m?.byMode?.stream?.ttfoMs, w(1, 200, 200));
    assert.deepEqual(m?.byMode?.nonstream?.e2eMs, w(2, 500, 500));
  });

  it('needs at least one report', () => {
    assert.throws(() => mergeReports([]), /at least one report/);
  });
});
