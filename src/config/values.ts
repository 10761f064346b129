import { invalidFlag } from '../shared/usage-error.ts';

/**
 * Parsers for flag values. Each takes the flag name as typed so errors say exactly which flag,
 * which value and what is allowed.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "500ms", "2s", "1.5m", "1h"; a bare number is in `bareUnit`. */
export function parseDuration(flag: string, raw: string, bareUnit: 'ms' | 's'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(raw);
  if (!m || m[1] === undefined) throw invalidFlag(flag, raw, `a duration such as 500ms, 30s, 5m or 1h`);
  const n = Number(m[1]);
  const unit = (m[2] ?? bareUnit).toLowerCase();
  return n * (UNIT_MS[unit] ?? 1);
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
    throw invalidFlag(flag, raw, 'an http:// or https:// URL, e.g. https://api.openai.com/v1');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw invalidFlag(flag, raw, 'an http:// or https:// URL, e.g. https://api.openai.com/v1');
  if (u.username || u.password)
    throw invalidFlag(flag, '(a URL with credentials, not shown)', 'a URL without user:password; pass keys with --api-key-env');
  return raw.replace(/\/+$/, '');
}
