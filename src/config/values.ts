import { invalidFlag } from '../shared/usage-error.ts';
import { redactUrl } from '../engine/secrets.ts';

/**
 * Parsers for flag values. Each takes the flag name as typed so errors say exactly which flag,
 * which value and what is allowed.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Upper bounds for duration flags. Every duration has one: Node's timers hold at most 2^31-1 ms
 * (24.8 days) and silently fire after 1 ms above that, so nothing that reaches a timer may be
 * unbounded. A run (--duration, --step, --ramp) may last up to 30 days (the engine chains its
 * timer past the 24.8-day limit); a limit on one request or one wait, up to 24 hours.
 */
export const MAX_RUN_MS = 30 * 86_400_000;
export const MAX_WAIT_MS = 86_400_000;

/** A bound in words, in the largest unit that divides it ("30d", "24h", "10m"; a single day reads 24h). */
export function fmtDurationBound(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const)
    if (ms >= (unit === 'd' ? 2 * size : size) && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** "500ms", "2s", "1.5m", "1h", "2d"; a bare number is in `bareUnit`; at most `maxMs`. */
export function parseDuration(flag: string, raw: string, bareUnit: 'ms' | 's', maxMs: number): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?\s*$/i.exec(raw);
  if (!m || m[1] === undefined)
    throw invalidFlag(flag, raw, `a duration such as 500ms, 30s, 5m or 1h (at most ${fmtDurationBound(maxMs)})`);
  const n = Number(m[1]);
  const unit = (m[2] ?? bareUnit).toLowerCase();
  const ms = n * (UNIT_MS[unit] ?? 1);
  if (ms > maxMs) throw invalidFlag(flag, raw, `a duration of at most ${fmtDurationBound(maxMs)}`);
  return ms;
}

export function parseIntFlag(flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\s*-?\d+\s*$/.test(raw)) throw invalidFlag(flag, raw, `a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw invalidFlag(flag, raw, `a whole number from ${min} to ${max}`);
  return n;
}

export function parseNumberFlag(flag: string, raw: string, min: number, max = Number.MAX_VALUE, what?: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw invalidFlag(flag, raw, what ?? `a number from ${min} to ${max === Number.MAX_VALUE ? 'up' : max}`);
  return n;
}

/** "0.7", "70%". */
export function parseRatio(flag: string, raw: string): number {
  const pct = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw);
  const n = pct?.[1] !== undefined ? Number(pct[1]) / 100 : Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw invalidFlag(flag, raw, 'a fraction from 0 to 1 (e.g. 0.5) or a percentage (e.g. 50%)');
  return n;
}

export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  const v = raw.trim().toLowerCase();
  const hit = choices.find((c) => c === v);
  if (!hit) throw invalidFlag(flag, raw, `one of ${choices.join(', ')}`);
  return hit;
}

/** "1,2,4,8". */
export function parseIntList(flag: string, raw: string, min: number, max: number): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw invalidFlag(flag, raw, 'a comma-separated list of whole numbers, e.g. 1,2,4,8');
  return parts.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < min || Number(p) > max)
      throw invalidFlag(flag, raw, `a comma-separated list of whole numbers from ${min} to ${max}, e.g. 1,2,4,8`);
    return Number(p);
  });
}

export function parseNumberList(flag: string, raw: string, min: number): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw invalidFlag(flag, raw, 'a comma-separated list of numbers, e.g. 5,10,20');
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n) || n < min) throw invalidFlag(flag, raw, `a comma-separated list of numbers >= ${min}`);
    return n;
  });
}

export function parseUrl(flag: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalidFlag(flag, redactUrl(raw), 'an http:// or https:// URL, e.g. https://api.openai.com/v1');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw invalidFlag(flag, redactUrl(raw), 'an http:// or https:// URL, e.g. https://api.openai.com/v1');
  if (u.username || u.password)
    throw invalidFlag(flag, '(a URL with credentials, not shown)', 'a URL without user:password; pass keys with --api-key-env');
  return raw.replace(/\/+$/, '');
}
