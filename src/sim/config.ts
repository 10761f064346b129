// The simulator's knobs: one spec per flag (shared by `streamtop sim` and the main command's
// `--sim-*` flags), named profiles, and validation into a typed SimConfig. Every invalid value
// becomes a UsageError naming the flag as the user typed it.

import { z } from 'zod';
import { UsageError, invalidFlag } from '../shared/usage-error.ts';
import {
  FAULT_NAMES,
  FaultSpecError,
  formatFaultSpec,
  noFaults,
  parseFaultSpec,
  type FaultName,
  type FaultRates,
} from './faults.ts';
import { ProxySettingsSchema, type ProxySettings } from './proxy-settings.ts';

export { FAULT_NAMES, type FaultName, type FaultRates } from './faults.ts';

/** About what one GPU's KV cache holds for a mid-size model: prefixes are cached unless told otherwise. */
export const DEFAULT_PREFIX_CACHE_TOKENS = 1_000_000;

export interface OutputTokens {
  mean: number;
  sd: number;
}

/** Where an OpenAI-style stream carries reasoning: DeepSeek and older vLLM, or newer vLLM and OpenRouter. */
export const REASONING_FIELDS = ['reasoning_content', 'reasoning'] as const;
export type ReasoningField = (typeof REASONING_FIELDS)[number];

export const SIM_PROFILE_NAMES = ['default', 'frontier', 'fast', 'overloaded'] as const;
export type SimProfileName = (typeof SIM_PROFILE_NAMES)[number];

export interface SimConfig {
  profile: SimProfileName;
  /** Base time to first token, ms, once a request holds a slot. */
  ttftMs: number;
  /** Added to TTFT per prompt token (prefill), ms. */
  prefillPerTokenMs: number;
  /** Inter-token latency at zero load, ms. */
  itlMs: number;
  /** Coefficient of variation of the lognormal multiplier on every latency; 0 = exact. */
  jitter: number;
  outputTokens: OutputTokens;
  /**
   * Reasoning tokens before the answer (normal, at least 0); mean 0 = no reasoning unless the
   * request asks for it (OpenAI `reasoning_effort`, Anthropic `thinking`).
   */
  reasoningTokens: OutputTokens;
  /** The OpenAI delta / message field that carries reasoning. */
  reasoningField: ReasoningField;
  /** Share of requests answered with a tool call (its JSON arguments streamed in pieces). */
  toolCalls: number;
  /** Sequences generated at once (vLLM max-num-seqs). */
  slots: number;
  /** Waiting requests beyond which the server answers 429. */
  queue: number;
  /** Decode slows to itl * (1 + loadFactor * running / slots). */
  loadFactor: number;
  /** Requests per minute; 0 = unlimited. */
  rpm: number;
  /** Tokens (prompt + completion) per minute; 0 = unlimited. */
  tpm: number;
  seed: number;
  apiKey?: string;
  host: string;
  port: number;
  faults: FaultRates;
  stallMs: number;
  /** Adds `sim_ts` (server send time, epoch ms) to every JSON chunk. */
  timestamps: boolean;
  maxBodyBytes: number;
  /** Per-request timing records kept for /admin/requests (oldest dropped first). */
  maxRecords: number;
  /** Prompt tokens the prefix cache holds (16-token blocks, least recently used out first); 0 = off. */
  prefixCacheTokens: number;
  tls: boolean;
  /** With tls: certificate and key (PEM) to use instead of generating them (spawn.ts passes these). */
  tlsCert?: string;
  tlsKey?: string;
  /**
   * Set by `streamtop sim --proxy-to`: forward to another server instead of generating (the
   * generation knobs above are then unused). Not a knob of the table below: the command's own flags.
   */
  proxy?: ProxySettings;
}

type ProfileKnobs = Pick<
  SimConfig,
  'ttftMs' | 'prefillPerTokenMs' | 'itlMs' | 'jitter' | 'outputTokens' | 'slots' | 'queue' | 'loadFactor' | 'rpm' | 'tpm' | 'faults' | 'stallMs'
