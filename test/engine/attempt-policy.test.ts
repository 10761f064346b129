import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, classifyResult, earlyStopPredicate, sleepUnlessAborted } from '../../src/engine/attempt-policy.ts';
import { systemClock } from '../../src/engine/clock.ts';
import { Prng } from '../../src/engine/prng.ts';
import { Measurement } from '../../src/engine/runner.ts';
import { isRetryable } from '../../src/engine/errors.ts';

const timeouts = { connectMs: 0, ttftMs: 1500, idleMs: 700, totalMs: 9000 };

test('backoff: exponential with jitter in the upper half of the cap, capped by retryMaxMs', () => {
  const prng = new Prng(7);
  const s = { retryBaseMs: 100, retryMaxMs: 1000 };
  const err = { code: 'http_503' as const, message: 'overloaded', httpStatus: 503 };
  for (let attempt = 1; attempt <= 8; attempt++) {
    const cap = Math.min(1000, 100 * 2 ** (attempt - 1));
    for (let i = 0; i < 200; i++) {
      const w = backoffMs(attempt, err, s, prng);
      assert.ok(w >= cap / 2 && w <= cap, `attempt ${attempt}: ${w} outside [${cap / 2}, ${cap}]`);
    }
  }
});

test('backoff: a retry-after from the server wins, capped at a minute', () => {
  const prng = new Prng(1);
  const s = { retryBaseMs: 100, retryMaxMs: 1000 };
  assert.equal(backoffMs(1, { code: 'http_429', message: '', httpStatus: 429, retryAfterMs: 2000 }, s, prng), 2000);
  assert.equal(backoffMs(1, { code: 'http_429', message: '', httpStatus: 429, retryAfterMs: 3_600_000 }, s, prng), 60_000);
});

test('backoff: the same seed gives the same waits', () => {
  const s = { retryBaseMs: 50, retryMaxMs: 5000 };
  const err = { code: 'connect_refused' as const, message: 'refused' };
  const a = new Prng(42);
  const b = new Prng(42);
  for (let i = 1; i <= 10; i++) assert.equal(backoffMs(i, err, s, a), backoffMs(i, err, s, b));
});

test('classify: ok, server error, early stop and cancel keep their meaning', () => {
  assert.deepEqual(classifyResult({ kind: 'ok' }, 5, timeouts), { outcome: 'ok' });
  const error = { code: 'http_500' as const, message: 'boom', httpStatus: 500 };
  assert.deepEqual(classifyResult({ kind: 'error', error, contentStarted: false }, 0, timeouts), { outcome: 'failed', error });
  assert.deepEqual(classifyResult({ kind: 'aborted', cause: 'early_stop' }, 3, timeouts), { outcome: 'early_stopped' });
  assert.deepEqual(classifyResult({ kind: 'aborted', cause: 'cancelled' }, 3, timeouts), { outcome: 'cancelled' });
});

test('classify: each timeout fails with its own code and names its limit and progress', () => {
  const cases = [
    ['timeout_ttft', 'ttft timeout of 1500 ms exceeded after 0 content events', 0],
    ['timeout_idle', 'idle timeout of 700 ms exceeded after 4 content events', 4],
    ['timeout_total', 'total timeout of 9000 ms exceeded after 12 content events', 12],
  ] as const;
  for (const [cause, message, events] of cases) {
    assert.deepEqual(classifyResult({ kind: 'aborted', cause }, events, timeouts), { outcome: 'failed', error: { code: cause, message } });
  }
});

function measured(events: number): Measurement {
  const m = new Measurement(1, 'stream');
  m.contentEvents = events;
  return m;
}

test('early stop: token bounds', () => {
  const stop = earlyStopPredicate({ minTokens: 3, maxTokens: 5, source: 'min 3 max 5' }, () => true);
  assert.equal(stop(measured(1), 'a'), false);
  assert.equal(stop(measured(4), 'b'), false);
  assert.equal(stop(measured(5), 'c'), true);
});

