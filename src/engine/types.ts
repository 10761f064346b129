// Shared, UI-free types: the contract between the engine, the dashboard and the reports.
// Everything a snapshot holds is plain data (no class instances, no functions), so the UI can
// render it and the report writers can serialise it without reaching into the engine.

export type Api = 'openai' | 'anthropic';
export type Mode = 'stream' | 'nonstream';
export const MODES: readonly Mode[] = ['stream', 'nonstream'];

/** Latency metrics tracked per mode. */
/** The metrics every report has had. */
export const BASE_METRICS = ['ttft', 'ttfb', 'itl', 'tpot', 'e2e', 'queue'] as const;
/**
 * Metrics of reasoning and tool calls, which reports written before them lack: their summaries
 * default to empty and their histograms may be missing.
 */
export const LATER_METRICS = [
  /** Time to first reasoning token. */
  'ttfr',
  /** Time to first output token: answer text or tool call, after any reasoning. */
  'ttfo',
  /** Reasoning duration: last reasoning token - first reasoning token. */
  'reasoning',
  /** Time to first tool-call token. */
  'ttftc',
  /** ITL within the reasoning phase (gaps between reasoning events). */
  'ritl',
  /** ITL within the output phase (gaps between answer / tool-call events). */
  'oitl',
] as const;
export type BaseMetric = (typeof BASE_METRICS)[number];
export type LaterMetric = (typeof LATER_METRICS)[number];
export type MetricName = BaseMetric | LaterMetric;
export const METRIC_NAMES: readonly MetricName[] = [...BASE_METRICS, ...LATER_METRICS];

/** Summary of one latency distribution, in milliseconds. `count` 0 means no samples (other fields 0). */
export interface MetricSummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Stable error codes; every failed request is counted under exactly one. */
export type ErrorCode =
  | 'http_3xx'
  | 'http_400'
  | 'http_401'
  | 'http_403'
  | 'http_404'
  | 'http_408'
  | 'http_413'
  | 'http_429'
  | 'http_4xx'
  | 'http_500'
  | 'http_502'
  | 'http_503'
  | 'http_504'
  | 'http_5xx'
  | 'connect_refused'
  | 'connect_reset'
  | 'connect_timeout'
  | 'dns_failed'
  | 'tls_failed'
  | 'timeout_ttft'
  | 'timeout_idle'
  | 'timeout_total'
  | 'stream_disconnected'
  | 'stream_error_event'
  | 'stream_no_content'
  | 'sse_malformed'
  | 'sse_event_too_large'
  | 'bad_content_type'
  | 'bad_content_encoding'
  | 'headers_too_large'
  | 'body_invalid'
  | 'queue_dropped'
  /** A response's tool-call arguments did not parse as JSON; the request still counts as ok. */
  | 'tool_args_invalid'
  | 'cancelled'
  | 'unknown';

/** How a request ended. */
export type Outcome = 'ok' | 'failed' | 'early_stopped' | 'cancelled' | 'dropped';

export type TokenSource = 'usage' | 'tokenizer';

