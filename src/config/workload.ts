import type { ReplayPlan, WorkloadConfig, WorkloadShape } from '../engine/config.ts';
import { lengthMean, type LengthSpec } from '../engine/lengths.ts';
import { builtinPrompts, singlePrompt, type Prompt } from '../engine/prompts.ts';
import { buildSyntheticPrompts, smallestInput, MIN_UNIQUE_TOKENS, type SharedPrefixSpec } from '../engine/synthetic.ts';
import type { Api } from '../engine/types.ts';
import type { MaxTokensField } from '../engine/wire/types.ts';
import { Prng } from '../engine/prng.ts';
import { drawLength } from '../engine/lengths.ts';
import { UsageError } from '../shared/usage-error.ts';
import { loadPromptsFile } from './prompts-file.ts';
import { loadDataset, type DatasetFormatChoice } from './dataset/index.ts';

/**
 * The workload flags -> what each request sends: the prompts (built-in, --prompt, --prompts, a
 * --dataset, or synthetic ones of chosen lengths), their output caps, and the body fields around
 * them; and for --replay, when each is sent.
 */

/** Prompts a synthetic workload holds at most, and the tokens they may hold together (~4.5 bytes each). */
export const MAX_SYNTHETIC_PROMPTS = 100_000;
export const SYNTHETIC_TOKEN_BUDGET = 10_000_000;

export interface WorkloadFlags {
  api: Api;
  baseUrl?: string;
  seed: number;
  requests?: number;
  warmup: number;
  prompt?: string;
  prompts?: string;
  system?: string;
  body?: Record<string, unknown>;
  maxTokens?: number;
  inputTokens?: LengthSpec;
  outputTokens?: LengthSpec;
  maxTokensField: 'auto' | MaxTokensField;
  ignoreEos: boolean;
  sharedPrefix?: number;
  prefixGroups: number;
  prefixRatio: number;
  dataset?: string;
  datasetFormat: DatasetFormatChoice;
  replay: boolean;
  replaySpeed: number;
  /** --duration: a replay builds only the lines due within it. */
  durationMs?: number;
}

/** What the workload flags resolve to: what each request sends, and a replay's send times. */
export interface ResolvedWorkload {
  workload: WorkloadConfig;
  replay?: ReplayPlan;
}

/**
 * How many synthetic prompts to build: one per request when the run's length is known, else as
 * many as the token budget holds (the run then takes them round and round).
 */
export function syntheticCount(input: LengthSpec, requests: number | undefined): number {
  const byBudget = Math.max(1, Math.floor(SYNTHETIC_TOKEN_BUDGET / Math.max(1, lengthMean(input))));
  return Math.min(MAX_SYNTHETIC_PROMPTS, byBudget, requests ?? Number.POSITIVE_INFINITY);
}

/** Hosts whose reasoning models refuse max_tokens: OpenAI's own and Azure OpenAI's. */
export function autoMaxTokensField(baseUrl: string | undefined): MaxTokensField {
  if (baseUrl === undefined) return 'max_tokens';
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    return 'max_tokens';
  }
  return host === 'api.openai.com' || host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com') ? 'max_completion_tokens' : 'max_tokens';
}

function checkFlags(v: WorkloadFlags): void {
  if (v.ignoreEos && v.api !== 'openai')
    throw new UsageError('--ignore-eos is an extension of OpenAI-compatible servers (vLLM, SGLang); the Anthropic API has none: drop it, or use --api openai');
  if (v.ignoreEos && v.outputTokens === undefined && v.maxTokens === undefined && v.dataset === undefined)
    throw new UsageError('--ignore-eos asks for exactly the output cap: add --output-tokens N (or --max-tokens N, or a --dataset whose lines give their answer lengths)');
  if (v.maxTokensField !== 'auto' && v.api !== 'openai')
    throw new UsageError(`--max-tokens-field is for the OpenAI format (the Anthropic API always takes max_tokens): drop it`);
  if (v.inputTokens !== undefined && v.sharedPrefix !== undefined) {
    const room = smallestInput(v.inputTokens) - MIN_UNIQUE_TOKENS;
    if (v.inputTokens.kind !== 'normal' && v.sharedPrefix > room)
      throw new UsageError(
        `--shared-prefix ${v.sharedPrefix} leaves no room in --input-tokens (shortest ${smallestInput(v.inputTokens)}): each prompt needs ${MIN_UNIQUE_TOKENS} tokens of its own after the prefix; lower --shared-prefix to at most ${Math.max(0, room)} or raise --input-tokens`,
      );
  }
}