>;

export const SIM_PROFILES: Readonly<Record<SimProfileName, Readonly<ProfileKnobs> & { description: string }>> = {
  default: {
    description: 'a mid-size self-hosted model: 16 slots, so a pool above 16 shows queueing within seconds',
    ttftMs: 250,
    prefillPerTokenMs: 0.05,
    itlMs: 25,
    jitter: 0.2,
    outputTokens: { mean: 120, sd: 40 },
    slots: 16,
    queue: 256,
    loadFactor: 0.5,
    rpm: 0,
    tpm: 0,
    faults: noFaults(),
    stallMs: 5000,
  },
  frontier: {
    description: 'a hosted frontier model: slow first token, ~35 tokens/s, long answers, vast capacity',
    ttftMs: 700,
    prefillPerTokenMs: 0.02,
    itlMs: 28,
    jitter: 0.35,
    outputTokens: { mean: 400, sd: 150 },
    slots: 512,
    queue: 4096,
    loadFactor: 0.1,
    rpm: 0,
    tpm: 0,
    faults: noFaults(),
    stallMs: 5000,
  },
  fast: {
    description: 'a fast small model: ~80 ms to first token, ~170 tokens/s',
    ttftMs: 80,
    prefillPerTokenMs: 0.01,
    itlMs: 6,
    jitter: 0.15,
    outputTokens: { mean: 150, sd: 60 },
    slots: 64,
    queue: 1024,
    loadFactor: 0.3,
    rpm: 0,
    tpm: 0,
    faults: noFaults(),
    stallMs: 5000,
  },
  overloaded: {
    description: 'an overloaded server: 4 slots, a short queue (429s), heavy load slowdown, wide jitter, some 503s and stalls',
    ttftMs: 1200,
    prefillPerTokenMs: 0.1,
    itlMs: 50,
    jitter: 0.6,
    outputTokens: { mean: 200, sd: 80 },
    slots: 4,
    queue: 8,
    loadFactor: 1.5,
    rpm: 0,
    tpm: 0,
    faults: { ...noFaults(), http503: 0.03, stall: 0.02 },
    stallMs: 5000,
  },
};

/**
 * One simulator flag as the command-line layer sees it (src/flags builds `streamtop sim`'s and
 * the main command's `--sim-*` options, their help and docs/cli.md from these).
 */
export interface SimFlagSpec {
  /** Flag name without dashes or prefix, e.g. 'ttft' (`--ttft`, `--sim-ttft`). */
  name: string;
  /** Placeholder for the value in help; absent for boolean flags. */
  valueName?: string;
  description: string;
  /** The SimConfig field it sets (its default is that field of resolveSimConfig({})). */
  key: keyof SimConfig;
  /** What a valid value looks like, completing "expected ...". */
  allowed: string;
  /** Changeable at run time through POST /admin/config. */
  live: boolean;
  /** Never echo the value back (the API key). */
  secret?: boolean;
}

interface FlagDef extends SimFlagSpec {
  schema: z.ZodType<unknown, unknown>;
}

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
const INTEGER = /^\d+$/;

function decimal(max: number): z.ZodType<number, unknown> {
  return z.string().trim().regex(DECIMAL).transform(Number).pipe(z.number().min(0).max(max));
}
function integer(min: number, max: number): z.ZodType<number, unknown> {
  return z.string().trim().regex(INTEGER).transform(Number).pipe(z.number().int().min(min).max(max));
}
const booleanFlag: z.ZodType<boolean, unknown> = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
]);
/** "MEAN" or "MEAN:SD" token counts, the mean at least `min`. */
function meanSdSchema(min: number): z.ZodType<OutputTokens, unknown> {
  return z
    .string()
    .trim()
    .regex(/^\d+(:(\d+(\.\d*)?|\.\d+))?$/)
    .transform((s) => {
      const [mean, sd] = s.split(':');
      return { mean: Number(mean), sd: sd === undefined ? 0 : Number(sd) };
    })
    .pipe(z.object({ mean: z.number().int().min(min).max(100_000), sd: z.number().min(0).max(100_000) }));
}
const outputTokensSchema = meanSdSchema(1);
/** 0 turns reasoning off. */
const reasoningTokensSchema = meanSdSchema(0);
const faultsSchema: z.ZodType<FaultRates, unknown> = z.string().transform((s, ctx) => {
  try {
    return parseFaultSpec(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof FaultSpecError ? err.message : String(err) });
    return z.NEVER;
  }
});

