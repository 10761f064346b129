import { bareUnitNote, defaultShown, optionFlags } from './commander.ts';
import { commandLabel, flagLabel, SECTION_TITLES, type AnyFlagDef, type CommandSpec, type SectionId } from './types.ts';

/**
 * Renders docs/cli.md from the command specs. Pure and deterministic (no dates, no paths), so a
 * test can compare the committed file with what the tables generate now.
 */

const SECTION_ORDER: readonly SectionId[] = ['command', 'target', 'load', 'workload', 'resilience', 'outputs', 'simulator'];

/** A table cell: one line, pipes escaped. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

function usage(spec: CommandSpec): string {
  const args = (spec.args ?? []).map((a) => (a.variadic === true ? `<${a.name}...>` : `<${a.name}>`));
  return ['streamtop', ...(spec.name !== '' ? [spec.name] : []), ...args, '[options]'].join(' ');
}

function flagRow(def: AnyFlagDef): string {
  const rules = [
    ...(def.required === true ? ['required'] : []),
    ...(def.value.readAll !== undefined ? ['repeatable'] : []),
    ...(def.requires ?? []).map((r) => `needs ${[r.flag, ...(r.or ?? [])].map((f) => `--${kebab(f)}`).join(' or ')}`),
    ...(def.conflicts ?? []).map((r) => `not with --${kebab(r.flag)}`),
  ];
  const unit = bareUnitNote(def);
  const allowed = def.valueName !== undefined ? [def.value.allowed] : [];
  const limits = [...allowed, ...(unit !== undefined ? [unit] : []), ...rules].join('; ') || '-';
  const value = def.valueName ?? '(switch)';
  return `| ${code(optionFlags(def).replace(/ <.*>$/, ''))} | ${cell(value)} | ${cell(defaultShown(def) ?? '-')} | ${cell(def.help)} | ${cell(limits)} |`;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function commandSection(spec: CommandSpec): string[] {
  const title = spec.name === '' ? 'streamtop (run: dashboard or headless)' : `streamtop ${spec.name}`;
  const out = [`## ${title}`, '', spec.description.replace(/\n/g, ' '), '', '```', usage(spec), '```', ''];
  for (const a of spec.args ?? []) out.push(`- ${code(`<${a.name}>`)}${a.variadic === true ? ' (one or more)' : ''}: ${a.help}`);
  if ((spec.args ?? []).length > 0) out.push('');
  const defs = [...Object.values(spec.flags), ...Object.values(spec.simFlags ?? {})];
  const shown = defs.filter((d) => d.refused === undefined && d.hidden !== true);
  for (const section of SECTION_ORDER) {
    const inSection = shown.filter((d) => d.section === section);
    if (inSection.length === 0) continue;
    out.push(`### ${SECTION_TITLES[section]}`, '', '| flag | value | default | what it does | limits |', '| --- | --- | --- | --- | --- |');
    for (const d of inSection) out.push(flagRow(d));
    out.push('');
  }
  const refused = defs.filter((d) => d.refused !== undefined);
  if (refused.length > 0) {
    out.push('### Not taken by this command', '');
    for (const d of refused) {
      const r = d.refused;
      const why = r?.message ?? `${r?.why ?? 'not used'}; ${r?.instead !== undefined ? `use ${r.instead}` : 'drop it'}`;
      out.push(`- ${code(flagLabel(d))}: ${why}`);
    }
    out.push('');
  }
  return out;
}

export function renderCliDoc(specs: readonly CommandSpec[]): string {
  const out = [
    '# Command-line reference',
    '',
    '<!-- Generated from the flag tables in src/flags/ by `npm run docs:cli`; do not edit by hand. -->',
    '',
    'Times take a unit (`500ms`, `30s`, `5m`, `1h`). A value outside its limits is refused with a',
    'message naming the flag, the value and what is allowed (exit code 2).',
    '',
    ...specs.map((s) => `- [${commandLabel(s) === 'streamtop' ? 'streamtop' : `streamtop ${s.name}`}](#${anchor(s)})`),
    '',
  ];
  for (const s of specs) out.push(...commandSection(s));
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

/** GitHub's anchor for the section heading of a command. */
function anchor(spec: CommandSpec): string {
  const title = spec.name === '' ? 'streamtop (run: dashboard or headless)' : `streamtop ${spec.name}`;
  return title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}
