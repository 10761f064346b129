import type { AttemptError } from './errors.ts';
import type { Measurement } from './runner.ts';
import type { RequestRecord } from './types.ts';

/**
 * Turns what the runner measured into a RequestRecord, applying DESIGN.md's definitions:
 * TTFT, E2E and TTFB from t0 (closed loop) or from the intended start (open loop, so a slow
 * server cannot hide behind a slowed client); TPOT only for streams with more than one token;
 * output tokens from server usage, else the tokenizer.
 */
export interface RecordInput {
  id: number;
  m: Measurement;
  intendedMs: number;
  phase: number;
  warmup: boolean;
  outcome: RequestRecord['outcome'];
  error?: AttemptError;
  openLoop: boolean;
  runStartMs: number;
  nowMs: number;
}

export function recordOf(i: RecordInput): RequestRecord {
  const { m } = i;
  const t0 = m.firstT0 ?? i.nowMs;
  const origin = i.openLoop ? i.intendedMs : t0;
  const { tokens, source } = m.outputTokens();
  const ttft = m.firstContentAt !== undefined ? m.firstContentAt - origin : undefined;
  const e2e = m.lastContentAt !== undefined ? m.lastContentAt - origin : undefined;
  const rec: RequestRecord = {
    id: i.id,
    requestId: '',
    mode: m.mode,
    outcome: i.outcome,
    attempts: m.attempts,
    phase: i.phase,
    warmup: i.warmup,
    intendedStartMs: i.intendedMs - i.runStartMs,
    startMs: t0 - i.runStartMs,
    queueMs: Math.max(0, t0 - i.intendedMs),
    contentEvents: m.contentEvents,
    itlMs: m.mode === 'stream' ? m.gaps : [],
    outputTokens: tokens,
    tokenSource: source,
    bytesReceived: m.bytes,
  };
  if (i.error) {
    rec.errorCode = i.error.code;
    rec.errorMessage = i.error.message;
  }
  if (m.httpStatus !== undefined) rec.httpStatus = m.httpStatus;
  if (m.headersAt !== undefined) rec.ttfbMs = m.headersAt - origin;
  if (ttft !== undefined) rec.ttftMs = ttft;
  if (e2e !== undefined) rec.e2eMs = e2e;
  if (m.mode === 'stream' && ttft !== undefined && e2e !== undefined && tokens > 1) rec.tpotMs = (e2e - ttft) / (tokens - 1);
  if (m.usageInputTokens !== undefined) rec.inputTokens = m.usageInputTokens;
  if (m.usageCachedTokens !== undefined) rec.cachedTokens = m.usageCachedTokens;
  if (m.finishReason !== undefined) rec.finishReason = m.finishReason;
  return rec;
}
