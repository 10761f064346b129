import { z } from 'zod';
import { UsageError, invalidFlag } from '../config/usage-error.ts';
import type { ValueSpec } from './types.ts';

/**
 * Value kinds for flag tables. Each pairs a zod schema (or a grammar's own parser) with the
 * `allowed` text its error message and docs/cli.md share.
 */

/** A spec from a schema over the raw text; the first custom issue, if any, replaces `allowed`. */
export function fromSchema<T>(schema: z.ZodType<T, unknown>, allowed: string): ValueSpec<T> {
  return {
    allowed,
    read(flag, raw) {
      const r = schema.safeParse(raw);
      if (r.success) return r.data;
      const custom = r.error.issues.find((i) => i.code === 'custom')?.message;
      throw invalidFlag(flag, raw, custom ?? allowed);
    },
  };
}

/** A spec from a parser that throws its own UsageError (grammars with precise messages). */
export function fromParser<T>(parse: (flag: string, raw: string) => T, allowed: string): ValueSpec<T> {
  return { allowed, read: (flag, raw) => parse(flag, typeof raw === 'string' ? raw : '') };
}

const rawText = z.string();

export function wholeNumber(min: number, max: number): ValueSpec<number> {
  const allowed = `a whole number from ${min} to ${max}`;
  return fromSchema(rawText.trim().regex(/^-?\d+$/).transform(Number).pipe(z.number().int().min(min).max(max)), allowed);
}

/** Any finite number JavaScript reads (`1e3`, ` 5 `), within [min, max]. */
export function decimal(min: number, max: number, allowed: string): ValueSpec<number> {
  return fromSchema(
    rawText.refine((s) => s.trim() !== '').transform(Number).pipe(z.number().finite().min(min).max(max)),
    allowed,
  );
}

/** "0.7" or "70%". */
export function ratio(): ValueSpec<number> {
  return fromSchema(
    rawText.trim().transform((s) => (s.endsWith('%') ? Number(s.slice(0, -1).trim()) / 100 : s === '' ? NaN : Number(s))).pipe(z.number().min(0).max(1)),
    'a fraction from 0 to 1 (e.g. 0.5) or a percentage (e.g. 50%)',
  );
}

export function choice<const T extends string>(choices: readonly T[]): ValueSpec<T> {
  return fromSchema(
    rawText.trim().toLowerCase().pipe(z.enum(choices as readonly [T, ...T[]])),
    `one of ${choices.join(', ')}`,
  );
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
const DURATION_SYNTAX = 'a duration such as 500ms, 30s, 5m or 1h';

/**
 * "500ms", "2s", "1.5m", "1h" into milliseconds; a bare number is in `bareUnit`. `range`, when
 * given, bounds the result (ms) and its text replaces the syntax in the message.
 */
export function duration(bareUnit: 'ms' | 's', range?: { minMs?: number; aboveMs?: number; maxMs?: number; allowed: string }): ValueSpec<number> {
  const schema = rawText.transform((s, ctx) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(s);
    // Custom issues carry their own "expected ...": the syntax when unreadable, the range when out of it.
    if (!m) {
      ctx.addIssue({ code: 'custom', message: DURATION_SYNTAX });
      return z.NEVER;
    }
    const ms = Number(m[1]) * (UNIT_MS[(m[2] ?? bareUnit).toLowerCase()] ?? 1);
    if (range !== undefined) {
      const low = (range.minMs !== undefined && ms < range.minMs) || (range.aboveMs !== undefined && ms <= range.aboveMs);
      if (low || (range.maxMs !== undefined && ms > range.maxMs)) {
        ctx.addIssue({ code: 'custom', message: range.allowed });
        return z.NEVER;
      }
    }
    return ms;
  });
  return fromSchema(schema, range?.allowed ?? DURATION_SYNTAX);
}

/** Free text that must not be blank. */
export function text(allowed: string): ValueSpec<string> {
  return fromSchema(rawText.refine((s) => s.trim() !== ''), allowed);
}

/** A switch: present means on. */
export const onOff: ValueSpec<boolean> = { allowed: 'no value (a switch)', read: (_flag, raw) => raw === true || raw === '' || raw === 'true' };

/** "1,2,4,8": whole numbers within [min, max]. */
export function wholeNumberList(min: number, max: number): ValueSpec<number[]> {
  const allowed = `a comma-separated list of whole numbers from ${min} to ${max}, e.g. 1,2,4,8`;
  return fromSchema(
    rawText
      .transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p !== ''))
      .pipe(z.array(z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max))).min(1)),
    allowed,
  );
}

/** "5,10,20": numbers within [min, max]. */
export function numberList(min: number, max: number): ValueSpec<number[]> {
  const allowed = `a comma-separated list of numbers from ${min} to ${max}, e.g. 5,10,20`;
  return fromSchema(
    rawText
      .transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p !== ''))
      .pipe(z.array(z.string().transform(Number).pipe(z.number().finite().min(min).max(max))).min(1)),
    allowed,
  );
}

/** Values whose text must not be echoed (a key pasted where a name belongs). */
export function secretText(schema: z.ZodType<string, unknown>, allowed: string): ValueSpec<string> {
  return {
    allowed,
    read(flag, raw) {
      const r = schema.safeParse(raw);
      if (!r.success) throw new UsageError(`invalid value for ${flag} (not shown): expected ${allowed}`);
      return r.data;
    },
  };
}

/** The raw text, checked later by its owner (the simulator's --sim-* flags go to resolveSimConfig). */
export function passThrough(allowed: string): ValueSpec<string | boolean> {
  return { allowed, read: (_flag, raw) => raw };
}
