import { UsageError } from '../shared/usage-error.ts';
import { commandLabel, flagLabel, type AnyFlagDef, type CommandSpec, type FlagTable, type FlagValues } from './types.ts';

/**
 * Raw option values as commander hands them over: strings, true for a switch, and every value
 * typed, in order, for a flag that may be repeated.
 */
export type RawOptions = Record<string, string | boolean | readonly string[] | undefined>;

export interface ParsedFlags<T extends FlagTable> {
  /** Every flag of the table: the value given, else its default (else undefined). */
  values: FlagValues<T>;
  /** Keys of the flags given on the command line. */
  given: ReadonlySet<string>;
  /** Simulator flags given, keyed by their name as typed without dashes (`sim-ttft`), unvalidated. */
  sim: Record<string, string | boolean>;
}

function refusalMessage(spec: CommandSpec, def: AnyFlagDef): string {
  const r = def.refused;
  if (r?.message !== undefined) return r.message;
  const why = r?.why !== undefined ? ` (${r.why})` : '';
  const next = r?.instead !== undefined ? `use ${r.instead}` : 'drop it';
  return `${commandLabel(spec)} does not take ${flagLabel(def)}${why}; ${next}`;
}

/**
 * One flag's value. A repeatable flag reads all its occurrences (one given once still arrives as
 * a string from a caller that is not commander); any other flag given twice keeps the last.
 */
function readValue(def: AnyFlagDef, v: string | boolean | readonly string[]): unknown {
  const flag = `--${def.name}`;
  const all = typeof v === 'string' ? [v] : typeof v === 'boolean' ? undefined : v;
  if (def.value.readAll !== undefined && all !== undefined) return def.value.readAll(flag, all);
  return def.value.read(flag, typeof v === 'string' || typeof v === 'boolean' ? v : (v.at(-1) ?? ''));
}

/**
 * Checks what was typed against the command's table, in this order: flags the command refuses,
 * then each value (table order), then the rules between flags. Throws a UsageError naming the flag.
 */
export function parseFlags<T extends FlagTable>(spec: CommandSpec<T>, raw: RawOptions): ParsedFlags<T> {
  const all: [string, AnyFlagDef][] = [...Object.entries(spec.flags), ...Object.entries(spec.simFlags ?? {})];
  const isGiven = (key: string): boolean => raw[key] !== undefined && raw[key] !== false;
  const given = new Set(all.filter(([key]) => isGiven(key)).map(([key]) => key));

  for (const [key, def] of all) if (given.has(key) && def.refused !== undefined) throw new UsageError(refusalMessage(spec, def));

  const values: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(spec.flags)) {
    const v = raw[key];
    values[key] = given.has(key) && v !== undefined ? readValue(def, v) : def.default;
  }
  const sim: Record<string, string | boolean> = {};
  for (const [key, def] of Object.entries(spec.simFlags ?? {})) {
    const v = raw[key];
    if (!given.has(key) || v === undefined) continue;
    // The simulator's flags are never repeatable: the last occurrence wins, as for any flag.
    const last = typeof v === 'string' || typeof v === 'boolean' ? v : v.at(-1);
    if (last !== undefined) sim[def.name] = last;
  }

  for (const [key, def] of all) {
    if (!given.has(key)) continue;
    // A conflict first: adding what a flag requires would not help while it conflicts with another.
    for (const rule of def.conflicts ?? []) if (given.has(rule.flag)) throw new UsageError(rule.message);
    for (const rule of def.requires ?? []) if (![rule.flag, ...(rule.or ?? [])].some((f) => given.has(f))) throw new UsageError(rule.message);
  }
  return { values: values as FlagValues<T>, given, sim };
}