const FLAG_DEFS: readonly FlagDef[] = [
  { name: 'profile', valueName: 'NAME', key: 'profile', live: false, allowed: `one of ${SIM_PROFILE_NAMES.join(', ')}`,
    description: `defaults for the other knobs: ${SIM_PROFILE_NAMES.join(', ')}`, schema: z.enum(SIM_PROFILE_NAMES) },
  { name: 'ttft', valueName: 'MS', key: 'ttftMs', live: true, allowed: 'milliseconds, a number >= 0',
    description: 'base time to first token once a request holds a slot', schema: decimal(3_600_000) },
  { name: 'prefill-per-token', valueName: 'MS', key: 'prefillPerTokenMs', live: true, allowed: 'milliseconds, a number >= 0',
    description: 'added to the time to first token per prompt token', schema: decimal(60_000) },
  { name: 'itl', valueName: 'MS', key: 'itlMs', live: true, allowed: 'milliseconds, a number >= 0',
    description: 'inter-token latency at zero load (0 = as fast as the client reads)', schema: decimal(600_000) },
  { name: 'jitter', valueName: 'CV', key: 'jitter', live: true, allowed: 'a coefficient of variation between 0 and 10',
    description: 'lognormal spread of every latency (coefficient of variation; 0 = exact timing)', schema: decimal(10) },
  { name: 'output-tokens', valueName: 'N|MEAN:SD', key: 'outputTokens', live: true, allowed: 'N or MEAN:SD with 1 <= N <= 100000, e.g. 200 or 200:50',
    description: 'completion length (normal, at least 1), capped by the request\'s max tokens', schema: outputTokensSchema },
  { name: 'reasoning-tokens', valueName: 'N|MEAN:SD', key: 'reasoningTokens', live: true, allowed: 'N or MEAN:SD with 0 <= N <= 100000, e.g. 200 or 200:50 (0 = off)',
    description: 'reasoning tokens before the answer (normal, at least 0; 0 = off, unless a request asks with reasoning_effort or thinking)', schema: reasoningTokensSchema },
  { name: 'reasoning-field', valueName: 'FIELD', key: 'reasoningField', live: true, allowed: `one of ${REASONING_FIELDS.join(', ')}`,
    description: 'OpenAI API: the delta and message field that carries reasoning', schema: z.enum(REASONING_FIELDS) },
  { name: 'tool-calls', valueName: 'P', key: 'toolCalls', live: true, allowed: 'a probability from 0 to 1',
    description: 'share of requests answered with a tool call whose JSON arguments stream in pieces', schema: decimal(1) },
  { name: 'slots', valueName: 'N', key: 'slots', live: true, allowed: 'an integer from 1 to 100000',
    description: 'sequences generated at once (like vLLM max-num-seqs); more requests wait in a FIFO', schema: integer(1, 100_000) },
  { name: 'queue', valueName: 'N', key: 'queue', live: true, allowed: 'an integer from 0 to 10000000',
    description: 'waiting requests beyond which the server answers 429', schema: integer(0, 10_000_000) },
  { name: 'load-factor', valueName: 'K', key: 'loadFactor', live: true, allowed: 'a number between 0 and 1000',
    description: 'decode slows to itl * (1 + K * running / slots)', schema: decimal(1000) },
  { name: 'rpm', valueName: 'N', key: 'rpm', live: true, allowed: 'an integer >= 0 (0 = unlimited)',
    description: 'requests per minute before 429 with retry-after (0 = unlimited)', schema: integer(0, 1e12) },
  { name: 'tpm', valueName: 'N', key: 'tpm', live: true, allowed: 'an integer >= 0 (0 = unlimited)',
    description: 'prompt + completion tokens per minute before 429 with retry-after (0 = unlimited)', schema: integer(0, 1e15) },
  { name: 'seed', valueName: 'N', key: 'seed', live: false, allowed: 'an integer from 0 to 4294967295',
    description: 'seed for text, lengths, jitter and faults', schema: integer(0, 4_294_967_295) },
  { name: 'api-key', valueName: 'KEY', key: 'apiKey', live: false, secret: true, allowed: 'a non-empty key',
    description: 'require this key (Authorization: Bearer or x-api-key), else 401', schema: z.string().min(1) },
  { name: 'host', valueName: 'HOST', key: 'host', live: false, allowed: 'a host name or IP address',
    description: 'address to bind', schema: z.string().trim().min(1).regex(/^[A-Za-z0-9.:\-[\]%]+$/) },
  { name: 'port', valueName: 'PORT', key: 'port', live: false, allowed: 'an integer from 0 to 65535 (0 = any free port)',
    description: 'port to listen on (0 = any free port)', schema: integer(0, 65_535) },
  { name: 'faults', valueName: 'SPEC', key: 'faults', live: true, allowed: `NAME=PROBABILITY pairs separated by commas, NAME one of ${FAULT_NAMES.join(', ')}`,
    description: `per-request fault probabilities, e.g. "http429=0.02,disconnect=0.01" (${FAULT_NAMES.join(', ')})`, schema: faultsSchema },
  { name: 'stall-ms', valueName: 'MS', key: 'stallMs', live: true, allowed: 'milliseconds, a number >= 0',
    description: 'length of a stall fault and of slow-headers', schema: decimal(3_600_000) },
  { name: 'timestamps', key: 'timestamps', live: true, allowed: 'true or false',
    description: 'add "sim_ts" (server send time, epoch ms with sub-ms precision) to every JSON chunk', schema: booleanFlag },
  { name: 'max-body-bytes', valueName: 'BYTES', key: 'maxBodyBytes', live: false, allowed: 'an integer from 1 to 1073741824',
    description: 'largest request body accepted, else 413', schema: integer(1, 1 << 30) },
  { name: 'max-records', valueName: 'N', key: 'maxRecords', live: false, allowed: 'an integer from 1 to 10000000',
    description: 'per-request timing records kept for /admin/requests', schema: integer(1, 10_000_000) },
  { name: 'prefix-cache-tokens', valueName: 'N', key: 'prefixCacheTokens', live: false, allowed: 'an integer from 0 to 1000000000 (0 = off)',
    description: 'prefix cache size in prompt tokens (16-token blocks, least recently used out first); prefill is charged only for uncached tokens (0 = off)',
    schema: integer(0, 1_000_000_000) },
  { name: 'tls', key: 'tls', live: false, allowed: 'true or false',
    description: 'serve HTTPS (and HTTP/2) with a self-signed certificate generated at start', schema: booleanFlag },
];

