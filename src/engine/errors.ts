import type { ErrorCode } from './types.ts';
import { cutTo, MAX_RAW_MESSAGE_CHARS } from './wire/common.ts';

/** A classified failure of one attempt. `retryable` follows the --retries rules. */
export interface AttemptError {
  code: ErrorCode;
  message: string;
  httpStatus?: number;
  /** From a `retry-after` header, ms. */
  retryAfterMs?: number;
}

export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 401:
    case 403:
    case 404:
    case 408:
    case 413:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return `http_${status}`;
    default:
      return status >= 500 ? 'http_5xx' : 'http_4xx';
  }
}

/** Connection errors, 429 and 5xx may be retried, and only before any content arrived. */
export function isRetryable(e: AttemptError): boolean {
  if (e.httpStatus !== undefined) return e.httpStatus === 429 || e.httpStatus >= 500;
  return (
    e.code === 'connect_refused' ||
    e.code === 'connect_reset' ||
    e.code === 'connect_timeout' ||
    e.code === 'dns_failed' ||
    e.code === 'timeout_ttft'
  );
}

/** Parses `retry-after` (seconds or an HTTP date) into ms; undefined when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, nowEpochMs = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowEpochMs);
}

interface NodeishError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  name?: unknown;
}

/**
 * Maps an undici / socket error to a stable code. `afterContent` distinguishes a stream that broke
 * after tokens arrived (incomplete, never retried) from a connection that failed before.
 */
export function classifyNetworkError(err: unknown, phase: 'connect' | 'headers' | 'body'): AttemptError {
  const e = (err ?? {}) as NodeishError;
  const cause = (e.cause ?? {}) as NodeishError;
  const code = String(e.code ?? cause.code ?? '');
  const raw = String(e.message ?? cause.message ?? err);
  // Bounded, not cut to size: the engine scrubs every message of secrets first, then cuts it.
  const message = cutTo(raw, MAX_RAW_MESSAGE_CHARS);
  if (code === 'ECONNREFUSED') return { code: 'connect_refused', message: `connection refused (${message})` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { code: 'dns_failed', message: `DNS lookup failed (${message})` };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return { code: 'connect_timeout', message: `connect timed out (${message})` };
  if (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'EPROTO'
  )
    return { code: 'tls_failed', message: `TLS failed: ${code} (${message})` };
  if (phase === 'body') return { code: 'stream_disconnected', message: `connection closed mid-response (${message})` };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED')
    return { code: 'connect_reset', message: `connection reset before the response (${message})` };
  return { code: 'unknown', message };
}
