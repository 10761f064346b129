import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsCollector } from '../../src/engine/stats.ts';
import type { RequestRecord } from '../../src/engine/types.ts';

function rec(over: Partial<RequestRecord>): RequestRecord {
  return {
    id: 1, requestId: 'r', mode: 'stream', outcome: 'ok', attempts: 1, segment: 0, warmup: false, intendedStartMs: 0, startMs: 0,
    queueMs: 1, ttftMs: 100, e2eMs: 300, tpotMs: 20, contentEvents: 11, itlMs: Array.from({ length: 10 }, (_, i) => 10 + i),
    outputTokens: 11, tokenSource: 'usage', bytesReceived: 1000, ...over,
  };
}

test('every ITL gap lands once in the cumulative, segment and per-second histograms', () => {
  const s = new StatsCollector({ windowSeconds: 5 });
  s.beginSegment({ startMs: 0, concurrency: 4, streamRatio: 1, reason: 'start' });
  s.record(rec({}));
  s.record(rec({ mode: 'nonstream', itlMs: [] }));
  s.record(rec({ warmup: true }));
  s.record(rec({ outcome: 'failed', itlMs: [1, 2, 3], errorCode: 'http_500' }));
  s.beginSegment({ startMs: 1000, concurrency: 8, streamRatio: 1, reason: 'concurrency' });
  // Started in segment 0, finished in segment 1: its gaps belong to segment 0.
  s.record(rec({ segment: 0 }));
  s.record(rec({ segment: 1, itlMs: [50, 60] }));
  s.tick(2000, { inFlight: 0, concurrency: 8 });
  assert.equal(s.cumulative.stream.h.itl.count, 22, 'ok requests only, warm-up and failures excluded');
  assert.equal(s.segments[0]?.modes.stream.h.itl.count, 20);
  assert.equal(s.segments[1]?.modes.stream.h.itl.count, 2);
  assert.equal(s.charts['itl.stream'].at(-1)?.count, 22, 'the rolling window saw every gap once');
  assert.equal(s.cumulative.stream.h.itl.maxMs, 60);
  assert.equal(s.errorsTotal, 1);
  assert.equal(s.warmupCompleted, 1);
  s.dispose();
});

test('a segment counts what finished while it was in force; segmentAt finds the segment of a start time', () => {
  const s = new StatsCollector({ windowSeconds: 5 });
  s.beginSegment({ startMs: 0, concurrency: 1, streamRatio: 1, reason: 'start' });
  s.beginSegment({ startMs: 1000, concurrency: 8, streamRatio: 1, reason: 'concurrency' });
  s.beginSegment({ startMs: 1000.5, concurrency: 9, streamRatio: 1, reason: 'concurrency' });
  s.beginSegment({ startMs: 4000, concurrency: 2, streamRatio: 1, reason: 'concurrency' });
  assert.deepEqual([-1, 0, 999.9, 1000, 1000.2, 1000.5, 3999, 4000, 1e9].map((ms) => s.segmentAt(ms)), [0, 0, 0, 1, 1, 2, 2, 3, 3]);
  // Finishing now (segment 3) whatever segment they started in: two completions, 22 tokens; a
  // failure, a cancellation and a warm-up request are not completions.
  s.record(rec({ segment: 0 }));
  s.record(rec({ segment: 3, mode: 'nonstream', itlMs: [] }));
  s.record(rec({ segment: 3, outcome: 'failed', errorCode: 'http_500' }));
  s.record(rec({ segment: 3, outcome: 'cancelled' }));
  s.record(rec({ segment: 3, warmup: true }));
  assert.deepEqual(s.segments[3]?.finished, { stream: { completed: 1, outputTokens: 11 }, nonstream: { completed: 1, outputTokens: 11 } });
  assert.deepEqual(s.segments[0]?.finished.stream, { completed: 0, outputTokens: 0 });
  assert.equal(s.segments[0]?.modes.stream.succeeded, 1, 'its latencies still belong to the segment it started in');
  s.dispose();
});

test('each timeline second carries both modes apart, with means, TTFO and ITL for streams', () => {
  const s = new StatsCollector({ windowSeconds: 5 });
  s.beginSegment({ startMs: 0, concurrency: 4, streamRatio: 0.5, reason: 'start' });
  s.record(rec({ ttftMs: 100, ttfoMs: 400, e2eMs: 600 }));
  s.record(rec({ ttftMs: 200, ttfoMs: 500, e2eMs: 800 }));
  s.record(rec({ mode: 'nonstream', ttftMs: 900, e2eMs: 900, itlMs: [] }));
  s.tick(1000, { inFlight: 0, concurrency: 4 });
  const e = s.timeline.at(-1);
  const stream = e?.byMode?.stream;
  assert.equal(stream?.ttftMs.count, 2);
  assert.ok(Math.abs((stream?.ttftMs.mean ?? 0) - 150) < 0.5, `stream TTFT mean ${stream?.ttftMs.mean}`);
  assert.ok(Math.abs((stream?.ttfoMs?.mean ?? 0) - 450) < 0.5, `TTFO mean ${stream?.ttfoMs?.mean}`);
  assert.ok(Math.abs((stream?.ttfoMs?.p99 ?? 0) - 500) < 1);
  assert.equal(stream?.itlMs?.count, 20, 'ten gaps per stream');
  const non = e?.byMode?.nonstream;
  assert.equal(non?.e2eMs.count, 1);
  assert.equal(non?.ttfoMs, undefined, 'no TTFO or ITL series for non-streaming requests');
  assert.equal(non?.itlMs, undefined);
  assert.ok((e?.ttftMs.p99 ?? 0) >= 899, 'the both-modes percentiles are still there');

  // A second with nothing in the window for either mode carries no byMode at all.
  const quiet = new StatsCollector({ windowSeconds: 1 });
  quiet.beginSegment({ startMs: 0, concurrency: 1, streamRatio: 1, reason: 'start' });
  quiet.tick(1000, { inFlight: 0, concurrency: 1 });
  assert.equal(quiet.timeline.at(-1)?.byMode, undefined);
  quiet.dispose();
  s.dispose();
});
