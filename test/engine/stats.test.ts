import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsCollector } from '../../src/engine/stats.ts';
import type { RequestRecord } from '../../src/engine/types.ts';

function rec(over: Partial<RequestRecord>): RequestRecord {
  return {
    id: 1, requestId: 'r', mode: 'stream', outcome: 'ok', attempts: 1, phase: 0, warmup: false, intendedStartMs: 0, startMs: 0,
    queueMs: 1, ttftMs: 100, e2eMs: 300, tpotMs: 20, contentEvents: 11, itlMs: Array.from({ length: 10 }, (_, i) => 10 + i),
    outputTokens: 11, tokenSource: 'usage', bytesReceived: 1000, ...over,
  };
}

test('every ITL gap lands once in the cumulative, segment and per-second histograms', () => {
  const s = new StatsCollector({ windowSeconds: 5 });
  s.beginPhase({ startMs: 0, concurrency: 4, streamRatio: 1, reason: 'start' });
  s.record(rec({}));
  s.record(rec({ mode: 'nonstream', itlMs: [] }));
  s.record(rec({ warmup: true }));
  s.record(rec({ outcome: 'failed', itlMs: [1, 2, 3], errorCode: 'http_500' }));
  s.beginPhase({ startMs: 1000, concurrency: 8, streamRatio: 1, reason: 'concurrency' });
  // Started in segment 0, finished in segment 1: its gaps belong to segment 0.
  s.record(rec({ phase: 0 }));
  s.record(rec({ phase: 1, itlMs: [50, 60] }));
  s.tick(2000, { inFlight: 0, concurrency: 8 });
  assert.equal(s.cumulative.stream.h.itl.count, 22, 'ok requests only, warm-up and failures excluded');
  assert.equal(s.phases[0]?.modes.stream.h.itl.count, 20);
  assert.equal(s.phases[1]?.modes.stream.h.itl.count, 2);
  assert.equal(s.charts['itl.stream'].at(-1)?.count, 22, 'the rolling window saw every gap once');
  assert.equal(s.cumulative.stream.h.itl.maxMs, 60);
  assert.equal(s.errorsTotal, 1);
  assert.equal(s.warmupCompleted, 1);
  s.dispose();
});
