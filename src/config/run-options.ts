import { z } from 'zod';
import { resolveSimConfig, withKeyFromEnv, type SimConfig } from '../sim/config.ts';
import type { ConnectionStrategy, EngineConfig, Timeouts } from '../engine/config.ts';
import type { Arrival } from '../engine/concurrency.ts';
import { builtinPrompts, singlePrompt } from '../engine/prompts.ts';
import { loadPromptsFile } from './prompts-file.ts';
import type { Api } from '../engine/types.ts';
import { wireFormat } from '../engine/wire/index.ts';
import { UsageError, invalidFlag } from '../shared/usage-error.ts';
import {
  MAX_RUN_MS,
  MAX_WAIT_MS,
  parseChoice,
  parseDuration,
  parseIntFlag,
  parseNumberFlag,
  parseRatio,
  parseUrl,
} from './values.ts';
import { parseEarlyStop } from './early-stop.ts';
import { parseFailIf } from '../report/gates.ts';
import { parseSlo } from '../report/slo.ts';
import type { ReportOptions } from '../report/options.ts';
import { checkOutputPath, refuseSharedOutputPaths } from '../shared/output-path.ts';

/**
 * The main command's options: raw strings from the argument parser in, a validated run plan
 * out. Every value is checked here, so the engine never sees a bad one.
 */

/** Raw option values as commander hands them over (all strings or booleans). */
export type RawOptions = Record<string, string | boolean | undefined>;

export interface OutputOptions extends ReportOptions {
  headless: boolean;
  json?: string;
  ndjson?: string;
  markdown?: string;
}

export interface RunPlan {
  engine: Omit<EngineConfig, 'baseUrl' | 'simulated' | 'apiKey' | 'ca'> & { baseUrl?: string };
  /** Set when the built-in simulator is to be started. */
  sim?: SimConfig;
  apiKeyEnv: string;
  output: OutputOptions;
}

const API_CHOICES = ['openai', 'anthropic'] as const;
const ARRIVALS = ['constant', 'poisson'] as const;
const CONNECTIONS = ['keepalive', 'fresh', 'prewarm', 'h2'] as const;

/** --timeout when not given: the longest one request may take, from its first attempt. */
export const DEFAULT_TOTAL_TIMEOUT_MS = 600_000;

const DEFAULT_MODEL: Record<Api, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5' };
export const SIM_MODEL = 'streamtop-sim';

function str(raw: RawOptions, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === false) return undefined;
  if (v === true) return '';
  return v;
}

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);

/** Collects `--sim-*` values keyed by the simulator's own flag names. */
export function simFlagsFrom(raw: RawOptions): Record<string, string | boolean | undefined> {
  const out: Record<string, string | boolean | undefined> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!k.startsWith('sim') || k.length <= 3 || v === undefined) continue;
    // commander camel-cases `--sim-load-factor` to `simLoadFactor`.
    const name = k
      .slice(3)
      .replace(/^[A-Z]/, (c) => c.toLowerCase())
      .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    out[name] = v;
  }
  return out;
}

