import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordOf, type RecordInput } from '../../src/engine/record.ts';
import { Measurement } from '../../src/engine/runner.ts';
import type { Mode } from '../../src/engine/types.ts';
import { countTokens } from '../../src/engine/wire/tokens.ts';

/**
 * recordOf applies DESIGN.md's metric definitions to what the runner measured. Times are on the
 * engine clock; the run started at 1000, the slot was granted (closed loop) or the arrival was
 * planned (open loop) at 1100, and the request was written (t0) at 1150.
 */
const RUN_START = 1000;
const INTENDED = 1100;
const T0 = 1150;

/** A stream written at T0: headers +20, content events at +100, +130, +170, usage says 3 tokens. */
function streamed(mode: Mode = 'stream'): Measurement {
  const m = new Measurement(7, mode);
  m.attempts = 1;
  m.firstT0 = T0;
  m.attemptT0 = T0;
  m.headersAt = T0 + 20;
  m.firstContentAt = T0 + 100;
  m.lastContentAt = T0 + 170;
  m.contentEvents = 3;
  // Gaps even for a non-streaming body: what counts as ITL is the record's decision, by mode.
  m.gaps.push(30, 40);
  m.parts.push('one', ' two', ' three');
  m.usageOutputTokens = 3;
  m.usageInputTokens = 12;
  m.httpStatus = 200;
  m.finishReason = 'stop';
  m.bytes = 900;
  return m;
}

function input(m: Measurement, over: Partial<RecordInput> = {}): RecordInput {
  return { id: 7, m, intendedMs: INTENDED, segment: 2, warmup: false, outcome: 'ok', openLoop: false, runStartMs: RUN_START, nowMs: T0 + 500, ...over };
}

test('closed loop: TTFB, TTFT and E2E count from t0 (the write), not from the slot grant', () => {
  const r = recordOf(input(streamed()));
  assert.equal(r.ttfbMs, 20);
  assert.equal(r.ttftMs, 100);
  assert.equal(r.e2eMs, 170);
  assert.equal(r.startMs, T0 - RUN_START, 'start is t0, relative to the run');
  assert.equal(r.intendedStartMs, INTENDED - RUN_START);
  assert.equal(r.queueMs, T0 - INTENDED);
  assert.deepEqual(r.itlMs, [30, 40], 'one gap per pair of content events');
  assert.equal(r.segment, 2);
  assert.equal(r.httpStatus, 200);
  assert.equal(r.inputTokens, 12);
  assert.equal(r.finishReason, 'stop');
  assert.equal(r.bytesReceived, 900);
  assert.equal(r.errorCode, undefined);
});

test('open loop: every latency counts from the intended start, so queueing shows in it', () => {
  const r = recordOf(input(streamed(), { openLoop: true }));
  const late = T0 - INTENDED;
  assert.equal(r.queueMs, late);
  assert.equal(r.ttfbMs, 20 + late);
  assert.equal(r.ttftMs, 100 + late);
  assert.equal(r.e2eMs, 170 + late);
  // TPOT is a difference of two latencies from the same origin: queueing does not enter it.
  assert.equal(r.tpotMs, (170 - 100) / 2);
});

test('TPOT = (E2E - TTFT) / (tokens - 1), from server usage; only for streams with more than one token', () => {
  const m = streamed();
  m.usageOutputTokens = 8;
  const r = recordOf(input(m));
  assert.equal(r.outputTokens, 8);
  assert.equal(r.tokenSource, 'usage');
  assert.equal(r.tpotMs, (170 - 100) / 7);

  const one = streamed();
  one.usageOutputTokens = 1;
  assert.equal(recordOf(input(one)).tpotMs, undefined, 'one token: no time per output token');

  const whole = recordOf(input(streamed('nonstream')));
  assert.equal(whole.tpotMs, undefined, 'non-streaming: no TPOT');
  assert.deepEqual(whole.itlMs, [], 'non-streaming: no inter-token gaps');
});

test('without server usage the tokenizer counts the whole text, and the record says so', () => {
  const m = streamed();
  m.usageOutputTokens = undefined;
  const r = recordOf(input(m));
  assert.equal(r.tokenSource, 'tokenizer');
  assert.equal(r.outputTokens, countTokens('one two three'), 'the whole text, not the number of chunks');
});

test('a request never written (refused before t0) starts at "now"; no latency is invented', () => {
  const m = new Measurement(9, 'stream');
  m.attempts = 1;
  const now = T0 + 40;
  const r = recordOf(input(m, { outcome: 'failed', error: { code: 'connect_refused', message: 'connection refused' }, nowMs: now }));
  assert.equal(r.startMs, now - RUN_START);
  assert.equal(r.queueMs, now - INTENDED);
  assert.equal(r.ttfbMs, undefined);
  assert.equal(r.ttftMs, undefined);
  assert.equal(r.e2eMs, undefined);
  assert.equal(r.tpotMs, undefined);
  assert.equal(r.outputTokens, 0);
  assert.equal(r.errorCode, 'connect_refused');
  assert.equal(r.errorMessage, 'connection refused');
  assert.equal(r.outcome, 'failed');
});

test('queue delay is never negative (a closed-loop request written the moment its slot was granted)', () => {
  const m = streamed();
  const r = recordOf(input(m, { intendedMs: T0 + 0.5 }));
  assert.equal(r.queueMs, 0);
});

test('headers without content (an HTTP error) keep TTFB and the status, and no TTFT', () => {
  const m = new Measurement(3, 'stream');
  m.attempts = 2;
  m.firstT0 = T0;
  m.headersAt = T0 + 15;
  m.httpStatus = 503;
  const r = recordOf(input(m, { outcome: 'failed', error: { code: 'http_503', message: 'overloaded' } }));
  assert.equal(r.ttfbMs, 15);
  assert.equal(r.httpStatus, 503);
  assert.equal(r.attempts, 2);
  assert.equal(r.ttftMs, undefined);
  assert.equal(r.e2eMs, undefined);
});