/** Everything measured about one finished request. Times are ms relative to the run start. */
export interface RequestRecord {
  id: number;
  requestId: string;
  mode: Mode;
  outcome: Outcome;
  errorCode?: ErrorCode;
  errorMessage?: string;
  httpStatus?: number;
  attempts: number;
  /** Segment (load setting) the request started in. */
  segment: number;
  warmup: boolean;
  /** Intended start (open loop) or slot grant (closed loop), ms since run start. */
  intendedStartMs: number;
  /** t0: when the request was written, ms since run start. */
  startMs: number;
  queueMs: number;
  /** --replay: t0 - the line's trace time (how late it was sent); absent in other runs and for requests never sent. */
  lateMs?: number;
  ttfbMs?: number;
  /** First token of any kind (reasoning, answer or tool call). */
  ttftMs?: number;
  /** First reasoning token; undefined when the response had no reasoning. */
  ttfrMs?: number;
  /** First output token (answer text, refusal or tool call); undefined when there was none. */
  ttfoMs?: number;
  /** Last reasoning token - first reasoning token. */
  reasoningMs?: number;
  /** First tool-call token. */
  ttftcMs?: number;
  e2eMs?: number;
  tpotMs?: number;
  /** Number of content events (chunks) received. */
  contentEvents: number;
  /** Gaps between consecutive content events of any kind, ms. */
  itlMs: number[];
  /**
   * Gaps within the reasoning phase and within the output phase; present only when the response
   * reasoned (otherwise every gap is an output gap: `itlMs`).
   */
  reasoningItlMs?: number[];
  outputItlMs?: number[];
  /** Output tokens, reasoning excluded. */
  outputTokens: number;
  tokenSource: TokenSource;
  /** Reasoning tokens (server usage, else counted over the reasoning text); absent without reasoning. */
  reasoningTokens?: number;
  reasoningTokenSource?: TokenSource;
  /** Tool calls in the response; absent when none. */
  toolCalls?: number;
  /** Prompt tokens as the server counted them (usage), chat template included. */
  inputTokens?: number;
  /** Of those, served from the server's prefix cache (usage), when it says. */
  cachedTokens?: number;
  bytesReceived: number;
  connectMs?: number;
  tlsMs?: number;
  finishReason?: string;
  /** Multi-turn sessions: the session's number in the run (from 1) and this request's turn in it (from 1). */
  session?: number;
  turn?: number;
}

export type PaneState = 'queued' | 'connecting' | 'waiting' | 'thinking' | 'streaming' | 'done' | 'failed';

/** One visible in-flight (or just finished) request. `text` is a bounded tail. */
export interface PaneSnapshot {
  id: number;
  mode: Mode;
  state: PaneState;
  elapsedMs: number;
  tokens: number;
  tokensPerSec: number;
  /** Answer tail (tool calls shown as `⚙ name(args`). */
  text: string;
  /** Reasoning tail, shown dimmed before the answer; absent when the request has not reasoned. */
  reasoning?: string;
  errorCode?: ErrorCode;
  /** A turn of a multi-turn session: `session 12 · turn 3/5`. */
  session?: SessionTurnTag;
}

/** Which session a request belongs to, which of its turns it is, and how many turns it has. */
export interface SessionTurnTag {
  session: number;
  turn: number;
  turns: number;
}

export interface ModeStats {
  requests: number;
  succeeded: number;
  failed: number;
  earlyStopped: number;
  outputTokens: number;
  outputTokensPerSec: number;
  /** Prompt tokens the server reported, and of those served from its prefix cache. */
  inputTokens: number;
  cachedTokens: number;
  ttft: MetricSummary;
  ttfb: MetricSummary;
  itl: MetricSummary;
  tpot: MetricSummary;
  e2e: MetricSummary;
  queue: MetricSummary;
  ttfr: MetricSummary;
  ttfo: MetricSummary;
  reasoning: MetricSummary;
  /** Requests whose response reasoned: the dashboard shows TTFO once there is one. */
  reasoningRequests: number;
  reasoningTokens: number;
  toolCalls: number;
}

/** One point of a live chart: rolling-window statistics of one metric at one moment. */
export interface SeriesPoint {
  tMs: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  count: number;
}

export type ChartKey = 'ttft.stream' | 'ttfo.stream' | 'ttft.nonstream' | 'e2e.stream' | 'e2e.nonstream' | 'itl.stream';
/**
 * The chart cycle (`tab`); wide terminals show a key and the next side by side, so TTFT stream
 * pairs with TTFT non-stream. TTFO comes last and pairs with TTFT stream as the cycle wraps: for a
 * reasoning model the two differ by the thinking.
 */
export const CHART_KEYS: readonly ChartKey[] = [
  'ttft.stream',
  'ttft.nonstream',
  'e2e.stream',
  'e2e.nonstream',
  'itl.stream',
  'ttfo.stream',
];

export type LoadMode = 'closed' | 'open';
export type RunState = 'starting' | 'running' | 'paused' | 'stopping' | 'done';

