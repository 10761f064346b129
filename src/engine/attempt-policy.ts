// The rules around one request's attempts, kept out of the engine's bookkeeping: when a stream is
// cut short on purpose (early stop), when and after how long a failure is retried, and what the
// last attempt's result means for the record (outcome and error).

import type { Clock } from './clock.ts';
import type { EarlyStopRule, Timeouts } from './config.ts';
import { isRetryable, type AttemptError } from './errors.ts';
import type { Prng } from './prng.ts';
import { errorCodeForAbort, runAttempt, type AttemptInput, type AttemptResult, type Measurement } from './runner.ts';
import type { Outcome } from './types.ts';

/** How much received text a stop pattern is matched against: a stop word spans chunks. */
const STOP_WINDOW_CHARS = 512;

/** A retry-after beyond this is capped: a run should not sit idle for minutes on one request. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The runner's onContent callback for an early-stop rule: true ends the stream. `enabled` is read
 * on every event, so the dashboard's toggle takes effect mid-stream. One predicate per request
 * (it keeps that request's text window).
 */
export function earlyStopPredicate(rule: EarlyStopRule, enabled: () => boolean): (m: Measurement, text: string) => boolean {
  const stop = rule.stop === undefined ? undefined : new RegExp(rule.stop.source, rule.stop.flags.includes('g') ? rule.stop.flags : `${rule.stop.flags}g`);
  let window = '';
  /** Characters received so far, and how many had arrived when the rule last began to apply. */
  let received = 0;
  let activeFrom: number | undefined;
  return (m, text) => {
    // The window takes every event's text, also before min-tokens or while switched off, so a
    // stop sequence that began earlier is seen whole; but only a match that ends after the rule
    // began to apply counts (a heading's "\n\n" at token 3 must not stop at min-tokens=50).
    received += text.length;
    if (stop !== undefined) window = (window + text).slice(-STOP_WINDOW_CHARS);
    const n = m.contentEvents;
    const active = enabled() && (rule.minTokens === undefined || n >= rule.minTokens);
    if (!active) {
      activeFrom = undefined;
      return false;
    }
    activeFrom ??= received - text.length;
    if (rule.maxTokens !== undefined && n >= rule.maxTokens) return true;
    return stop !== undefined && matchEndsAfter(stop, window, activeFrom - (received - window.length));
  };
}

/** Whether `re` (global) matches in `text` with a match ending after index `from`. */
function matchEndsAfter(re: RegExp, text: string, from: number): boolean {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index + m[0].length > from) return true;
    if (m[0].length === 0) re.lastIndex++; // an empty match would loop for ever
  }
  return false;
}

export interface BackoffSettings {
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * Wait before retry number `attempt` (1 = the first retry): the server's retry-after when it gave
 * one, else exponential backoff with jitter over the upper half of the cap, which spreads the
 * retries of a burst of failures apart without ever retrying at once.
 */
export function backoffMs(attempt: number, e: AttemptError, s: BackoffSettings, prng: Prng): number {
  if (e.retryAfterMs !== undefined) return Math.min(e.retryAfterMs, MAX_RETRY_AFTER_MS);
  const cap = Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** (attempt - 1));
  return cap / 2 + prng.next() * (cap / 2);
}

export interface RetrySettings extends BackoffSettings {
  /** Attempts after the first. */
  retries: number;
  /** Draws the backoff jitter. */
  prng: Prng;
  /** True once the run is stopping: no new attempt starts then. */
  stopping: () => boolean;
}

/**
 * Runs a request's attempts: a retryable failure before any content is tried again after a
 * backoff, up to `retries` more times, unless the run is stopping or the request was aborted. A
 * failure after content started is never retried: the tokens a client saw cannot be taken back.
 */
export async function attemptWithRetries(input: AttemptInput, m: Measurement, s: RetrySettings): Promise<AttemptResult> {
  for (;;) {
    const result = await runAttempt(input, m);
    if (
      result.kind !== 'error' ||
      result.contentStarted ||
      m.attempts > s.retries ||
      !isRetryable(result.error) ||
      s.stopping() ||
      m.abortCause !== undefined
    ) {
      return result;
    }
    const wait = backoffMs(m.attempts, result.error, s, s.prng);
    m.state = 'queued';
    if (await sleepUnlessAborted(wait, m, input.clock)) return { kind: 'aborted', cause: m.abortCause ?? 'cancelled' };
  }
}

/**
 * Sleeps `ms` unless the request is aborted first (stop, timeout): resolves true when aborted.
 * Polls the measurement (every 20 ms at most) instead of wiring an abort listener per retry.
 */
export function sleepUnlessAborted(ms: number, m: Measurement, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const started = clock.now();
    const t = clock.setInterval(
      () => {
        if (m.abortCause !== undefined) {
          t.clear();
          resolve(true);
        } else if (clock.now() - started >= ms) {
          t.clear();
          resolve(false);
        }
      },
      Math.max(1, Math.min(20, ms)),
    );
  });
}

/** What the last attempt's result means for the request's record. */
export function classifyResult(result: AttemptResult, contentEvents: number, timeouts: Timeouts): { outcome: Outcome; error?: AttemptError } {
  if (result.kind === 'ok') return { outcome: 'ok' };
  if (result.kind === 'error') return { outcome: 'failed', error: result.error };
  if (result.cause === 'early_stop') return { outcome: 'early_stopped' };
  if (result.cause === 'cancelled') return { outcome: 'cancelled' };
  const limit = result.cause === 'timeout_ttft' ? timeouts.ttftMs : result.cause === 'timeout_idle' ? timeouts.idleMs : timeouts.totalMs;
  return {
    outcome: 'failed',
    error: {
      code: errorCodeForAbort(result.cause) ?? 'unknown',
      message: `${result.cause.replace('timeout_', '')} timeout of ${limit} ms exceeded after ${contentEvents} content events`,
    },
  };
}
