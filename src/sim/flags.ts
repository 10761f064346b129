import { formatFaultSpec } from './faults.ts';
import { SIM_FLAG_SPECS, resolveSimConfig, type SimConfig } from './config.ts';
import { flag, type AnyFlagDef, type CommandSpec, type FlagTable } from '../flags/types.ts';
import { passThrough } from '../flags/values.ts';

/**
 * The simulator's flags in the common shape. The simulator keeps its own table
 * (src/sim/config.ts, FLAG_DEFS: it validates them itself, also for POST /admin/config); this
 * adapts it for `streamtop sim` (no prefix) and the main command (`--sim-*`), whose values go to
 * resolveSimConfig as typed.
 */

/** A default as help shows it: from the config the simulator starts with when given no flag. */
function defaultText(key: keyof SimConfig, config: SimConfig): string {
  const v = config[key];
  if (key === 'faults') return formatFaultSpec(config.faults) || 'none';
  if (key === 'outputTokens') return `${config.outputTokens.mean}:${config.outputTokens.sd}`;
  if (key === 'reasoningTokens') return config.reasoningTokens.mean === 0 ? '0 (off)' : `${config.reasoningTokens.mean}:${config.reasoningTokens.sd}`;
  if (key === 'profile') return String(v);
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (v === undefined) return 'none';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const PROFILE_KNOBS = new Set<keyof SimConfig>(['ttftMs', 'prefillPerTokenMs', 'itlMs', 'jitter', 'outputTokens', 'slots', 'queue', 'loadFactor', 'rpm', 'tpm', 'faults', 'stallMs']);

/** Keys are camelCase of the flag as typed (`sim-load-factor` -> `simLoadFactor`), as commander names them. */
export function simFlagTable(prefix: '' | 'sim-', helpPrefix = ''): FlagTable {
  const defaults = resolveSimConfig({});
  const out: Record<string, AnyFlagDef> = {};
  for (const spec of SIM_FLAG_SPECS) {
    const name = `${prefix}${spec.name}`;
    const dflt = defaultText(spec.key, defaults);
    out[camel(name)] = flag({
      name,
      ...(spec.valueName !== undefined ? { valueName: spec.valueName } : {}),
      section: 'simulator',
      help: `${helpPrefix}${spec.description}`,
      defaultText: PROFILE_KNOBS.has(spec.key) ? `${dflt} (from --${prefix}profile)` : dflt,
      value: passThrough(spec.allowed),
      ...(spec.secret === true ? { secret: true } : {}),
      // The main command starts the simulator only without --url.
      ...(prefix === 'sim-' ? { conflicts: [{ flag: 'url', message: `--${name} only applies to the built-in simulator; drop it or drop --url` }] } : {}),
    });
  }
  return out;
}

export function camel(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** `streamtop sim`: the simulator alone (its module imports nothing of the engine). */
export const SIM_COMMAND = {
  name: 'sim',
  description: 'Run the built-in LLM simulator: OpenAI and Anthropic chat APIs with a latency model and fault injection.',
  flags: {} satisfies FlagTable,
  simFlags: simFlagTable(''),
} satisfies CommandSpec;