export function parseRunOptions(raw: RawOptions, opts: { stdoutIsTTY: boolean }): RunPlan {
  if (raw.apiKey !== undefined)
    throw new UsageError('API keys are not accepted on the command line (they end up in shell history and ps): put the key in an environment variable and name it with --api-key-env VAR');

  const url = str(raw, 'url');
  const baseUrl = url !== undefined ? parseUrl('--url', url) : undefined;
  const api: Api = str(raw, 'api') !== undefined ? parseChoice('--api', str(raw, 'api') ?? '', API_CHOICES) : 'openai';

  const simFlags = simFlagsFrom(raw);
  if (baseUrl !== undefined && Object.keys(simFlags).length > 0) {
    const first = Object.keys(simFlags)[0];
    throw new UsageError(`--sim-${first} only applies to the built-in simulator; drop it or drop --url`);
  }
  const sim = baseUrl === undefined ? resolveSimConfig(withKeyFromEnv(simFlags, process.env), { flagPrefix: 'sim-' }) : undefined;

  const apiKeyEnvRaw = str(raw, 'apiKeyEnv');
  const apiKeyEnv = apiKeyEnvRaw ?? wireFormat(api).defaultKeyEnv;
  // The value is not echoed: people paste the key itself here by mistake.
  if (!envVarName.safeParse(apiKeyEnv).success)
    throw new UsageError('invalid value for --api-key-env (not shown): expected the NAME of an environment variable (letters, digits, _) that holds the key, not the key itself');

  const model = str(raw, 'model') ?? (sim ? SIM_MODEL : DEFAULT_MODEL[api]);
  if (model.trim() === '') throw invalidFlag('--model', model, 'a model name, e.g. gpt-4o-mini');

  const concurrency = str(raw, 'concurrency') !== undefined ? parseIntFlag('--concurrency', str(raw, 'concurrency') ?? '', 1, 100_000) : undefined;
  const rate = str(raw, 'rate') !== undefined ? parseNumberFlag('--rate', str(raw, 'rate') ?? '', 0.001, 1_000_000, 'requests per second, a number > 0') : undefined;
  const arrival: Arrival = str(raw, 'arrival') !== undefined ? parseChoice('--arrival', str(raw, 'arrival') ?? '', ARRIVALS) : 'constant';
  if (str(raw, 'arrival') !== undefined && rate === undefined)
    throw new UsageError('--arrival only applies to open-loop runs: add --rate R (requests per second)');
  if (str(raw, 'maxQueueDelay') !== undefined && rate === undefined)
    throw new UsageError('--max-queue-delay only applies to open-loop runs (tickets wait for a slot there): add --rate R, or drop it');
  if (str(raw, 'ramp') !== undefined && rate !== undefined)
    throw new UsageError('--ramp applies to closed-loop runs (it grows the pool, -c N); with --rate the arrival rate sets the pace: drop one');

  const requests = str(raw, 'requests') !== undefined ? parseIntFlag('--requests', str(raw, 'requests') ?? '', 1, 1e9) : undefined;
  let durationMs = str(raw, 'duration') !== undefined ? parseDuration('--duration', str(raw, 'duration') ?? '', 's', MAX_RUN_MS) : undefined;
  if (durationMs !== undefined && durationMs <= 0) throw invalidFlag('--duration', str(raw, 'duration'), 'a duration > 0, e.g. 30s');
  const headless = raw.headless === true || !opts.stdoutIsTTY;
  // Headless runs must end by themselves; the dashboard runs until you quit.
  if (headless && requests === undefined && durationMs === undefined) durationMs = 10_000;

  const system = str(raw, 'system');
  const promptText = str(raw, 'prompt');
  const promptsFile = str(raw, 'prompts');
  if (promptText !== undefined && promptsFile !== undefined)
    throw new UsageError('--prompt and --prompts are alternatives: give one');
  if (promptText !== undefined && promptText.trim() === '') throw invalidFlag('--prompt', promptText, 'non-empty text');
  const prompts =
    promptsFile !== undefined
      ? loadPromptsFile(promptsFile, system)
      : promptText !== undefined
        ? singlePrompt(promptText, system)
        : builtinPrompts(system);

  const ms = (key: string, flag: string, dflt: number): number =>
    str(raw, key) !== undefined ? parseDuration(flag, str(raw, key) ?? '', 'ms', MAX_WAIT_MS) : dflt;
  const timeouts: Timeouts = {
    connectMs: ms('connectTimeout', '--connect-timeout', 10_000),
    ttftMs: ms('ttftTimeout', '--ttft-timeout', 0),
    idleMs: ms('idleTimeout', '--idle-timeout', 60_000),
    // Without a total limit a server that trickles a byte a second (the idle timeout never fires)
    // keeps a -n run alive for ever; 10 minutes leaves room for the longest LLM answers.
    totalMs: ms('timeout', '--timeout', DEFAULT_TOTAL_TIMEOUT_MS),
  };

  const connection: ConnectionStrategy =
    str(raw, 'connection') !== undefined ? parseChoice('--connection', str(raw, 'connection') ?? '', CONNECTIONS) : 'keepalive';

  const earlyStopRaw = str(raw, 'earlyStop');
  const earlyStop = earlyStopRaw !== undefined ? parseEarlyStop('--early-stop', earlyStopRaw) : undefined;

  const windowSeconds = str(raw, 'window') !== undefined ? parseDuration('--window', str(raw, 'window') ?? '', 's', 600_000) / 1000 : 10;
  if (windowSeconds < 1 || windowSeconds > 600) throw invalidFlag('--window', str(raw, 'window'), 'a window from 1s to 10m');

  const price = (key: string, flag: string): number | undefined =>
    str(raw, key) !== undefined ? parseNumberFlag(flag, str(raw, key) ?? '', 0, 1e6, 'dollars per million tokens, a number >= 0') : undefined;
  const projectRaw = str(raw, 'project');
  let projectPerMonth: number | undefined;
  if (projectRaw !== undefined) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(k|m)?\s*(\/\s*month)?\s*$/i.exec(projectRaw);
    if (!m || m[1] === undefined) throw invalidFlag('--project', projectRaw, 'requests a month, e.g. 1000000/month or 2.5m/month');
    const mult = m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1;
    projectPerMonth = Number(m[1]) * mult;
  }

  const output: OutputOptions = { headless };
  const outputFlags = [
    ['json', '--json'],
    ['ndjson', '--ndjson'],
    ['markdown', '--markdown'],
  ] as const;
  refuseSharedOutputPaths(outputFlags.map(([key, flag]) => [flag, str(raw, key)] as const));
  for (const [key, flag] of outputFlags) {
    const v = str(raw, key);
    if (v !== undefined) {
      checkOutputPath(flag, v, { inPlace: key === 'ndjson' });
      output[key] = v;
    }
  }
  // Validated now, not after a long run.
  const failIf = str(raw, 'failIf');
  if (failIf !== undefined) {
    const gates = parseFailIf('--fail-if', failIf);
    if (str(raw, 'slo') === undefined && gates.some((g) => g.kind === 'scalar' && g.metric === 'goodput'))
      throw new UsageError('--fail-if goodput needs objectives to count against: add --slo, e.g. --slo "ttft<500ms,e2e<10s"');
    output.failIf = failIf;
  }
  const slo = str(raw, 'slo');
  if (slo !== undefined) {
    parseSlo('--slo', slo);
    output.slo = slo;
  }
  const priceIn = price('priceIn', '--price-in');
  const priceOut = price('priceOut', '--price-out');
  if (priceIn !== undefined) output.priceIn = priceIn;
  if (priceOut !== undefined) output.priceOut = priceOut;
  if (projectPerMonth !== undefined) output.projectPerMonth = projectPerMonth;

  const retryMaxMs = ms('retryMax', '--retry-max', 20_000);
  // The default first backoff shrinks to fit a short --retry-max; only two given values can clash.
  const retryBaseMs = str(raw, 'retryBase') !== undefined ? ms('retryBase', '--retry-base', 500) : Math.min(500, retryMaxMs);
  if (retryBaseMs > retryMaxMs)
    throw new UsageError(`--retry-base (${retryBaseMs} ms) is longer than --retry-max (${retryMaxMs} ms): the first backoff cannot exceed the longest; lower --retry-base or raise --retry-max`);

  const engine: RunPlan['engine'] = {
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    api,
    model,
    concurrency: concurrency ?? (rate !== undefined ? 1000 : 8),
    ...(rate !== undefined ? { rate } : {}),
    arrival,
    maxQueueDelayMs: ms('maxQueueDelay', '--max-queue-delay', 30_000),
    streamRatio: str(raw, 'streamRatio') !== undefined ? parseRatio('--stream-ratio', str(raw, 'streamRatio') ?? '') : 0.5,
    ...(requests !== undefined ? { requests } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    graceMs: ms('grace', '--grace', 30_000),
    warmup: str(raw, 'warmup') !== undefined ? parseIntFlag('--warmup', str(raw, 'warmup') ?? '', 0, 1e9) : 0,
    rampSeconds: str(raw, 'ramp') !== undefined ? parseDuration('--ramp', str(raw, 'ramp') ?? '', 's', MAX_RUN_MS) / 1000 : 0,
    seed: str(raw, 'seed') !== undefined ? parseIntFlag('--seed', str(raw, 'seed') ?? '', 0, 4_294_967_295) : 1,
    ...(str(raw, 'maxTokens') !== undefined ? { maxTokens: parseIntFlag('--max-tokens', str(raw, 'maxTokens') ?? '', 1, 10_000_000) } : {}),
    prompts,
    retries: str(raw, 'retries') !== undefined ? parseIntFlag('--retries', str(raw, 'retries') ?? '', 0, 100) : 0,
    retryBaseMs,
    retryMaxMs,
    timeouts,
    windowSeconds,
    connection,
    insecure: raw.insecure === true,
    ...(str(raw, 'bail') !== undefined ? { bail: parseIntFlag('--bail', str(raw, 'bail') ?? '', 1, 1e9) } : {}),
    ...(earlyStop ? { earlyStop } : {}),
    earlyStopEnabled: earlyStop !== undefined,
    maxPanes: headless ? 0 : 24,
  };
  return { engine, ...(sim ? { sim } : {}), apiKeyEnv, output };
}