/** Output targets for a set of given prompts (--prompt, --prompts, built-in), one per prompt. */
function withOutputTargets(prompts: Prompt[], spec: LengthSpec, seed: number): Prompt[] {
  const prng = new Prng(seed).fork(12);
  return prompts.map((p) => ({ ...p, outputTokens: drawLength(spec, prng, 1) }));
}

export function resolveWorkload(v: WorkloadFlags): ResolvedWorkload {
  checkFlags(v);
  const shape: WorkloadShape = {
    source:
      v.dataset !== undefined
        ? 'dataset'
        : v.inputTokens !== undefined
          ? 'synthetic'
          : v.prompts !== undefined
            ? 'prompts-file'
            : v.prompt !== undefined
              ? 'prompt'
              : 'built-in',
  };
  let prompts: Prompt[];
  let order: WorkloadConfig['order'];
  let replay: ReplayPlan | undefined;
  if (v.dataset !== undefined) {
    const d = loadDataset(v.dataset, {
      format: v.datasetFormat,
      seed: v.seed,
      ...(v.system !== undefined ? { system: v.system } : {}),
      ...(v.requests !== undefined ? { maxLines: v.requests + v.warmup } : {}),
      ...(v.replay ? { replay: { speed: v.replaySpeed, ...(v.durationMs !== undefined ? { untilMs: v.durationMs } : {}) } } : {}),
    });
    prompts = d.prompts;
    // File order: each line once, and with --replay prompt k goes with the trace's time k.
    order = 'sequence';
    shape.dataset = { format: d.format, file: d.name, lines: d.lines, skipped: d.skipped };
    if (d.sendAtMs !== undefined) {
      if (v.warmup >= d.sendAtMs.length)
        throw new UsageError(`--warmup ${v.warmup} leaves nothing to measure: the replay sends ${d.sendAtMs.length} line${d.sendAtMs.length === 1 ? '' : 's'}; lower --warmup`);
      replay = { atMs: d.sendAtMs, speed: v.replaySpeed };
      shape.replaySpeed = v.replaySpeed;
    }
    if (v.outputTokens !== undefined) prompts = withOutputTargets(prompts, v.outputTokens, v.seed);
  } else if (v.inputTokens !== undefined) {
    const prefix: SharedPrefixSpec | undefined =
      v.sharedPrefix !== undefined ? { tokens: v.sharedPrefix, groups: v.prefixGroups, ratio: v.prefixRatio } : undefined;
    prompts = buildSyntheticPrompts({
      input: v.inputTokens,
      ...(v.outputTokens !== undefined ? { output: v.outputTokens } : {}),
      ...(prefix !== undefined ? { prefix } : {}),
      ...(v.system !== undefined ? { system: v.system } : {}),
      count: syntheticCount(v.inputTokens, v.requests !== undefined ? v.requests + v.warmup : undefined),
      seed: v.seed,
    });
    order = 'sequence';
    shape.inputTokens = v.inputTokens;
    if (prefix !== undefined) shape.prefix = prefix;
  } else {
    prompts =
      v.prompts !== undefined ? loadPromptsFile(v.prompts, v.system) : v.prompt !== undefined ? singlePrompt(v.prompt, v.system) : builtinPrompts(v.system);
    if (v.outputTokens !== undefined) prompts = withOutputTargets(prompts, v.outputTokens, v.seed);
  }
  if (v.outputTokens !== undefined) shape.outputTokens = v.outputTokens;
  const field = v.maxTokensField === 'auto' ? autoMaxTokensField(v.baseUrl) : v.maxTokensField;
  const workload: WorkloadConfig = {
    prompts,
    ...(order !== undefined ? { order } : {}),
    ...(v.maxTokens !== undefined ? { maxTokens: v.maxTokens } : {}),
    ...(v.api === 'openai' && field !== 'max_tokens' ? { maxTokensField: field } : {}),
    ...(v.ignoreEos ? { ignoreEos: true } : {}),
    ...(v.body !== undefined ? { body: v.body } : {}),
    shape,
  };
  return { workload, ...(replay !== undefined ? { replay } : {}) };
}