export const SIM_FLAG_SPECS: ReadonlyArray<SimFlagSpec> = FLAG_DEFS.map(({ schema: _schema, ...spec }) => spec);

/** Flags that POST /admin/config may change while the simulator runs. */
export const LIVE_FLAG_NAMES: readonly string[] = FLAG_DEFS.filter((d) => d.live).map((d) => d.name);

const DEFS_BY_NAME = new Map(FLAG_DEFS.map((d) => [d.name, d]));
const DEFS_BY_KEY = new Map(FLAG_DEFS.map((d) => [d.key as string, d]));

const faultRatesSchema = z.object(
  Object.fromEntries(FAULT_NAMES.map((n) => [n, z.number().min(0).max(1)])) as Record<FaultName, z.ZodNumber>,
);

/** Shape check of a whole config: guards what callers (and the child process) hand us. */
export const SimConfigSchema = z.object({
  profile: z.enum(SIM_PROFILE_NAMES),
  ttftMs: z.number().min(0),
  prefillPerTokenMs: z.number().min(0),
  itlMs: z.number().min(0),
  jitter: z.number().min(0).max(10),
  outputTokens: z.object({ mean: z.number().int().min(1).max(100_000), sd: z.number().min(0) }),
  reasoningTokens: z.object({ mean: z.number().int().min(0).max(100_000), sd: z.number().min(0) }),
  reasoningField: z.enum(REASONING_FIELDS),
  toolCalls: z.number().min(0).max(1),
  slots: z.number().int().min(1),
  queue: z.number().int().min(0),
  loadFactor: z.number().min(0),
  rpm: z.number().int().min(0),
  tpm: z.number().int().min(0),
  seed: z.number().int().min(0).max(4_294_967_295),
  apiKey: z.string().min(1).optional(),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  faults: faultRatesSchema,
  stallMs: z.number().min(0),
  timestamps: z.boolean(),
  maxBodyBytes: z.number().int().min(1),
  maxRecords: z.number().int().min(1),
  prefixCacheTokens: z.number().int().min(0).default(DEFAULT_PREFIX_CACHE_TOKENS),
  tls: z.boolean(),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  proxy: ProxySettingsSchema.optional(),
});

