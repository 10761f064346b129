import type { ReplayPlan, SessionsConfig, WorkloadConfig, WorkloadShape } from '../engine/config.ts';
import { lengthMean, lengthMin, type LengthSpec } from '../engine/lengths.ts';
import type { HistoryMode } from '../engine/session-player.ts';
import type { SessionScript } from '../engine/session-script.ts';
import { buildSyntheticSessions } from '../engine/session-synthetic.ts';
import { builtinPrompts, singlePrompt, type Prompt } from '../engine/prompts.ts';
import type { PromptList } from '../engine/packed-prompts.ts';
import { buildSyntheticPacked, smallestInput, MIN_UNIQUE_TOKENS, type SharedPrefixSpec } from '../engine/synthetic.ts';
import type { Api } from '../engine/types.ts';
import type { MaxTokensField } from '../engine/wire/types.ts';
import { Prng } from '../engine/prng.ts';
import { drawLength } from '../engine/lengths.ts';
import { UsageError } from '../shared/usage-error.ts';
import { loadPromptsFile } from './prompts-file.ts';
import { loadDataset, loadDatasetSessions, type DatasetFormatChoice } from './dataset/index.ts';
import { basename } from 'node:path';

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
  /** --turns: synthetic multi-turn sessions. */
  turns?: LengthSpec;
  /** --multi-turn: play the dataset's conversations as sessions. */
  multiTurn: boolean;
  /** --history as typed (undefined: not given, live). */
  history?: HistoryMode;
  /** --think-time, ms. */
  thinkMs?: LengthSpec;
}

/** What the workload flags resolve to: what each request sends, and a replay's send times. */
export interface ResolvedWorkload {
  workload: WorkloadConfig;
  replay?: ReplayPlan;
}

/** Tokens of a short synthetic question (the corpus questions, with a session's lead word). */
const QUESTION_TOKENS = 16;

/**
 * How many synthetic sessions to build: enough for the run's requests when -n is known (each
 * session takes at least its shortest draw of turns), and no more turns or tokens than single
 * synthetic prompts may hold; the run takes them round and round.
 */