export interface ErrorGroup {
  code: ErrorCode;
  count: number;
  lastMessage: string;
}

/** Read-only view of the engine, published on a timer. */
export interface EngineSnapshot {
  state: RunState;
  elapsedMs: number;
  loadMode: LoadMode;
  concurrency: number;
  /** Requests per second (open loop); undefined in closed loop. */
  rate?: number;
  streamRatio: number;
  inFlight: number;
  /** Open-loop tickets waiting for a slot. */
  queued: number;
  started: number;
  completed: number;
  requestsPerSec: number;
  outputTokensPerSec: number;
  errorsTotal: number;
  earlyStopEnabled: boolean;
  segment: number;
  byMode: Record<Mode, ModeStats>;
  charts: Record<ChartKey, SeriesPoint[]>;
  /** Chart-time (ms since run start) of each load change, for markers. */
  segmentMarksMs: number[];
  panes: PaneSnapshot[];
  errors: ErrorGroup[];
  /** A short status line for transient notices (e.g. "latency spike injected"). */
  notice?: string;
  /** Prompt and answer lengths and the prefix cache as the server reported them. */
  workload?: WorkloadSnapshot;
  /** --replay: the speed, and lines of the trace released so far of all. */
  replay?: { speed: number; released: number; total: number };
}

/** Token counts are whole tokens (the MetricSummary shape, not milliseconds). */
export interface WorkloadSnapshot {
  /** Prompt tokens per request as the server counted them (usage), measured requests that succeeded. */
  inputTokens: MetricSummary;
  /** Output tokens per completed request. */
  outputTokens: MetricSummary;
  /** Present once the server reported any cached prompt tokens. */
  cache?: CacheSnapshot;
  /** --replay: how late each measured request was sent against its trace time (ms). */
  lateMs?: MetricSummary;
}

export interface CacheSnapshot {
  promptTokens: number;
  cachedTokens: number;
  /** cachedTokens / promptTokens. */
  hitRatio: number;
  /** Requests with at least half of their prompt cached, and the rest. */
  hits: number;
  misses: number;
  /** TTFT of streams that hit, and of those that missed. */
  ttftHit: MetricSummary;
  ttftMiss: MetricSummary;
}

/** Commands the UI may send. The UI never reaches into the engine otherwise. */
export interface EngineCommands {
  setConcurrency(n: number): void;
  setStreamRatio(r: number): void;
  setRate(r: number): void;
  pause(): void;
  resume(): void;
  newSegment(): void;
  toggleEarlyStop(): void;
  /**
   * Ends the run: aborts every request in flight, waits for them, closes connections.
   * 'interrupted' (Ctrl-C, SIGTERM: the report is marked interrupted) unless the user ended it
   * the normal way ('user': q in the dashboard).
   */
  stop(reason?: 'interrupted' | 'user'): Promise<void>;
}

/** A store the engine publishes snapshots to on a timer; shaped for React's useSyncExternalStore. */
export interface SnapshotSource {
  subscribe(listener: () => void): () => void;
  getSnapshot(): EngineSnapshot;
}

export interface TargetInfo {
  /** URL, or "built-in simulator". */
  label: string;
  api: Api;
  model: string;
  simulated: boolean;
  /** The workload in a few words (`in 1000±100 tok · out 200 · prefix 512×4`), when it was shaped. */
  workload?: string;
}

/**
 * Several endpoints compared in one run (`--target`): each target's own engine snapshot, the
 * reference (first) target first, in the order the targets were given.
 */
export interface TargetsSnapshot {
  targets: EngineSnapshot[];
  /** A run-level notice (a latency spike injected into one target, say), over the engines' own. */
  notice?: string;
}

/** The store of a multi-target run, shaped like SnapshotSource for useSyncExternalStore. */
export interface TargetsSource {
  subscribe(listener: () => void): () => void;
  getSnapshot(): TargetsSnapshot;
}

/** One target of a multi-target run, as the dashboard names and describes it. */
export interface NamedTarget {
  name: string;
  info: TargetInfo;
}