export interface ResolveOptions {
  /** Prefix the user typed before each name (`sim-` for the main command), for error messages. */
  flagPrefix?: string;
}

export type SimFlagValues = Record<string, string | boolean | undefined>;

/**
 * Where the simulator's key may come from instead of --api-key: a flag's value is visible to every
 * user of the machine in `ps`, an environment variable is not.
 */
export const SIM_API_KEY_ENV = 'STREAMTOP_SIM_API_KEY';

/** The flags, with --api-key taken from STREAMTOP_SIM_API_KEY when the flag is not given. */
export function withKeyFromEnv(flags: SimFlagValues, env: NodeJS.ProcessEnv): SimFlagValues {
  const fromEnv = env[SIM_API_KEY_ENV];
  return flags['api-key'] === undefined && fromEnv !== undefined && fromEnv !== '' ? { ...flags, 'api-key': fromEnv } : flags;
}

/** Profile defaults, then each given flag, validated. Throws UsageError naming the flag. */
export function resolveSimConfig(flags: SimFlagValues, opts: ResolveOptions = {}): SimConfig {
  const prefix = opts.flagPrefix ?? '';
  const parsed = new Map<FlagDef, unknown>();
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const def = DEFS_BY_NAME.get(name);
    if (def === undefined) throw new UsageError(`unknown flag --${prefix}${name}`);
    parsed.set(def, parseFlagValue(def, value, `--${prefix}${name}`));
  }
  const profileDef = DEFS_BY_NAME.get('profile');
  const profile = ((profileDef && parsed.get(profileDef)) ?? 'default') as SimProfileName;
  const { description: _description, ...knobs } = SIM_PROFILES[profile];
  const draft: Record<string, unknown> = {
    ...structuredClone(knobs),
    profile,
    seed: 42,
    host: '127.0.0.1',
    port: 0,
    timestamps: false,
    maxBodyBytes: 4 * 1024 * 1024,
    maxRecords: 200_000,
    prefixCacheTokens: DEFAULT_PREFIX_CACHE_TOKENS,
    tls: false,
    reasoningTokens: { mean: 0, sd: 0 },
    reasoningField: 'reasoning_content',
    toolCalls: 0,
  };
  for (const [def, value] of parsed) draft[def.key] = value;
  return SimConfigSchema.parse(draft);
}

