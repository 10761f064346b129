import type { LengthSpec } from '../engine/lengths.ts';
import { invalidFlag } from '../shared/usage-error.ts';

/** --input-tokens / --output-tokens: `N`, `MEAN:SD` or `MIN-MAX`, whole numbers within [min, max]. */
export function lengthAllowed(min: number, max: number): string {
  return `N, MEAN:SD or MIN-MAX in tokens, whole numbers from ${min} to ${max} (e.g. 1000, 1000:100, 500-1500)`;
}

export function parseLength(flag: string, raw: string, min: number, max: number): LengthSpec {
  const allowed = lengthAllowed(min, max);
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
