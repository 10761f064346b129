import type { Arrival } from './concurrency.ts';
import type { PromptList } from './packed-prompts.ts';
import type { LengthSpec } from './lengths.ts';
import type { SharedPrefixSpec } from './synthetic.ts';
import type { SessionScript } from './session-script.ts';
import type { HistoryMode } from './session-player.ts';
import type { MaxTokensField } from './wire/types.ts';
import type { Api } from './types.ts';

export type ConnectionStrategy = 'keepalive' | 'fresh' | 'prewarm' | 'h2';

export interface Timeouts {
  /** TCP (+TLS) connect, ms; 0 = none. */
  connectMs: number;
  /** Request written -> first content event, ms (streams only); 0 = none. */
  ttftMs: number;
  /** Longest silence between received bytes, ms; 0 = none. */
  idleMs: number;
  /** Whole request, ms; 0 = none. */
  totalMs: number;
}

export interface EarlyStopRule {
  /** Never stop before this many content events. */
  minTokens?: number;
  /** Stop once this many content events arrived. */
  maxTokens?: number;
  /** Stop once the text received so far matches. */
  stop?: RegExp;
  /** The rule text as given, for reports. */
  source: string;
}

/**
 * Where requests go and how connections are made. Secrets: `apiKey`, `secretHeaders`, and
 * credential values in `baseUrl`'s query (`?api-key=...`); `secretsOf` in secrets.ts lists them
 * for scrubbing.
 */
export interface TargetConfig {
  baseUrl: string;
  api: Api;
  model: string;
  apiKey?: string;
  /** The built-in simulator (it always reports usage: no tokenizer needed). */
  simulated: boolean;
  connection: ConnectionStrategy;
  insecure: boolean;
  /** Extra CA (PEM) to trust: only for the built-in simulator's self-signed certificate. */
  ca?: string;
  /** -H headers, sent with every request after ours (so they replace ours of the same name). */
  headers?: Readonly<Record<string, string>>;
  /** --header-env headers, their values read from the environment: secrets, like apiKey. */
  secretHeaders?: Readonly<Record<string, string>>;
}

/** How much load, in what shape, for how long. */
export interface LoadConfig {
  concurrency: number;
  /** Open loop when set. */
  rate?: number;
  arrival: Arrival;
  maxQueueDelayMs: number;
  streamRatio: number;
  /** Measured requests to run (warm-up excluded); undefined = until duration or stop. */
  requests?: number;
  durationMs?: number;
  /** After the duration, how long requests in flight may take to finish before being cancelled. */
  graceMs: number;
  warmup: number;
  rampSeconds: number;
  seed: number;
  /**
   * Trace replay (--replay): request k is due `atMs[k]` ms after the start (scaled by `speed`
   * already), with prompt k; an open-loop schedule. `requests` then counts the trace's lines.
   */
  replay?: ReplayPlan;
}

export interface ReplayPlan {
  atMs: readonly number[];
  /** --replay-speed, for display: the times above are already scaled. */
  speed: number;
}

/**
 * Multi-turn sessions (--turns, --multi-turn): a slot (closed loop) or an arrival (open loop)
 * plays a whole session, one request per turn.
 */
export interface SessionsConfig {
  /** Taken in order, round and round. */
  scripts: SessionScript[];
  history: HistoryMode;
  /** Pause between a turn's answer and the next turn, ms; none when absent. */
  thinkMs?: LengthSpec;
}

/** What each request asks for. */
export interface WorkloadConfig {
  /** Single prompts; empty when the run plays sessions. */
  prompts: PromptList;
  /** Set when each slot or arrival plays a conversation instead of sending one prompt. */
  sessions?: SessionsConfig;
  /**
   * 'sequence': requests take the prompts in order (built prompts are unique and already drawn
   * at random; a random pick would repeat some, and a repeat is a cache hit). Default: random.
   */
  order?: 'random' | 'sequence';
  maxTokens?: number;
  /** OpenAI format: the field the output cap goes in. */
  maxTokensField?: MaxTokensField;
  /** Ask for exactly the output target (OpenAI-compatible servers: ignore_eos, min_tokens). */
  ignoreEos?: boolean;
  /** What the workload asks for, as given (--input-tokens, --output-tokens, --shared-prefix): for the header and the report. */
  shape?: WorkloadShape;
  /** --body: fields merged into every request body, under a prompt's own `body`. */
  body?: Readonly<Record<string, unknown>>;
}

export interface WorkloadShape {
  /** Where the prompts come from. */
  source: 'built-in' | 'prompt' | 'prompts-file' | 'synthetic' | 'dataset';
  /** --dataset: its format, file name (no folder), usable lines, and entries skipped as empty. */
  dataset?: { format: string; file: string; lines: number; skipped: number };
  /** --replay-speed, when the dataset is replayed at its timestamps. */
  replaySpeed?: number;
  inputTokens?: LengthSpec;
  outputTokens?: LengthSpec;
  prefix?: SharedPrefixSpec;
  sessions?: SessionsShape;
}

/** Multi-turn sessions as asked for. */
export interface SessionsShape {
  /** Where the conversations come from: --turns builds them, --multi-turn plays a dataset's. */
  source: 'synthetic' | 'dataset';
  /** --turns as given. */
  turns?: LengthSpec;
  history: HistoryMode;
  /** --think-time in ms. */
  thinkMs?: LengthSpec;
  /** Conversations built or read. */
  scripts: number;
}

/** Retries, time limits and the rules that end requests or the run early. */
export interface ResilienceConfig {
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeouts: Timeouts;
  /** Stop the run after this many consecutive failures. */
  bail?: number;
  earlyStop?: EarlyStopRule;
  earlyStopEnabled: boolean;
  /** Largest SSE event accepted before the stream counts as malformed. */
  maxEventBytes?: number;
}

/** What the engine measures for its readers. */
export interface OutputsConfig {
  /** Rolling window of the interval statistics (live charts, timeline). */
  windowSeconds: number;
}

/**
 * Everything the engine needs, already validated, grouped as the command-line flags are
 * (src/flags/run-flags.ts). How many live panes to keep is not here: the dashboard decides
 * (EngineDeps.panes).
 */
export interface EngineConfig {
  target: TargetConfig;
  load: LoadConfig;
  workload: WorkloadConfig;
  resilience: ResilienceConfig;
  outputs: OutputsConfig;
}

/** Changes to some fields of some groups (a sweep level, an experiment's variant). */
export type EngineConfigPatch = { [G in keyof EngineConfig]?: Partial<EngineConfig[G]> };

/** `base` with `patch` applied group by group. */
export function patchConfig(base: EngineConfig, patch: EngineConfigPatch): EngineConfig {
  return {
    target: { ...base.target, ...patch.target },
    load: { ...base.load, ...patch.load },
    workload: { ...base.workload, ...patch.workload },
    resilience: { ...base.resilience, ...patch.resilience },
    outputs: { ...base.outputs, ...patch.outputs },
  };
}
