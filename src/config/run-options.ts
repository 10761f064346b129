import { resolveSimConfig, withKeyFromEnv, type SimConfig } from '../sim/config.ts';
import type { EngineConfig, TargetConfig } from '../engine/config.ts';
import { resolveWorkload } from './workload.ts';
import type { Api } from '../engine/types.ts';
import { wireFormat } from '../engine/wire/index.ts';
import type { ReportOptions } from '../report/options.ts';
import { refuseSharedOutputPaths } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';
import { MAIN_COMMAND } from './commands.ts';
import { parseFlags, type ParsedFlags, type RawOptions } from '../flags/parse.ts';
import {
  CLOSED_LOOP_CONCURRENCY,
  HEADLESS_DURATION_MS,
  OPEN_LOOP_CONCURRENCY,
  RETRY_BASE_MS,
  type RunFlags,
} from './run-flags.ts';
import type { FlagValues } from '../flags/types.ts';
import { checkDistinctNames, checkProxyUpstreams } from './targets.ts';
import { checkGateTargets } from '../report/gates.ts';
import { targetOverrides, type TargetOverrides } from './target-plans.ts';
import type { ListenAddress } from '../flags/values.ts';
import { refuseDuplicateHeaders, type HeaderEnv } from './endpoint.ts';

/**
 * The main command's options: raw strings from the argument parser in, a validated run plan
 * out. Each value is checked by its flag's table entry (src/flags/run-flags.ts); what is left
 * here are the defaults that depend on other flags and the checks across flags.
 */

export type { RawOptions } from '../flags/parse.ts';

export interface OutputOptions extends ReportOptions {
  headless: boolean;
  json?: string;
  ndjson?: string;
  markdown?: string;
  html?: string;
  /** --prometheus: where to serve /metrics while the run lasts. */
  prometheus?: ListenAddress;
}

/** The engine's config before the target is opened (no key read yet, the simulator not started). */
export type PlannedEngineConfig = Omit<EngineConfig, 'target'> & {
  target: Omit<TargetConfig, 'baseUrl' | 'simulated' | 'apiKey' | 'ca' | 'secretHeaders'> & { baseUrl?: string };
};

export interface RunPlan {
  engine: PlannedEngineConfig;
  /** Set when the built-in simulator is to be started. */
  sim?: SimConfig;
  apiKeyEnv: string;
  /** --header-env: secret headers, their values read from the environment when the target opens. */
  headerEnv: HeaderEnv[];
  output: OutputOptions;
  /**
   * Several endpoints compared in one run (--target, --targets), the first the reference: each
   * a plan of its own for its own engine. `engine`, `sim` and `apiKeyEnv` above are then the
   * reference's.
   */
  targets?: TargetRunPlan[];
}

/** One target of a multi-target run. */
export interface TargetRunPlan {
  name: string;
  plan: RunPlan;
  /** Header name -> environment variable holding its value (read when the target is opened). */
  headerEnvs: Record<string, string>;
  /** A proxy target (`proxy:NAME`): the simulator target it forwards to, opened before it. */
  proxyOf?: string;
}

/** The run's plan for one target: the target's endpoint, model, key, headers and pool laid over it. */
function planForTarget(base: RunPlan, t: TargetOverrides): RunPlan {
  return {
    engine: {
      ...base.engine,
      target: {
        ...base.engine.target,
        ...(t.baseUrl !== undefined ? { baseUrl: t.baseUrl } : {}),
        api: t.api,
        model: t.model,
        ...(Object.keys(t.headers).length > 0 ? { headers: t.headers } : {}),
      },
      load: { ...base.engine.load, ...(t.concurrency !== undefined ? { concurrency: t.concurrency } : {}) },
      workload: { ...base.engine.workload, ...(t.prompts !== undefined ? { prompts: t.prompts } : {}) },
    },
    ...(t.sim ? { sim: t.sim } : {}),
    apiKeyEnv: t.apiKeyEnv,
    headerEnv: base.headerEnv,
    output: base.output,
  };
}

const DEFAULT_MODEL: Record<Api, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5' };
export const SIM_MODEL = 'streamtop-sim';

