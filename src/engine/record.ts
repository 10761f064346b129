import type { AttemptError } from './errors.ts';
import type { Measurement } from './runner.ts';
import type { RequestRecord } from './types.ts';

/**
 * Turns what the runner measured into a RequestRecord, applying DESIGN.md's definitions:
 * TTFT, E2E and TTFB from t0 (closed loop) or from the intended start (open loop, so a slow
 * server cannot hide behind a slowed client); TPOT only for streams with more than one token;
 * output tokens from server usage, else the tokenizer, reasoning tokens apart from them; the
 * reasoning and output phases timed on their own (DESIGN.md, "Reasoning and tool calls").
 */
export interface RecordInput {
  id: number;
  m: Measurement;
  intendedMs: number;
  segment: number;
  warmup: boolean;
  outcome: RequestRecord['outcome'];
  error?: AttemptError;
  openLoop: boolean;
  /** A trace replay: the record says how late its send was. */
  replay?: boolean;
  runStartMs: number;
  nowMs: number;
}

export function recordOf(i: RecordInput): RequestRecord {
  const { m } = i;
  const t0 = m.firstT0 ?? i.nowMs;
  const origin = i.openLoop ? i.intendedMs : t0;
  const reasoning = m.reasoningTokens();
  const { tokens, source } = m.outputTokens(reasoning?.tokens);
  const ttft = m.firstContentAt !== undefined ? m.firstContentAt - origin : undefined;
  const e2e = m.lastContentAt !== undefined ? m.lastContentAt - origin : undefined;
  const rec: RequestRecord = {
    id: i.id,
    requestId: '',
    mode: m.mode,
    outcome: i.outcome,
    attempts: m.attempts,
    segment: i.segment,
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
  // How late the request went out against its trace time: the timer, then any wait for a slot.
  if (i.replay === true && m.firstT0 !== undefined) rec.lateMs = Math.max(0, m.firstT0 - i.intendedMs);
  if (i.error) {
    rec.errorCode = i.error.code;
    rec.errorMessage = i.error.message;
  }
  if (m.httpStatus !== undefined) rec.httpStatus = m.httpStatus;
  if (m.headersAt !== undefined) rec.ttfbMs = m.headersAt - origin;
  if (ttft !== undefined) rec.ttftMs = ttft;
  if (e2e !== undefined) rec.e2eMs = e2e;
  // E2E - TTFT spans the reasoning and the answer: TPOT divides it by every token generated.
  const generated = tokens + (reasoning?.tokens ?? 0);
  if (m.mode === 'stream' && ttft !== undefined && e2e !== undefined && generated > 1) rec.tpotMs = (e2e - ttft) / (generated - 1);
  if (m.firstReasoningAt !== undefined) {
    rec.ttfrMs = m.firstReasoningAt - origin;
    if (m.lastReasoningAt !== undefined) rec.reasoningMs = m.lastReasoningAt - m.firstReasoningAt;
    if (m.mode === 'stream') {
      rec.reasoningItlMs = m.reasoningGaps;
      rec.outputItlMs = m.outputGaps;
    }
  }
  if (reasoning !== undefined) {
    rec.reasoningTokens = reasoning.tokens;
    rec.reasoningTokenSource = reasoning.source;
  }
  if (m.firstOutputAt !== undefined) rec.ttfoMs = m.firstOutputAt - origin;
  if (m.firstToolAt !== undefined) rec.ttftcMs = m.firstToolAt - origin;
  if (m.tools.count > 0) {
    rec.toolCalls = m.tools.count;
    // Counted under its code, but the request stands: its timings are sound, only the model's
    // arguments are not.
    const invalid = i.outcome === 'ok' && i.error === undefined ? m.tools.invalidArgs() : undefined;
    if (invalid !== undefined) {
      rec.errorCode = 'tool_args_invalid';
      rec.errorMessage = invalid;
    }
  }
  if (m.usageInputTokens !== undefined) rec.inputTokens = m.usageInputTokens;
  if (m.usageCachedTokens !== undefined) rec.cachedTokens = m.usageCachedTokens;
  if (m.finishReason !== undefined) rec.finishReason = m.finishReason;
  return rec;
}
