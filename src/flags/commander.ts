import { Option, type Command } from 'commander';
import { SECTION_TITLES, type AnyFlagDef, type CommandSpec } from './types.ts';

/** Declares a command's flags and arguments on a commander Command, from its table. */

/** The default as shown in help and docs, or undefined when there is nothing worth showing. */
export function defaultShown(def: AnyFlagDef): string | undefined {
  if (def.defaultText !== undefined) return def.defaultText;
  const d = def.default;
  if (d === undefined || d === false) return undefined;
  return Array.isArray(d) ? d.join(',') : String(d);
}

/** The `-c, --concurrency <N>` form commander parses. */
export function optionFlags(def: AnyFlagDef): string {
  const long = `--${def.name}${def.valueName !== undefined ? ` <${def.valueName}>` : ''}`;
  return def.short !== undefined ? `-${def.short}, ${long}` : long;
}

/** For a time: how a bare number is read (`30` is 30 s for --duration, 30 ms for --grace). */
export function bareUnitNote(def: AnyFlagDef): string | undefined {
  if (def.valueName !== 'TIME' || def.unit === undefined) return undefined;
  return `a bare number is ${def.unit === 's' ? 'seconds' : 'ms'}`;
}

export function helpLine(def: AnyFlagDef): string {
  const d = defaultShown(def);
  const unit = bareUnitNote(def);
  const again = def.value.readAll !== undefined ? ' (repeatable)' : '';
  return `${def.help}${unit !== undefined ? ` (${unit})` : ''}${again}${d !== undefined ? ` [default: ${d}]` : ''}`;
}

export function addFlags(cmd: Command, spec: CommandSpec): Command {
  for (const a of spec.args ?? []) cmd.argument(a.variadic === true ? `<${a.name}...>` : `<${a.name}>`, a.help);
  for (const def of [...Object.values(spec.flags), ...Object.values(spec.simFlags ?? {})]) {
    // No commander defaults: a flag left out must stay distinguishable from one given.
    const option = new Option(optionFlags(def), helpLine(def)).hideHelp(def.hidden === true).helpGroup(`${SECTION_TITLES[def.section]}:`);
    if (def.required === true) option.makeOptionMandatory();
    // A repeatable flag keeps every value typed, in order; parseFlags reads them together.
    if (def.value.readAll !== undefined) option.argParser((value: string, previous: readonly string[] | undefined) => [...(previous ?? []), value]);
    cmd.addOption(option);
  }
  return cmd;
}
