// Helpers shared by the per-provider wire modules.

import type { StreamSignal } from './types.ts';

/** Longest message shown or saved (records, reports, the error panel). */
export const MAX_MESSAGE_CHARS = 200;
/**
 * Bound on a message as the wire layer builds it, before the engine scrubs it of the secrets it
 * knows and cuts it to MAX_MESSAGE_CHARS: generous, so that the final cut (not this one) decides
 * what is kept, and small, so that scrubbing a failed request stays cheap.
 */
export const MAX_RAW_MESSAGE_CHARS = 1024;

// Shared immutable signals: the hot path returns these for most non-content events without
// allocating.
export const IGNORE: StreamSignal = Object.freeze({ kind: 'ignore' });
export const DONE: StreamSignal = Object.freeze({ kind: 'done' });

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Truncates to `max` characters, the last being an ellipsis when anything was cut. */
export function cutTo(t: string, max: number): string {
  if (t.length <= max) return t;
  let cut = max - 1;
  // Do not split a surrogate pair.
  const c = t.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return `${t.slice(0, cut)}…`;
}

/** Collapses whitespace to one line and truncates to `max` characters (with an ellipsis). */
export function oneLine(s: string, max = MAX_MESSAGE_CHARS): string {
  return cutTo(collapseWhitespace(s), max);
}

/** A wire-level message: one line, credential shapes masked, bounded for the engine's final scrub. */
export function rawMessage(s: string): string {
  return oneLine(redactSecrets(s), MAX_RAW_MESSAGE_CHARS);
}

/**
 * Masks values shaped like credentials, for keys nobody told us about (the engine also masks
 * every piece of the secrets it sent): `sk-...` keys, `Bearer ...` tokens, and the value after
 * a credential's name (`"api-key": "..."`, `x-api-key: ...`, `?key=...`), as servers echo them.
 */
export function redactSecrets(s: string): string {
  return s
    .replace(/\b(sk-(?:ant-)?)[A-Za-z0-9_*-]{6,}/g, '$1***')
    .replace(/\b(Bearer\s+)[A-Za-z0-9._~+/=*-]+/gi, '$1***')
    .replace(CREDENTIAL_VALUE, '$1$2***');
}

/** A credential's name, a separator, then a value that is not already masked or a Bearer token. */
const CREDENTIAL_VALUE =
  /\b((?:x-)?api[-_]?key|key|(?:access[-_]?|refresh[-_]?)?token|secret|password|sig|signature)(["']?\s*[:=]\s*["']?)(?!Bearer\b|\*\*\*)[A-Za-z0-9._~+/%-]{4,}/gi;

/**
 * A provider error object to one message. Shapes seen in the wild:
 * OpenAI / Anthropic `{"error": {"type", "message"}}`, gateways `{"error": "text"}`,
 * vLLM `{"object": "error", "message"}`, FastAPI `{"detail": "..."}`.
 */
export function errorMessageOf(obj: unknown): string | undefined {
  if (!isRecord(obj)) return undefined;
  const e = obj.error;
  if (typeof e === 'string' && e.length > 0) return e;
  if (isRecord(e)) {
    const msg = typeof e.message === 'string' ? e.message : undefined;
    const type = typeof e.type === 'string' ? e.type : typeof e.code === 'string' ? e.code : undefined;
    if (msg !== undefined && msg.length > 0) return type !== undefined && !msg.startsWith(type) ? `${type}: ${msg}` : msg;
    if (type !== undefined) return type;
  }
  if (typeof obj.message === 'string' && obj.message.length > 0) {
    const type = typeof obj.type === 'string' && obj.type !== 'error' ? obj.type : undefined;
    return type !== undefined ? `${type}: ${obj.message}` : obj.message;
  }
  if (typeof obj.detail === 'string' && obj.detail.length > 0) return obj.detail;
  return undefined;
}

/** True when a parsed payload is an error report rather than a normal chunk or body. */
export function isErrorPayload(obj: Record<string, unknown>): boolean {
  return (obj.error !== undefined && obj.error !== null) || obj.object === 'error' || obj.type === 'error';
}

export function streamError(obj: unknown, raw: string): StreamSignal {
  const msg = errorMessageOf(obj) ?? (raw.length > 0 ? raw : 'error event without a message');
  return { kind: 'error', code: 'stream_error_event', message: rawMessage(msg) };
}

export function malformed(raw: string): StreamSignal {
  return { kind: 'error', code: 'sse_malformed', message: rawMessage(`event data is not a JSON object: ${raw}`) };
}

/** Parses JSON; undefined on failure (the hot path must not throw). */
export function tryParse(s: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(s) as unknown };
  } catch {
    return undefined;
  }
}

export function parseBaseUrl(baseUrl: string): URL {
  try {
    return new URL(baseUrl.trim());
  } catch {
    throw new Error(`invalid base URL: ${JSON.stringify(baseUrl)}`);
  }
}

/** Lower-cases header names so that user-supplied headers replace ours instead of duplicating. */
export function mergeHeaders(
  ours: Record<string, string>,
  extra: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  if (extra === undefined) return ours;
  for (const [k, v] of Object.entries(extra)) ours[k.toLowerCase()] = v;
  return ours;
}

/** Human message for a non-2xx body. Never sees request headers: only the response body. */
export function errorBodyMessage(status: number, bodyText: string): string {
  const t = bodyText.trim();
  if (t.length === 0) return `HTTP ${status} with an empty body`;
  if (t.startsWith('{') || t.startsWith('[')) {
    const parsed = tryParse(t);
    if (parsed !== undefined) {
      const msg = errorMessageOf(parsed.value);
      if (msg !== undefined) return rawMessage(msg);
    }
  }
  if (/^<(?:!doctype\s+html|html|head|body)\b/i.test(t) || /<html[\s>]/i.test(t.slice(0, 1024))) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(t)?.[1]?.trim();
    const h1 = /<h1[^>]*>([^<]*)<\/h1>/i.exec(t)?.[1]?.trim();
    const what = title !== undefined && title.length > 0 ? title : h1;
    return rawMessage(`HTML error page (HTTP ${status})${what !== undefined && what.length > 0 ? `: ${what}` : ''}`);
  }
  return rawMessage(t);
}

export function usageSignal(outputTokens: number | undefined, inputTokens: number | undefined): StreamSignal {
  if (outputTokens !== undefined && inputTokens !== undefined) return { kind: 'usage', outputTokens, inputTokens };
  if (outputTokens !== undefined) return { kind: 'usage', outputTokens };
  if (inputTokens !== undefined) return { kind: 'usage', inputTokens };
  return { kind: 'usage' };
}
