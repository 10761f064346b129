import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SseEvent } from '../../src/engine/sse.ts';
import { wireFormat } from '../../src/engine/wire/index.ts';
import { WorkloadStats } from '../../src/engine/workload-stats.ts';
import type { RequestRecord } from '../../src/engine/types.ts';

const e = (data: unknown, event = ''): SseEvent => ({ event, data: typeof data === 'string' ? data : JSON.stringify(data) });

test('OpenAI: cached tokens from usage.prompt_tokens_details, in streams and bodies', () => {
  const w = wireFormat('openai');
  const interp = w.createStreamInterpreter();
  interp.onEvent(e({ id: 'x', choices: [], usage: { prompt_tokens: 1006, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 800 } } }));
  assert.deepEqual([interp.inputTokens, interp.cachedTokens], [1006, 800]);
  const body = w.parseNonStreamBody({ choices: [{ message: { content: 'hi' } }], usage: { prompt_tokens: 50, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 32 } } });
  assert.ok(body.ok);
  assert.deepEqual([body.inputTokens, body.cachedTokens], [50, 32]);
  const plain = w.parseNonStreamBody({ choices: [{ message: { content: 'hi' } }], usage: { prompt_tokens: 50, completion_tokens: 1 } });
  assert.ok(plain.ok && plain.cachedTokens === undefined, 'a server that says nothing about caching');
});

test('Anthropic: the prompt is input + cache creation + cache read; the cached part is the read', () => {
  const w = wireFormat('anthropic');
  const interp = w.createStreamInterpreter();
  interp.onEvent(e({ type: 'message_start', message: { usage: { input_tokens: 6, cache_creation_input_tokens: 100, cache_read_input_tokens: 900, output_tokens: 1 } } }, 'message_start'));
  assert.deepEqual([interp.inputTokens, interp.cachedTokens], [1006, 900]);
  interp.onEvent(e({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } }, 'message_delta'));
  assert.deepEqual([interp.inputTokens, interp.cachedTokens, interp.outputTokens], [1006, 900, 7], 'a delta without input counts keeps them');
  const body = w.parseNonStreamBody({ content: [{ type: 'text', text: 'x' }], usage: { input_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 1 } });
  assert.ok(body.ok);
  assert.deepEqual([body.inputTokens, body.cachedTokens], [10, 0]);
});

function rec(over: Partial<RequestRecord>): RequestRecord {
  return {
    id: 1, requestId: 'r', mode: 'stream', outcome: 'ok', attempts: 1, segment: 0, warmup: false, intendedStartMs: 0, startMs: 0, queueMs: 0,
    contentEvents: 1, itlMs: [], outputTokens: 200, tokenSource: 'usage', bytesReceived: 0, ...over,
  };
}

test('workload stats: token summaries, hit ratio over prompt tokens, TTFT split by hit (half the prompt cached) and miss', () => {
  const s = new WorkloadStats();
  try {
    assert.equal(s.snapshot(), undefined);
    s.record(rec({ inputTokens: 1000, cachedTokens: 0, ttftMs: 80 }));
    s.record(rec({ inputTokens: 1000, cachedTokens: 800, ttftMs: 20 }));
    s.record(rec({ inputTokens: 1000, cachedTokens: 500, ttftMs: 30 }));
    s.record(rec({ inputTokens: 1000, cachedTokens: 496, ttftMs: 50 }));
    s.record(rec({ inputTokens: 1000, cachedTokens: 1000, mode: 'nonstream', ttftMs: 500 }));
    s.record(rec({ inputTokens: 9999, cachedTokens: 9999, warmup: true }));
    s.record(rec({ inputTokens: 9999, outcome: 'failed' }));
    const snap = s.snapshot();
    assert.ok(snap?.cache !== undefined);
    assert.equal(snap.inputTokens.count, 5);
    assert.equal(snap.inputTokens.p50, 1000);
    assert.equal(snap.outputTokens.mean, 200);
    assert.equal(snap.cache.hitRatio, 2796 / 5000);
    assert.deepEqual([snap.cache.hits, snap.cache.misses], [3, 2]);
    assert.deepEqual([snap.cache.ttftHit.count, snap.cache.ttftHit.max, snap.cache.ttftMiss.count, snap.cache.ttftMiss.min], [2, 30, 2, 50], 'non-streaming answers are not TTFT of prefill');
    const none = new WorkloadStats();
    none.record(rec({ inputTokens: 100 }));
    assert.equal(none.snapshot()?.cache, undefined, 'no cache section until a server reports cached tokens');
    none.dispose();
  } finally {
    s.dispose();
  }
});
