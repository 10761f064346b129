import { resolveSimConfig, SIM_FLAG_SPECS, type SimConfig, type SimFlagValues } from '../sim/config.ts';
import { wireFormat } from '../engine/wire/index.ts';
import { withPromptBody, type PromptList } from '../engine/packed-prompts.ts';
import { UsageError } from '../shared/usage-error.ts';
import type { TargetSpec } from './targets.ts';

/**
 * Each target of a multi-target run as the settings of its own engine: the run's settings with
 * the target's URL (or simulator), wire format, model, key, headers, body and pool size laid over
 * them. Everything else (prompts, seed, stream ratio, timeouts) is the run's, so the targets get
 * the same requests.
 */

/** What differs from target to target. */
export interface TargetOverrides {
  name: string;
  baseUrl?: string;
  api: 'openai' | 'anthropic';
  model: string;
  apiKeyEnv: string;
  sim?: SimConfig;
  /**
   * A proxy target: the name of the simulator target it forwards to. `sim.proxy.to` is a
   * placeholder until that simulator listens (experiments/targets.ts fills in its URL).
   */
  proxyOf?: string;
  headers: Record<string, string>;
  /** Header name -> environment variable, read when the target is opened. */
  headerEnvs: Record<string, string>;
  concurrency?: number;
  prompts?: PromptList;
}

const KNOB_KEYS = new Map(SIM_FLAG_SPECS.map((s) => [s.name, s.key]));

/**
 * A simulator target's config: the run's --sim-* flags, then the target's profile and knobs. A
 * knob written `+N` or `-N` moves the profile's value (`sim:fast,ttft=+50` is fast with 50 ms more
 * to the first token).
 */
export function simConfigOf(spec: TargetSpec, runSimFlags: SimFlagValues): SimConfig {
  const sim = spec.sim;
  if (sim === undefined) throw new Error('simConfigOf: not a simulator target');
  const where = `--target ${spec.name}`;
  const rewrap = (e: unknown): never => {
    if (e instanceof UsageError) throw new UsageError(`${where}: ${e.message.replace(/ for --([a-z-]+)/, ' for $1')}`);
    throw e;
  };
  const flags: SimFlagValues = { ...runSimFlags, profile: sim.profile };
  let base: SimConfig;
  try {
    base = resolveSimConfig(flags);
  } catch (e) {
    return rewrap(e);
  }
  for (const [knob, value] of Object.entries(sim.knobs)) {
    const rel = /^([+-])\s*(\d+(?:\.\d+)?)$/.exec(value);
    if (rel === null) {
      flags[knob] = value;
      continue;
    }
    const key = KNOB_KEYS.get(knob);
    const current = key !== undefined ? base[key] : undefined;
    if (typeof current !== 'number')
      throw new UsageError(`${where}: ${knob}=${value}: a relative value (+N or -N) applies only to a number knob such as ttft, itl or jitter`);
    const next = current + (rel[1] === '-' ? -1 : 1) * Number(rel[2]);
    if (next < 0) throw new UsageError(`${where}: ${knob}=${value} takes the ${sim.profile} profile's ${current} below 0`);
    flags[knob] = String(Math.round(next * 1e6) / 1e6);
  }
  try {
    return resolveSimConfig(flags);
  } catch (e) {
    return rewrap(e);
  }
}

/** Stands for the upstream's URL in a proxy target's config until the upstream listens. */
export const PROXY_UPSTREAM_PLACEHOLDER = 'http://upstream.invalid';

/**
 * A proxy target's config: the run's --sim-* flags (its --sim-host, --sim-seed and the key its
 * clients send on), then the proxy's settings; the generation knobs are the upstream's business.
 */
export function proxyConfigOf(spec: TargetSpec, runSimFlags: SimFlagValues): SimConfig {
  const proxy = spec.proxy;
  if (proxy === undefined) throw new Error('proxyConfigOf: not a proxy target');
  let base: SimConfig;
  try {
    base = resolveSimConfig(runSimFlags);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--target ${spec.name}: ${e.message}`);
    throw e;
  }
  // The proxy speaks plain HTTP and would not trust a simulator's self-signed certificate.
  if (base.tls) throw new UsageError(`--target ${spec.name}: a proxy target does not work with --sim-tls; drop one of them`);
  return { ...base, proxy: { to: PROXY_UPSTREAM_PLACEHOLDER, addedLatency: proxy.addedLatency, addedChunkLatencyMs: proxy.addedChunkLatencyMs } };
}

export interface RunDefaults {
  api: 'openai' | 'anthropic';
  /** --model, when given. */
  model?: string;
  /** --api-key-env, when given. */
  apiKeyEnv?: string;
  simModel: string;
  defaultModel: Record<'openai' | 'anthropic', string>;
  simFlags: SimFlagValues;
  prompts: PromptList;
}

export function targetOverrides(specs: readonly TargetSpec[], run: RunDefaults): TargetOverrides[] {
  return specs.map((spec) => {
    const api = spec.api ?? run.api;
    const sim = spec.sim !== undefined ? simConfigOf(spec, run.simFlags) : spec.proxy !== undefined ? proxyConfigOf(spec, run.simFlags) : undefined;
    const model = spec.model ?? run.model ?? (sim ? run.simModel : run.defaultModel[api]);
    return {
      name: spec.name,
      ...(spec.url !== undefined ? { baseUrl: spec.url } : {}),
      api,
      model,
      apiKeyEnv: spec.keyEnv ?? run.apiKeyEnv ?? wireFormat(api).defaultKeyEnv,
      ...(sim ? { sim } : {}),
      ...(spec.proxy !== undefined ? { proxyOf: spec.proxy.upstream } : {}),
      headers: spec.headers,
      headerEnvs: spec.headerEnvs,
      ...(spec.concurrency !== undefined ? { concurrency: spec.concurrency } : {}),
      ...(spec.body !== undefined ? { prompts: withPromptBody(run.prompts, spec.body) } : {}),
    };
  });
}