export function syntheticSessionCount(turns: LengthSpec, input: LengthSpec | undefined, requests: number | undefined): number {
  const perSession = Math.max(1, lengthMean(turns));
  const tokensPerTurn = input !== undefined ? Math.max(1, lengthMean(input)) : QUESTION_TOKENS;
  const byTurns = Math.floor(MAX_SYNTHETIC_PROMPTS / perSession);
  const byBudget = Math.floor(SYNTHETIC_TOKEN_BUDGET / (perSession * tokensPerTurn));
  const byRequests = requests !== undefined ? Math.ceil(requests / lengthMin(turns, 1)) : Number.POSITIVE_INFINITY;
  return Math.max(1, Math.min(byTurns, byBudget, byRequests));
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

function checkSessionFlags(v: WorkloadFlags): void {
  const sessions = v.turns !== undefined || v.multiTurn;
  if (v.history !== undefined && !sessions)
    throw new UsageError('--history chooses what multi-turn sessions resend as the assistant turns: add --turns N (synthetic) or --multi-turn (a --dataset\'s conversations), or drop --history');
  if (v.history === 'dataset' && v.turns !== undefined)
    throw new UsageError("--history dataset resends a dataset's own replies, and synthetic turns (--turns) have none: drop --history (live, the answers the server returned, is the default), or play a dataset with --dataset FILE --multi-turn");
  if (v.thinkMs !== undefined && !sessions)
    throw new UsageError('--think-time is the pause between the turns of a session: add --turns N or --multi-turn, or drop --think-time');
}

function checkFlags(v: WorkloadFlags): void {
  checkSessionFlags(v);
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
function withOutputTargets(prompts: readonly Prompt[], spec: LengthSpec, seed: number): Prompt[] {
  const prng = new Prng(seed).fork(12);
  return prompts.map((p) => ({ ...p, outputTokens: drawLength(spec, prng, 1) }));
}

export function resolveWorkload(v: WorkloadFlags): ResolvedWorkload {
  checkFlags(v);
  const shape: WorkloadShape = {
    source:
      v.dataset !== undefined
        ? 'dataset'
        : v.inputTokens !== undefined || v.turns !== undefined
          ? 'synthetic'
          : v.prompts !== undefined
            ? 'prompts-file'
            : v.prompt !== undefined
              ? 'prompt'
              : 'built-in',
  };
  let prompts: PromptList;
  let order: WorkloadConfig['order'];
  let replay: ReplayPlan | undefined;
  let sessions: SessionsConfig | undefined;
  if (v.turns !== undefined || v.multiTurn) {
    const scripts = v.turns !== undefined ? syntheticSessions(v, v.turns) : datasetSessions(v, shape);
    prompts = [];
    sessions = { scripts, history: v.history ?? 'live', ...(v.thinkMs !== undefined ? { thinkMs: v.thinkMs } : {}) };
    if (v.inputTokens !== undefined) shape.inputTokens = v.inputTokens;
    if (v.sharedPrefix !== undefined) shape.prefix = { tokens: v.sharedPrefix, groups: v.prefixGroups, ratio: v.prefixRatio };
    shape.sessions = {
      source: v.turns !== undefined ? 'synthetic' : 'dataset',
      ...(v.turns !== undefined ? { turns: v.turns } : {}),
      history: sessions.history,
      ...(v.thinkMs !== undefined ? { thinkMs: v.thinkMs } : {}),
      scripts: scripts.length,
    };
  } else if (v.dataset !== undefined) {
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
    if (v.outputTokens !== undefined) prompts = withOutputTargets(d.prompts, v.outputTokens, v.seed);
  } else if (v.inputTokens !== undefined) {
    const prefix: SharedPrefixSpec | undefined =
      v.sharedPrefix !== undefined ? { tokens: v.sharedPrefix, groups: v.prefixGroups, ratio: v.prefixRatio } : undefined;
    prompts = buildSyntheticPacked({
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
    const given =
      v.prompts !== undefined ? loadPromptsFile(v.prompts, v.system) : v.prompt !== undefined ? singlePrompt(v.prompt, v.system) : builtinPrompts(v.system);
    prompts = v.outputTokens !== undefined ? withOutputTargets(given, v.outputTokens, v.seed) : given;
  }
  if (v.outputTokens !== undefined) shape.outputTokens = v.outputTokens;
  const field = v.maxTokensField === 'auto' ? autoMaxTokensField(v.baseUrl) : v.maxTokensField;
  const workload: WorkloadConfig = {
    prompts,
    ...(sessions !== undefined ? { sessions } : {}),
    ...(order !== undefined ? { order } : {}),
    ...(v.maxTokens !== undefined ? { maxTokens: v.maxTokens } : {}),
    ...(v.api === 'openai' && field !== 'max_tokens' ? { maxTokensField: field } : {}),
    ...(v.ignoreEos ? { ignoreEos: true } : {}),
    ...(v.body !== undefined ? { body: v.body } : {}),
    shape,
  };
  return { workload, ...(replay !== undefined ? { replay } : {}) };
}

/** --turns: conversations built from the corpus or of --input-tokens prompts. */
function syntheticSessions(v: WorkloadFlags, turns: LengthSpec): SessionScript[] {
  return buildSyntheticSessions({
    turns,
    count: syntheticSessionCount(turns, v.inputTokens, v.requests !== undefined ? v.requests + v.warmup : undefined),
    seed: v.seed,
    ...(v.inputTokens !== undefined ? { input: v.inputTokens } : {}),
    ...(v.outputTokens !== undefined ? { output: v.outputTokens } : {}),
    ...(v.sharedPrefix !== undefined ? { prefix: { tokens: v.sharedPrefix, groups: v.prefixGroups, ratio: v.prefixRatio } } : {}),
    ...(v.system !== undefined ? { system: v.system } : {}),
  });
}

/**
 * --multi-turn: the dataset's conversations, each turn with the dataset's answer length unless
 * --output-tokens draws one. --history dataset needs replies to resend.
 */
function datasetSessions(v: WorkloadFlags, shape: WorkloadShape): SessionScript[] {
  const file = v.dataset as string;
  const { format, sessions } = loadDatasetSessions(file, { format: v.datasetFormat, ...(v.system !== undefined ? { system: v.system } : {}) });
  if (v.history === 'dataset' && !sessions.some((s) => s.turns.some((t) => t.datasetReply !== undefined)))
    throw new UsageError(`--history dataset: no conversation of --dataset ${file} has an assistant reply to resend: drop --history (live, the answers the server returned, is the default)`);
  // A ShareGPT file holds conversations; a JSONL file holds one line per turn.
  const lines = format === 'sharegpt' ? sessions.length : sessions.reduce((n, s) => n + s.turns.length, 0);
  shape.dataset = { format, file: basename(file), lines, skipped: 0 };
  if (v.outputTokens === undefined) return sessions;
  const prng = new Prng(v.seed).fork(12);
  return sessions.map((s) => ({ ...s, turns: s.turns.map((t) => ({ ...t, outputTokens: drawLength(v.outputTokens as LengthSpec, prng, 1) })) }));
}