function parseFlagValue(def: FlagDef, value: string | boolean, shownFlag: string): unknown {
  const result = def.schema.safeParse(value);
  if (result.success) return result.data;
  if (def.secret) throw new UsageError(`invalid value for ${shownFlag}: expected ${def.allowed}`);
  // A custom issue (the fault spec parser) says precisely what was wrong; else the general rule.
  const custom = result.error.issues.find((i) => i.code === 'custom')?.message;
  throw invalidFlag(shownFlag, value, custom ?? def.allowed);
}

/** A partial config change for POST /admin/config, already validated. */
export type LivePatch = Partial<Pick<SimConfig, 'ttftMs' | 'prefillPerTokenMs' | 'itlMs' | 'jitter' | 'outputTokens' | 'reasoningTokens' | 'reasoningField' | 'toolCalls' | 'slots' | 'queue' | 'loadFactor' | 'rpm' | 'tpm' | 'stallMs' | 'timestamps'>> & {
  /** Only the faults named; the others keep their rates. */
  faults?: Partial<FaultRates>;
};

/** Thrown for an invalid admin config body; the message is returned to the client as a 400. */
export class PatchError extends Error {}

/**
 * Validates a POST /admin/config body. Keys may be spelled as flags (`ttft`, `load-factor`), in
 * camelCase (`loadFactor`) or as SimConfig fields (`ttftMs`); values as JSON numbers or as the
 * flag's string syntax. `faults` may be an object (merged) or a spec string (replaces all rates).
 */
export function parseLivePatch(body: Record<string, unknown>): LivePatch {
  const patch: Record<string, unknown> = {};
  for (const [rawKey, rawValue] of Object.entries(body)) {
    if (rawKey === 'revertAfterMs') continue;
    const def = DEFS_BY_NAME.get(rawKey) ?? DEFS_BY_NAME.get(kebab(rawKey)) ?? DEFS_BY_KEY.get(rawKey);
    if (def === undefined || !def.live) {
      throw new PatchError(`cannot change "${rawKey}" at run time; changeable: ${LIVE_FLAG_NAMES.join(', ')}`);
    }
    if (def.key === 'faults' && typeof rawValue === 'object' && rawValue !== null) {
      patch.faults = parseFaultObject(rawValue as Record<string, unknown>);
      continue;
    }
    let value: unknown = rawValue;
    if (typeof value === 'number') value = String(value);
    if ((def.key === 'outputTokens' || def.key === 'reasoningTokens') && typeof rawValue === 'object' && rawValue !== null) {
      const o = rawValue as Record<string, unknown>;
      value = `${String(o.mean)}${o.sd === undefined ? '' : `:${String(o.sd)}`}`;
    }
    const result = def.schema.safeParse(value);
    if (!result.success) throw new PatchError(`invalid value ${JSON.stringify(rawValue)} for "${rawKey}": expected ${def.allowed}`);
    patch[def.key] = result.data;
  }
  return patch as LivePatch;
}

function parseFaultObject(obj: Record<string, unknown>): Partial<FaultRates> {
  const out: Partial<FaultRates> = {};
  for (const [name, value] of Object.entries(obj)) {
    if (!(FAULT_NAMES as readonly string[]).includes(name)) {
      throw new PatchError(`unknown fault "${name}": expected one of ${FAULT_NAMES.join(', ')}`);
    }
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new PatchError(`invalid probability ${JSON.stringify(value)} for fault "${name}": expected a number between 0 and 1`);
    }
    out[name as FaultName] = value;
  }
  return out;
}

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The config as shown by the admin API and logs: never includes the API key. */
export function publicConfig(config: SimConfig): Record<string, unknown> {
  const { apiKey, tlsKey: _key, tlsCert: _cert, proxy: _proxy, ...rest } = config;
  return { ...rest, apiKey: apiKey === undefined ? null : '(set)', faultSpec: formatFaultSpec(config.faults) };
}