export interface ResolveOptions {
  /** No dashboard (given --headless, or no terminal to draw on). */
  headless: boolean;
  /**
   * The command sets the length of the run itself (the experiments' levels and rounds): no
   * default --duration is added for a headless run.
   */
  lengthFromCommand?: boolean;
}

/** The run flags' values, plus the simulator's (keyed as typed, `sim-ttft`), into a run plan. */
export function resolveRunPlan(parsed: Pick<ParsedFlags<RunFlags>, 'sim'> & { values: FlagValues<RunFlags> }, opts: ResolveOptions): RunPlan {
  const v = parsed.values;
  const simFlags: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(parsed.sim)) simFlags[name.replace(/^sim-/, '')] = value;
  const sim = v.url === undefined ? resolveSimConfig(withKeyFromEnv(simFlags, process.env), { flagPrefix: 'sim-' }) : undefined;

  const apiKeyEnv = v.apiKeyEnv ?? wireFormat(v.api).defaultKeyEnv;
  const model = v.model ?? (sim ? SIM_MODEL : DEFAULT_MODEL[v.api]);

  const headless = opts.headless;
  let durationMs = v.duration;
  // Headless runs must end by themselves; the dashboard runs until you quit.
  // A replay ends with its trace.
  if (headless && opts.lengthFromCommand !== true && v.requests === undefined && durationMs === undefined && !v.replay) durationMs = HEADLESS_DURATION_MS;

  const { workload, replay } = resolveWorkload({
    api: v.api,
    ...(v.url !== undefined ? { baseUrl: v.url } : {}),
    seed: v.seed,
    ...(v.requests !== undefined ? { requests: v.requests } : {}),
    warmup: v.warmup,
    ...(v.prompt !== undefined ? { prompt: v.prompt } : {}),
    ...(v.prompts !== undefined ? { prompts: v.prompts } : {}),
    ...(v.system !== undefined ? { system: v.system } : {}),
    ...(v.body !== undefined ? { body: v.body } : {}),
    ...(v.maxTokens !== undefined ? { maxTokens: v.maxTokens } : {}),
    ...(v.inputTokens !== undefined ? { inputTokens: v.inputTokens } : {}),
    ...(v.outputTokens !== undefined ? { outputTokens: v.outputTokens } : {}),
    maxTokensField: v.maxTokensField,
    ignoreEos: v.ignoreEos,
    ...(v.sharedPrefix !== undefined ? { sharedPrefix: v.sharedPrefix } : {}),
    prefixGroups: v.prefixGroups,
    prefixRatio: v.prefixRatio,
    ...(v.turns !== undefined ? { turns: v.turns } : {}),
    multiTurn: v.multiTurn,
    ...(v.history !== undefined ? { history: v.history } : {}),
    ...(v.thinkTime !== undefined ? { thinkMs: v.thinkTime } : {}),
    ...(v.dataset !== undefined ? { dataset: v.dataset } : {}),
    datasetFormat: v.datasetFormat,
    replay: v.replay,
    replaySpeed: v.replaySpeed,
    ...(v.duration !== undefined ? { durationMs: v.duration } : {}),
  });

  refuseDuplicateHeaders(v.header, v.headerEnv);
  const headers = Object.fromEntries(v.header.map((h) => [h.name, h.value]));

  const output: OutputOptions = { headless };
  refuseSharedOutputPaths([
    ['--json', v.json],
    ['--ndjson', v.ndjson],
    ['--markdown', v.markdown],
    ['--html', v.html],
  ]);
  if (v.json !== undefined) output.json = v.json;
  if (v.ndjson !== undefined) output.ndjson = v.ndjson;
  if (v.markdown !== undefined) output.markdown = v.markdown;
  if (v.html !== undefined) output.html = v.html;
  if (v.prometheus !== undefined) output.prometheus = v.prometheus;
  if (v.failIf !== undefined) {
    if (v.slo === undefined && v.failIf.gates.some((g) => g.kind === 'scalar' && g.metric === 'goodput'))
      throw new UsageError('--fail-if goodput needs objectives to count against: add --slo, e.g. --slo "ttft<500ms,e2e<10s"');
    output.failIf = v.failIf.text;
  }
  if (v.slo !== undefined) output.slo = v.slo;
  if (v.priceIn !== undefined) output.priceIn = v.priceIn;
  if (v.priceOut !== undefined) output.priceOut = v.priceOut;
  if (v.project !== undefined) output.projectPerMonth = v.project;

  // The default first backoff shrinks to fit a short --retry-max; only two given values can clash.
  const retryMaxMs = v.retryMax;
  const retryBaseMs = v.retryBase ?? Math.min(RETRY_BASE_MS, retryMaxMs);
  if (retryBaseMs > retryMaxMs)
    throw new UsageError(`--retry-base (${retryBaseMs} ms) is longer than --retry-max (${retryMaxMs} ms): the first backoff cannot exceed the longest; lower --retry-base or raise --retry-max`);

  const engine: RunPlan['engine'] = {
    target: {
      ...(v.url !== undefined ? { baseUrl: v.url } : {}),
      api: v.api,
      model,
      connection: v.connection,
      insecure: v.insecure,
      ...(v.header.length > 0 ? { headers } : {}),
    },
    load: {
      concurrency: v.concurrency ?? (v.rate !== undefined || replay !== undefined ? OPEN_LOOP_CONCURRENCY : CLOSED_LOOP_CONCURRENCY),
      ...(v.rate !== undefined ? { rate: v.rate } : {}),
      ...(replay !== undefined ? { replay } : {}),
      arrival: v.arrival,
      maxQueueDelayMs: v.maxQueueDelay,
      streamRatio: v.streamRatio,
      // A replay sends its lines (after the warm-up ones) and ends: they are its requests.
      ...(replay !== undefined ? { requests: replay.atMs.length - v.warmup } : v.requests !== undefined ? { requests: v.requests } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      graceMs: v.grace,
      warmup: v.warmup,
      rampSeconds: v.ramp / 1000,
      seed: v.seed,
    },
    workload,
    resilience: {
      retries: v.retries,
      retryBaseMs,
      retryMaxMs,
      timeouts: { connectMs: v.connectTimeout, ttftMs: v.ttftTimeout, idleMs: v.idleTimeout, totalMs: v.timeout },
      ...(v.bail !== undefined ? { bail: v.bail } : {}),
      ...(v.earlyStop ? { earlyStop: v.earlyStop } : {}),
      earlyStopEnabled: v.earlyStop !== undefined,
    },
    outputs: { windowSeconds: v.window / 1000 },
  };
  const plan: RunPlan = { engine, ...(sim ? { sim } : {}), apiKeyEnv, headerEnv: v.headerEnv, output };
  const specs = v.target ?? v.targets;
  // A gate naming a target (p95(ttft@gw)) must name one of them, checked before anything starts.
  if (v.failIf !== undefined) checkGateTargets('--fail-if', v.failIf.text, v.failIf.gates, specs?.map((s) => s.name));
  if (specs === undefined) return plan;

  const from = v.target !== undefined ? '--target' : '--targets';
  if (specs.length < 2) throw new UsageError(`${from}: give at least two targets to compare (the first is the reference); for one endpoint use --url`);
  checkDistinctNames(specs);
  checkProxyUpstreams(specs);
  const overrides = targetOverrides(specs, {
    api: v.api,
    ...(v.model !== undefined ? { model: v.model } : {}),
    ...(v.apiKeyEnv !== undefined ? { apiKeyEnv: v.apiKeyEnv } : {}),
    simModel: SIM_MODEL,
    defaultModel: DEFAULT_MODEL,
    simFlags: withKeyFromEnv(simFlags, process.env),
    prompts: plan.engine.workload.prompts,
  });
  const targets = overrides.map((t) => ({ name: t.name, plan: planForTarget(plan, t), headerEnvs: t.headerEnvs, ...(t.proxyOf !== undefined ? { proxyOf: t.proxyOf } : {}) }));
  const ref = targets[0] as TargetRunPlan;
  return { ...ref.plan, targets };
}

/** The main command: raw options in, a run plan out (dashboard unless headless). */
export function parseRunOptions(raw: RawOptions, opts: { stdoutIsTTY: boolean }): RunPlan {
  const parsed = parseFlags(MAIN_COMMAND, raw);
  return resolveRunPlan(parsed, { headless: parsed.values.headless || !opts.stdoutIsTTY });
}
