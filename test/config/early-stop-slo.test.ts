import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEarlyStop } from '../../src/config/early-stop.ts';
import { meetsSlo, parseSlo } from '../../src/report/slo.ts';
import { UsageError } from '../../src/shared/usage-error.ts';
import type { RequestRecord } from '../../src/engine/types.ts';

test('--early-stop: every rule, stop= takes the rest (commas allowed), shell escapes', () => {
  assert.deepEqual(parseEarlyStop('--early-stop', 'max-tokens=40'), { source: 'max-tokens=40', maxTokens: 40 });
  const r = parseEarlyStop('--early-stop', 'min-tokens=50,max-tokens=200,stop=\\n\\n|, and so');
  assert.equal(r.minTokens, 50);
  assert.equal(r.maxTokens, 200);
  assert.ok(r.stop?.test('a\n\nb'));
  assert.ok(r.stop?.test('x, and so on'));
  assert.ok(!r.stop?.test('plain'));
});

test('--early-stop: bad rules name the flag and what is allowed', () => {
  for (const [raw, re] of [
    ['', /min-tokens=N/],
    ['min-tokens=5', /at least one of max-tokens/],
    ['max-tokens=0', /max-tokens=N with N a whole number >= 1/],
    ['max-tokens=ten', /whole number/],
    ['stop=(', /valid regular expression/],
    ['sometimes=3', /min-tokens=N, max-tokens=N, stop=REGEX/],
    ['min-tokens=10,max-tokens=5', /max-tokens >= min-tokens/],
  ] as const) {
    assert.throws(() => parseEarlyStop('--early-stop', raw), (e: unknown) => e instanceof UsageError && /--early-stop/.test(e.message) && re.test(e.message), raw);
  }
});

test('--slo: parses ms and s, rejects other metrics and operators', () => {
  assert.deepEqual(parseSlo('--slo', 'ttft<500ms, tpot<50ms,e2e<10s'), [
    { metric: 'ttft', belowMs: 500 },
    { metric: 'tpot', belowMs: 50 },
    { metric: 'e2e', belowMs: 10_000 },
  ]);
  assert.deepEqual(parseSlo('--slo', 'TTFT<0.5s'), [{ metric: 'ttft', belowMs: 500 }]);
  for (const bad of ['ttft>500ms', 'itl<5ms', 'ttft<fast', '', ',']) assert.throws(() => parseSlo('--slo', bad), /--slo/);
});

function rec(over: Partial<RequestRecord>): RequestRecord {
  return {
    id: 1, requestId: 'x', mode: 'stream', outcome: 'ok', attempts: 1, segment: 0, warmup: false, intendedStartMs: 0, startMs: 0,
    queueMs: 0, contentEvents: 10, itlMs: [], outputTokens: 10, tokenSource: 'usage', bytesReceived: 0, ...over,
  };
}

test('goodput: a request counts only if it succeeded and met every objective', () => {
  const slo = parseSlo('--slo', 'ttft<500ms,tpot<50ms');
  assert.equal(meetsSlo(rec({ ttftMs: 200, tpotMs: 20, e2eMs: 400 }), slo), true);
  assert.equal(meetsSlo(rec({ ttftMs: 600, tpotMs: 20 }), slo), false);
  assert.equal(meetsSlo(rec({ ttftMs: 200, tpotMs: 80 }), slo), false);
  assert.equal(meetsSlo(rec({ ttftMs: 200, tpotMs: 20, outcome: 'failed' }), slo), false);
  assert.equal(meetsSlo(rec({ ttftMs: 200, tpotMs: 20, warmup: true }), slo), false);
  // A single-token answer has no TPOT: that objective does not apply.
  assert.equal(meetsSlo(rec({ ttftMs: 200, outputTokens: 1 }), slo), true);
  assert.equal(meetsSlo(rec({}), parseSlo('--slo', 'ttft<1s')), false, 'no TTFT measured: not good');
});
