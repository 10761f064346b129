/**
 * The shape of one command-line flag, declared once in its command's table (src/flags/*-flags.ts).
 * Commander's options, the --help text, the validation, the defaults and docs/cli.md all read it.
 */

/** Where a flag is listed in --help and docs/cli.md. */
export type SectionId = 'target' | 'load' | 'workload' | 'resilience' | 'outputs' | 'simulator' | 'command';

export const SECTION_TITLES: Readonly<Record<SectionId, string>> = {
  command: 'Experiment',
  target: 'Target',
  load: 'Load',
  workload: 'Workload (prompts)',
  resilience: 'Resilience (retries, timeouts, stopping early)',
  outputs: 'Outputs',
  simulator: 'Built-in simulator',
};

/**
 * How a raw value becomes a typed one (src/flags/values.ts builds these, from zod schemas or from
 * a grammar's own parser). `allowed` completes "expected ..." in the error message and is the
 * limits column of docs/cli.md, so the two cannot disagree.
 */
export interface ValueSpec<T> {
  allowed: string;
  /** Throws a UsageError naming `flag` (as typed) when `raw` is not valid. */
  read(flag: string, raw: string | boolean): T;
  /**
   * Present on a flag that may be given more than once (`-H A -H B`): reads every occurrence, in
   * the order typed. Commander collects them (src/flags/commander.ts).
   */
  readAll?(flag: string, raws: readonly string[]): T;
}

/** A rule naming another flag of the same table (by key), with the message shown when broken. */
export interface FlagRule {
  flag: string;
  /** For `requires`: other flags that satisfy the rule as well (any one of them will do). */
  or?: readonly string[];
  message: string;
}

/**
 * Why a command does not take a flag it would otherwise inherit, and what to use instead:
 * "COMMAND does not take --FLAG (WHY); use INSTEAD" (or "; drop it" without INSTEAD).
 */
export interface Refusal {
  why?: string;
  instead?: string;
  /** The whole message, when the pattern above does not fit. */
  message?: string;
}

export interface FlagDef<T> {
  /** Long name without dashes, e.g. 'concurrency' (`--concurrency`). */
  name: string;
  /** One-letter alias, e.g. 'c' (`-c`). */
  short?: string;
  /** Placeholder for the value in help; absent for a switch (a flag without a value). */
  valueName?: string;
  section: SectionId;
  /** What the flag does, one line. */
  help: string;
  /** The unit a bare number is read in, when the value has one (`ms`, `s`, `requests/s`). */
  unit?: string;
  value: ValueSpec<T>;
  /** Applied when the flag is absent. */
  default?: T;
  /** The default in words, when it depends on other flags or `default` would print badly. */
  defaultText?: string;
  /** Flags that must be given with this one. */
  requires?: readonly FlagRule[];
  /** Flags that must not be given with this one. */
  conflicts?: readonly FlagRule[];
  /** Set when the command does not use this flag: it is refused with this advice. */
  refused?: Refusal;
  /** Accepted but not listed (a flag that exists only to be refused with a better message). */
  hidden?: boolean;
  /** Never echo the value back (a key pasted by mistake). */
  secret?: boolean;
  /** The command cannot run without it. */
  required?: boolean;
}

/** A flag with a default: its value is always present after parsing. */
export type DefaultedFlagDef<T> = FlagDef<T> & { default: T };

/** Any entry of a table; FlagValues reads each one back with its own value type. */
export type AnyFlagDef = FlagDef<unknown>;

export type FlagTable = Readonly<Record<string, AnyFlagDef>>;

type ValueOf<D> = D extends FlagDef<infer V> ? V : never;

/**
 * Parsed values of a table, keyed like the table; flags with a default are never undefined. A
 * flag that may be repeated has a list value kind (values.ts `repeatable`).
 */
export type FlagValues<T extends FlagTable> = {
  [K in keyof T]: T[K] extends { default: unknown } ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

/** A positional argument, documented beside the flags. */
export interface ArgumentDef {
  name: string;
  help: string;
  variadic?: boolean;
}

/** One command: its description, its arguments and its flag table. */
export interface CommandSpec<T extends FlagTable = FlagTable> {
  /** '' for the main command. */
  name: string;
  description: string;
  args?: readonly ArgumentDef[];
  flags: T;
  /**
   * The simulator's flags this command passes through (`--sim-*` on the run commands, bare on
   * `streamtop sim`): validated by the simulator (resolveSimConfig), documented like the rest.
   */
  simFlags?: FlagTable;
}

/** The command as typed in messages: `streamtop`, `sweep`. */
export function commandLabel(spec: Pick<CommandSpec, 'name'>): string {
  return spec.name === '' ? 'streamtop' : spec.name;
}

/** Builds a flag definition, keeping whether it has a default in its type. */
export function flag<T>(def: DefaultedFlagDef<T>): DefaultedFlagDef<T>;
export function flag<T>(def: FlagDef<T>): FlagDef<T>;
export function flag<T>(def: FlagDef<T>): FlagDef<T> {
  return def;
}

/** `--name` or `-c/--name`, as shown in messages and docs. */
export function flagLabel(def: Pick<AnyFlagDef, 'name' | 'short'>): string {
  return def.short !== undefined ? `-${def.short}/--${def.name}` : `--${def.name}`;
}