test('early stop: a stop pattern split across events still matches, never before minTokens', () => {
  const stop = earlyStopPredicate({ minTokens: 2, stop: /THE END/, source: 'stop THE END' }, () => true);
  assert.equal(stop(measured(1), 'THE E'), false, 'below minTokens');
  assert.equal(stop(measured(2), 'ND.'), true, 'begun before minTokens, ended after: seen whole');
  const fresh = earlyStopPredicate({ stop: /THE END/, source: 'stop THE END' }, () => true);
  assert.equal(fresh(measured(1), 'so THE'), false);
  assert.equal(fresh(measured(2), ' EN'), false);
  assert.equal(fresh(measured(3), 'D.'), true);
});

test('early stop: a match that ended before the rule applied does not count', () => {
  // The documented example: a paragraph break, but not the heading's at token 3.
  const stop = earlyStopPredicate({ minTokens: 5, stop: /\n\n/, source: 'min-tokens=5,stop=\\n\\n' }, () => true);
  assert.equal(stop(measured(1), '# Title'), false);
  assert.equal(stop(measured(2), '\n\n'), false);
  assert.equal(stop(measured(3), 'First'), false);
  assert.equal(stop(measured(5), ' words'), false, 'the heading break is older than the rule');
  assert.equal(stop(measured(6), ' end.\n'), false);
  assert.equal(stop(measured(7), '\nNext'), true, 'a break that ends now counts');
});

test('early stop: switched on mid-stream, stop patterns count from then on', () => {
  let on = false;
  const stop = earlyStopPredicate({ stop: /STOP/, source: 'stop STOP' }, () => on);
  assert.equal(stop(measured(1), 'STOP here'), false, 'off');
  on = true;
  assert.equal(stop(measured(2), ' more'), false, 'the earlier STOP arrived while off');
  assert.equal(stop(measured(3), ' STOP'), true);
});

test('early stop: switched off, nothing stops; switched on mid-stream, it applies from then', () => {
  let on = false;
  const stop = earlyStopPredicate({ maxTokens: 2, source: 'max 2' }, () => on);
  assert.equal(stop(measured(5), 'x'), false);
  on = true;
  assert.equal(stop(measured(6), 'y'), true);
});

test('sleepUnlessAborted: sleeps the full time, or returns early on abort', async () => {
  // Its timer is unref'd (a retry wait must not hold a stopping process open): keep this test's loop alive.
  const keepAlive = setInterval(() => undefined, 1000);
  const m = new Measurement(1, 'stream');
  const t0 = performance.now();
  assert.equal(await sleepUnlessAborted(30, m, systemClock), false);
  assert.ok(performance.now() - t0 >= 29, 'slept the whole wait');
  const aborted = new Measurement(2, 'stream');
  const t1 = performance.now();
  setTimeout(() => aborted.abort('cancelled'), 10);
  assert.equal(await sleepUnlessAborted(5000, aborted, systemClock), true);
  assert.ok(performance.now() - t1 < 2000, 'returned on abort, long before the wait');
  clearInterval(keepAlive);
});

test('what --retries retries: connection errors, 429 and 5xx; never a timeout or a 4xx', () => {
  for (const code of ['connect_refused', 'connect_reset', 'connect_timeout', 'dns_failed'] as const)
    assert.equal(isRetryable({ code, message: '' }), true, code);
  assert.equal(isRetryable({ code: 'http_429', httpStatus: 429, message: '' }), true);
  assert.equal(isRetryable({ code: 'http_503', httpStatus: 503, message: '' }), true);
  assert.equal(isRetryable({ code: 'http_400', httpStatus: 400, message: '' }), false);
  for (const code of ['timeout_ttft', 'timeout_idle', 'timeout_total', 'tls_failed', 'stream_disconnected'] as const)
    assert.equal(isRetryable({ code, message: '' }), false, code);
});
