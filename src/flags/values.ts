import { z } from 'zod';
import { UsageError, invalidFlag } from '../shared/usage-error.ts';
import { redactUrl } from '../shared/url-secrets.ts';
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

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_SYNTAX = 'a duration such as 500ms, 30s, 5m, 1h or 2d';

/**
 * Upper bounds for duration flags. Every duration has one: Node's timers hold at most 2^31-1 ms
 * (24.8 days) and fire after 1 ms above that, so nothing that reaches a timer may be unbounded.
 * A run (--duration, --step, --ramp) may last up to 30 days (the engine's clock chains its timer
 * past the 24.8-day limit); a limit on one request or one wait, up to 24 hours.
 */
export const MAX_RUN_MS = 30 * 86_400_000;
export const MAX_WAIT_MS = 86_400_000;

/** A bound in words, in the largest unit that divides it ("30d", "24h", "10m"; a single day reads 24h). */
export function fmtDurationBound(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const)
    if (ms >= (unit === 'd' ? 2 * size : size) && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export interface DurationRange {
  minMs?: number;
  /** Exclusive lower bound (0 for "more than nothing"). */
  aboveMs?: number;
  maxMs: number;
  /** Replaces the generated range text in messages and docs. */
  allowed?: string;
}

/**
 * "500ms", "2s", "1.5m", "1h", "2d" into milliseconds; a bare number is in `bareUnit`. Always
 * bounded above (see MAX_RUN_MS); messages name the bound.
 */
export function duration(bareUnit: 'ms' | 's', range: DurationRange): ValueSpec<number> {
  const atMost = `at most ${fmtDurationBound(range.maxMs)}`;
  const low =
    range.aboveMs !== undefined
      ? `more than ${range.aboveMs === 0 ? '0' : fmtDurationBound(range.aboveMs)}`
      : range.minMs !== undefined && range.minMs > 0
        ? `at least ${fmtDurationBound(range.minMs)}`
        : undefined;
  const allowed = range.allowed ?? `a duration of ${low !== undefined ? `${low} and ` : ''}${atMost}, e.g. ${bareUnit === 's' ? '30s' : '500ms'}`;
  const schema = rawText.transform((s, ctx) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?\s*$/i.exec(s);
    // Custom issues carry their own "expected ...": the syntax when unreadable, the range when out of it.
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `${DURATION_SYNTAX} (${atMost})` });
      return z.NEVER;
    }
    const ms = Number(m[1]) * (UNIT_MS[(m[2] ?? bareUnit).toLowerCase()] ?? 1);
    const tooLow = (range.minMs !== undefined && ms < range.minMs) || (range.aboveMs !== undefined && ms <= range.aboveMs);
    if (tooLow || ms > range.maxMs) {
      ctx.addIssue({ code: 'custom', message: range.allowed ?? (ms > range.maxMs ? `a duration of ${atMost}` : allowed) });
      return z.NEVER;
    }
    return ms;
  });
  return fromSchema(schema, allowed);
}

/** An http(s) base URL without credentials in its user part; a bad one is echoed with query secrets masked. */
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

/** A flag that may be given more than once; its value is every occurrence, in the order typed. */
export function repeatable<T>(one: ValueSpec<T>): ValueSpec<T[]> {
  return {
    allowed: `${one.allowed} (may be given more than once)`,
    read: (flag, raw) => [one.read(flag, raw)],
    readAll: (flag, raws) => raws.map((r) => one.read(flag, r)),
  };
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

/** Where a server listens: a host (name, IPv4, or IPv6 without brackets) and a TCP port (0: any free one). */
export interface ListenAddress {
  host: string;
  port: number;
}

/** The loopback address a listening flag binds when no host is given: nothing outside the machine can reach it. */
export const LOOPBACK_HOST = '127.0.0.1';

const LISTEN_ALLOWED = `[HOST:]PORT, a port from 0 (any free one) to 65535, e.g. 9464, 0.0.0.0:9464 or [::1]:9464 (host ${LOOPBACK_HOST} unless given)`;
/** A host name or an IPv4 address; IPv6 comes in brackets (its colons would split HOST:PORT). */
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

/** `[HOST:]PORT`: a bare port binds to loopback; `[::1]:PORT` for an IPv6 host. */
export function listenAddress(): ValueSpec<ListenAddress> {
  return fromParser((flag, raw) => {
    const text = raw.trim();
    let host = LOOPBACK_HOST;
    let portText = text;
    const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(text);
    if (bracketed) {
      host = bracketed[1] ?? '';
      portText = bracketed[2] ?? '';
      if (!IPV6.test(host) || !host.includes(':')) throw invalidFlag(flag, raw, LISTEN_ALLOWED);
    } else if (text.includes(':')) {
      const colon = text.lastIndexOf(':');
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
      if (!HOST_NAME.test(host)) throw invalidFlag(flag, raw, LISTEN_ALLOWED);
    }
    if (!/^\d{1,5}$/.test(portText)) throw invalidFlag(flag, raw, LISTEN_ALLOWED);
    const port = Number(portText);
    if (port > 65_535) throw invalidFlag(flag, raw, LISTEN_ALLOWED);
    return { host, port };
  }, LISTEN_ALLOWED);
}

/** `http://host:port`, with brackets around an IPv6 host. */
export function httpOrigin(a: ListenAddress): string {
  return `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}
