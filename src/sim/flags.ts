import { formatFaultSpec } from './faults.ts';
import { SIM_FLAG_SPECS, resolveSimConfig, type SimConfig } from './config.ts';
import { flag, type AnyFlagDef, type CommandSpec, type FlagTable } from '../flags/types.ts';
import { decimal, fromParser, fromSchema, parseUrl, passThrough } from '../flags/values.ts';
import { z } from 'zod';
import { ADDED_LATENCY_ALLOWED, MAX_ADDED_LATENCY_MS, PROXY_SIM_FLAGS, parseLatencySpec, type LatencySpec } from './proxy-settings.ts';

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
      // The main command starts the simulator only without --url; `streamtop sim --proxy-to`
      // generates nothing, so the generation knobs do not apply to it.
      ...(prefix === 'sim-' ? { conflicts: [{ flag: 'url', message: `--${name} only applies to the built-in simulator; drop it or drop --url` }] } : {}),
      ...(prefix === '' && !PROXY_SIM_FLAGS.has(spec.name)
        ? { conflicts: [{ flag: 'proxyTo', message: `--${name} does not apply with --proxy-to (the upstream generates the answers; the proxy only forwards them); drop it` }] }
        : {}),
    });
  }
  return out;
}

export function camel(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

const needsProxy = (name: string): { flag: string; message: string }[] => [
  { flag: 'proxyTo', message: `--${name} applies only to a proxy: add --proxy-to URL` },
];

/** `streamtop sim --proxy-to`: an emulated gateway in front of another server (src/sim/proxy.ts). */
export const PROXY_FLAGS = {
  proxyTo: flag({
    name: 'proxy-to',
    valueName: 'URL',
    section: 'simulator',
    help: 'forward every request to this server (a simulator or a real endpoint) instead of generating: an emulated gateway',
    value: fromParser(parseUrl, 'an http:// or https:// URL of the upstream, its origin (e.g. http://127.0.0.1:8000) plus any path prefix, without user:password'),
  }),
  addedLatency: flag<LatencySpec>({
    name: 'added-latency',
    valueName: 'MS|MEAN:SD',
    section: 'simulator',
    help: 'with --proxy-to: wait this long (drawn per request, normal, never below 0) before forwarding, so the response and its first byte come that much later',
    unit: 'ms',
    value: fromSchema(
      // Not that shape, or out of range: undefined, which the object schema refuses with ADDED_LATENCY_ALLOWED.
      z.string().transform(parseLatencySpec).pipe(z.object({ mean: z.number(), sd: z.number() })),
      ADDED_LATENCY_ALLOWED,
    ),
    default: { mean: 0, sd: 0 },
    defaultText: '0',
    requires: needsProxy('added-latency'),
  }),
  addedChunkLatency: flag({
    name: 'added-chunk-latency',
    valueName: 'MS',
    section: 'simulator',
    help: 'with --proxy-to: wait this long before writing on each piece of the upstream\'s response (pieces are written one at a time, so a delay above the gap between pieces slows the stream)',
    unit: 'ms',
    value: decimal(0, MAX_ADDED_LATENCY_MS, `milliseconds from 0 to ${MAX_ADDED_LATENCY_MS}`),
    default: 0,
    requires: needsProxy('added-chunk-latency'),
  }),
} satisfies FlagTable;

/** `streamtop sim`: the simulator alone (its module imports nothing of the engine). */
export const SIM_COMMAND = {
  name: 'sim',
  description: 'Run the built-in LLM simulator: OpenAI and Anthropic chat APIs with a latency model and fault injection; or, with --proxy-to, an emulated gateway in front of another server.',
  flags: PROXY_FLAGS,
  simFlags: simFlagTable(''),
} satisfies CommandSpec;
