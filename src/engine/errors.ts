import { maxHeaderSize } from 'node:http';
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
      return status >= 500 ? 'http_5xx' : status < 400 ? 'http_3xx' : 'http_4xx';
  }
}

/**
 * A redirect is reported, never followed: following it would send the API key to whatever address
 * the server names. The message shows where it points, so the user can fix --url.
 */
export function redirectMessage(status: number, location: string | undefined, requestUrl: URL): string {
  if (location === undefined || location.trim() === '')
    return `HTTP ${status}: a redirect without a Location header (not followed)`;
  let target: string;
  try {
    target = new URL(location, requestUrl).toString();
  } catch {
    target = location;
  }
  if (target.length > 300) target = `${target.slice(0, 300)}…`;
  return `HTTP ${status}: redirect to ${target} (not followed, so the API key is never sent elsewhere; point --url at the final address)`;
}

/**
 * Connection errors, 429 and 5xx may be retried, and only before any content arrived. Timeouts are
 * not: they end the request (an aborted attempt, see attempt-policy.ts), since a retry would
 * restart the clock the user set as the limit.
 */
export function isRetryable(e: AttemptError): boolean {
  if (e.httpStatus !== undefined) return e.httpStatus === 429 || e.httpStatus >= 500;
  return (
    e.code === 'connect_refused' ||
    e.code === 'connect_reset' ||
    e.code === 'connect_timeout' ||
    e.code === 'dns_failed'
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
  if (code === 'UND_ERR_HEADERS_OVERFLOW')
    return { code: 'headers_too_large', message: `response headers larger than the client accepts (${maxHeaderSize} bytes; NODE_OPTIONS=--max-http-header-size=BYTES raises it)` };
  // OpenSSL read an HTTP answer where a TLS record belongs: a plain-HTTP server behind https://.
  // A certificate option (--insecure) cannot help here, so it is named as what it is.
  if (isPlainHttpUnderTls(code, raw))
    return { code: 'tls_failed', message: `the server answered in plain HTTP, not TLS: use an http:// URL (${code})` };
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

/** OpenSSL's ways of saying "the bytes after ClientHello were not TLS" (typically an HTTP/1.x reply). */
export function isPlainHttpUnderTls(code: string, message: string): boolean {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return true;
  return (code.startsWith('ERR_SSL') || code === 'EPROTO') && /wrong version number|packet length too long/i.test(message);
}
