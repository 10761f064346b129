import type { LengthSpec } from '../engine/lengths.ts';
import { duration, fmtDurationBound } from '../flags/values.ts';
import { invalidFlag } from '../shared/usage-error.ts';

/** What a count is of, and examples of it, for the message: tokens unless said. */
export interface CountUnit {
  unit: string;
  examples: string;
}
const TOKENS: CountUnit = { unit: 'tokens', examples: '1000, 1000:100, 500-1500' };

/** --input-tokens / --output-tokens (--turns): `N`, `MEAN:SD` or `MIN-MAX`, whole numbers within [min, max]. */
export function lengthAllowed(min: number, max: number, of: CountUnit = TOKENS): string {
  return `N, MEAN:SD or MIN-MAX in ${of.unit}, whole numbers from ${min} to ${max} (e.g. ${of.examples})`;
}

export function parseLength(flag: string, raw: string, min: number, max: number, of: CountUnit = TOKENS): LengthSpec {
  const allowed = lengthAllowed(min, max, of);
  const s = raw.trim();
  const inRange = (n: number): boolean => Number.isInteger(n) && n >= min && n <= max;
  let m = /^(\d+)$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    if (!inRange(n)) throw invalidFlag(flag, raw, allowed);
    return { kind: 'fixed', n };
  }
  m = /^(\d+)\s*:\s*(\d+(?:\.\d+)?)$/.exec(s);
  if (m) {
    const mean = Number(m[1]);
    const sd = Number(m[2]);
    if (!inRange(mean) || sd > max) throw invalidFlag(flag, raw, allowed);
    return sd === 0 ? { kind: 'fixed', n: mean } : { kind: 'normal', mean, sd };
  }
  m = /^(\d+)\s*-\s*(\d+)$/.exec(s);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (!inRange(lo) || !inRange(hi)) throw invalidFlag(flag, raw, allowed);
    if (lo > hi) throw invalidFlag(flag, raw, `MIN-MAX with MIN <= MAX, e.g. ${hi}-${lo}`);
    return lo === hi ? { kind: 'fixed', n: lo } : { kind: 'uniform', min: lo, max: hi };
  }
  throw invalidFlag(flag, raw, allowed);
}

/** --think-time: `TIME` or `MEAN:SD`, each a duration (a bare number is ms), up to `maxMs`. */
export function durationSpecAllowed(maxMs: number): string {
  return `TIME or MEAN:SD, each a duration of at most ${fmtDurationBound(maxMs)} (a bare number is ms), e.g. 500ms, 2s, 2s:500ms`;
}

/** A fixed pause or a normal distribution of pauses (drawn per gap, clipped at 0), in ms. */
export function parseDurationSpec(flag: string, raw: string, maxMs: number): LengthSpec {
  const allowed = durationSpecAllowed(maxMs);
  const one = duration('ms', { maxMs });
  const parts = raw.split(':');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) throw invalidFlag(flag, raw, allowed);
  let ms: number[];
  try {
    ms = parts.map((p) => Math.round(one.read(flag, p)));
  } catch {
    throw invalidFlag(flag, raw, allowed);
  }
  const [mean = 0, sd = 0] = ms;
  return sd === 0 ? { kind: 'fixed', n: mean } : { kind: 'normal', mean, sd };
}
