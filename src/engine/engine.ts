import type { Dispatcher } from 'undici';
import { createDispatcher, prewarm } from './dispatcher.ts';
import { ClosedLoopScheduler, OpenLoopScheduler, type LoadHost, type Ticket } from './concurrency.ts';
import { ReplayScheduler } from './replay-scheduler.ts';
import { schedulerFor, type Scheduler } from './scheduler.ts';
import { systemClock, type Clock, type Timer } from './clock.ts';
import type { EngineConfig } from './config.ts';
import type { AttemptError } from './errors.ts';
import { Prng } from './prng.ts';
import { PromptPicker } from './prompt-picker.ts';
import { encodeRequest, type EncodedRequest } from './request-body.ts';
import type { TurnResult } from './session-player.ts';
import { SessionPool, type SessionCounts } from './session-pool.ts';
import type { ChatMessage } from './wire/types.ts';
import { Measurement } from './runner.ts';
import { attemptWithRetries, classifyResult, earlyStopPredicate } from './attempt-policy.ts';
import { StatsCollector, type SegmentInfo } from './stats.ts';
import { PaneBoard } from './panes.ts';
import { PaneTail } from './pane-tail.ts';
import { SecretScrubber, secretsOf } from './secrets.ts';
import { recordOf } from './record.ts';
import { WorkloadStats } from './workload-stats.ts';
import { ConnectionTimings } from './conn-timing.ts';
import { preloadTokenizer, wireFormat, type BuildRequestInput, type WireFormat } from './wire/index.ts';
import { MODES } from './types.ts';
import { CONCURRENCY, clampRate } from './limits.ts';
import type {
  EngineCommands,
  EngineSnapshot,
  LoadMode,
  Mode,
  ModeStats,
  RequestRecord,
  RunState,
  SessionTurnTag,
} from './types.ts';

/**
 * The load engine: a plain class, no UI. It schedules requests, runs them, records timings and
 * answers `snapshot()` with plain data. Commands (setConcurrency, pause, ...) are the only way in.
 */

export interface EngineDeps {
  clock?: Clock;
  dispatcher?: Dispatcher;
  /** Called for every finished request (warm-up included), e.g. for --ndjson. */
  onRecord?: (r: RequestRecord) => void;
  /** In-flight streams whose text tails are kept for display; the dashboard decides (0 headless). */
  panes?: number;
  /**
   * Awaited before request `id` is written (after it holds its slot): several engines compared in
   * one run start their k-th requests together (experiments/pair-gate.ts). Resolves false when
   * the request is not to be sent (the comparison is over); aborting the request ends the wait.
   */
  startGate?: (id: number) => Promise<boolean>;
}

/** The engine's load at one moment: see Engine.load(). `rate` only in open loop. */
export interface LoadNow {
  state: RunState;
  inFlight: number;
  /** The pool size: the most requests allowed in flight. */
  concurrency: number;
  rate?: number;
  /** Open loop: arrivals waiting for a slot. */
  queued: number;
}

/** 'user': ended by the user on purpose (q in the dashboard), a normal end, not an interruption. */
export type StopReason = 'requests' | 'duration' | 'interrupted' | 'bail' | 'user';

/** What one request sends: a prompt, or one turn of a session (which then tags its record). */
interface RequestInput {
  messages: readonly ChatMessage[];
  /** The last message's text as JSON-ready bytes (packed prompts; see request-body.ts). */
  lastText?: Uint8Array;
  outputTokens?: number;
  body?: Readonly<Record<string, unknown>>;
  session?: number;
  turn?: number;
  /** Turns in the session, for its pane. */
  turns?: number;
}

export interface RunOutcome {
  stopReason: StopReason;
  durationMs: number;
  started: number;
  warmupStarted: number;
  cancelled: number;
  dropped: number;
}

const TIMEOUT_SWEEP_MS = 25;
/** Characters of a watched request's text kept for its pane. */
const PANE_TAIL_CHARS = 600;
/** After aborting, how long requests get to settle before the run ends without them (a safety net: an abort settles at once). */
const ABORT_SETTLE_MS = 5000;

/** The session and turn a request's record is tagged with. */
interface TurnTag {
  session: number;
  turn: number;
}

function turnOf(input: RequestInput): TurnTag | undefined {
  return input.session !== undefined ? { session: input.session, turn: input.turn ?? 1 } : undefined;
}

/** --body under a prompt's own fields (a --prompts line is the more specific of the two). */
function extraBodyOf(
  common: Readonly<Record<string, unknown>> | undefined,
  own: Readonly<Record<string, unknown>> | undefined,
): { extraBody?: Readonly<Record<string, unknown>> } {
  if (common === undefined) return own !== undefined ? { extraBody: own } : {};
  return { extraBody: own !== undefined ? { ...common, ...own } : common };
}

export class Engine implements EngineCommands {
  readonly stats: StatsCollector;
  /** Prompt and answer lengths and cache use as the server reported them. */
  readonly workloadStats = new WorkloadStats();
  private readonly clock: Clock;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly scheduler: Scheduler;
  private readonly modePrng: Prng;
  private readonly retryPrng: Prng;
  /** Single prompts; undefined when the run plays sessions. */
  private readonly prompts: PromptPicker | undefined;
  /** Multi-turn sessions; undefined when the run sends single prompts. */
  private readonly sessions: SessionPool | undefined;
  private readonly inFlight = new Map<number, Measurement>();
  private readonly panes: PaneBoard;
  private readonly onRecord: ((r: RequestRecord) => void) | undefined;
  private readonly startGate: ((id: number) => Promise<boolean>) | undefined;
  private readonly recordListeners = new Set<(r: RequestRecord) => void>();
  private readonly runTag: string;
  private readonly connTimings: ConnectionTimings;
  /** Whatever a server echoes back (some quote the request's headers, or stream them as text), no secret we sent leaves. */
  private readonly scrubber: SecretScrubber;

  private startAt = 0;
  private endAt: number | undefined;
  private nextId = 0;
  private measuredStarted = 0;
  private warmupStarted = 0;
  private cancelledCount = 0;
  private droppedCount = 0;
  private consecutiveFailures = 0;
  private streamRatio: number;
  private earlyStopOn: boolean;
  private state: RunState = 'starting';
  private notice: { text: string; until: number } | undefined;
  private readonly timers: Timer[] = [];
  /** Resolved (and emptied) when the last request in flight settles. */
  private idleWaiters: (() => void)[] = [];
  private resolveDone!: (o: RunOutcome) => void;
  readonly done: Promise<RunOutcome>;
  private stopping: Promise<void> | undefined;
  private readonly wire: WireFormat;
  /** -H and --header-env headers, merged once: the same for every request. */
  private readonly extraHeaders: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly config: EngineConfig,
    deps: EngineDeps = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    this.wire = wireFormat(config.target.api);
    this.onRecord = deps.onRecord;
    this.startGate = deps.startGate;
    this.streamRatio = config.load.streamRatio;
    this.earlyStopOn = config.resilience.earlyStopEnabled && config.resilience.earlyStop !== undefined;
    this.runTag = (config.load.seed >>> 0).toString(36) + '-' + Date.now().toString(36);
    const root = new Prng(config.load.seed);
    this.modePrng = root.fork(1);
    this.retryPrng = root.fork(2);
    const promptPrng = root.fork(3);
    const sessions = config.workload.sessions;
    this.prompts = sessions === undefined ? new PromptPicker(config.workload.prompts, promptPrng, config.workload.order) : undefined;
    this.sessions =
      sessions === undefined
        ? undefined
        : new SessionPool(
            // Anthropic caches only marked prefixes: mark the conversation's end, as its docs advise.
            { config: sessions, prng: root.fork(4), markLastUser: this.wire.api === 'anthropic' },
            {
              clock: this.clock,
              send: (t) => this.sendOne({ intendedMs: t.dueMs }, t, t.keepAnswer),
              canStart: () => this.canStart(),
              paused: () => this.state === 'paused',
              limit: () => this.scheduler.effectiveLimit,
            },
          );
    this.stats = new StatsCollector({ windowSeconds: config.outputs.windowSeconds });
    this.panes = new PaneBoard(deps.panes ?? 0);
    this.done = new Promise((r) => (this.resolveDone = r));
    this.connTimings = new ConnectionTimings(this.clock);
    this.scrubber = new SecretScrubber(secretsOf(config));
    const { headers, secretHeaders } = config.target;
    this.extraHeaders = headers !== undefined || secretHeaders !== undefined ? { ...headers, ...secretHeaders } : undefined;
    if (deps.dispatcher) {
      this.dispatcher = deps.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = createDispatcher(config, this.connTimings);
      this.ownsDispatcher = true;
    }
    const host: LoadHost = {
      launch: (t, done) => this.launch(t, done),
      drop: (t) => this.dropTicket(t),
      canStart: () => this.canStartNew(),
    };
    this.scheduler = schedulerFor(config.load, this.clock, host);
  }

  /** A replay is open loop: its times come from the trace instead of a rate. */
  get loadMode(): LoadMode {
    return this.scheduler instanceof ClosedLoopScheduler ? 'closed' : 'open';
  }

  /** ms since the run started, on the engine clock. */
  elapsedMs(): number {
    return (this.endAt ?? this.clock.now()) - this.startAt;
  }

  async start(): Promise<void> {
    // Loading the tokenizer's tables blocks the event loop for ~0.5 s. A server that does not
    // report usage needs it; do it before t0 of any request, not in the middle of the run.
    // The built-in simulator always reports usage, so its runs start without the wait.
    if (!this.config.target.simulated) preloadTokenizer();
    if (this.config.target.connection === 'prewarm') await prewarm(this.dispatcher, this.config.target.baseUrl, Math.min(this.config.load.concurrency, 512));
    this.startAt = this.clock.now();
    this.state = 'running';
    this.stats.beginSegment(this.segmentInfo('start'));
    const sweep = this.clock.setInterval(() => this.sweepTimeouts(), TIMEOUT_SWEEP_MS);
    const second = this.clock.setInterval(() => this.stats.tick(this.elapsedMs(), this.loadInfo()), 1000);
    this.timers.push(sweep, second);
    if (this.config.load.durationMs !== undefined) {
      this.timers.push(this.clock.setTimeout(() => void this.finish('duration'), this.config.load.durationMs));
    }
    this.scheduler.start();
    this.checkComplete();
  }

  // ---- commands --------------------------------------------------------------------------

  // A load change opens its segment before the scheduler acts on it: raising the pool starts
  // requests synchronously, and those belong to the new setting, not the old one.
  setConcurrency(n: number): void {
    const v = Math.max(CONCURRENCY.min, Math.min(CONCURRENCY.max, Math.floor(n)));
    if (v === this.scheduler.concurrency) return;
    if (this.loadMode === 'closed') this.stats.beginSegment({ ...this.segmentInfo('concurrency'), concurrency: v });
    this.scheduler.setConcurrency(v);
  }

  setRate(r: number): void {
    if (!(this.scheduler instanceof OpenLoopScheduler) || !(r > 0)) return;
    const v = clampRate(r);
    this.stats.beginSegment({ ...this.segmentInfo('rate'), rate: v });
    this.scheduler.setRate(v);
  }

  setStreamRatio(r: number): void {
    const v = Math.round(Math.max(0, Math.min(1, r)) * 100) / 100;
    if (v === this.streamRatio) return;
    this.streamRatio = v;
    this.stats.beginSegment(this.segmentInfo('stream-ratio'));
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.scheduler.pause();
    this.state = 'paused';
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.sessions?.resume();
    this.scheduler.resume();
  }

  newSegment(reason: SegmentInfo['reason'] = 'manual'): void {
    this.stats.beginSegment(this.segmentInfo(reason));
  }

  toggleEarlyStop(): void {
    if (!this.config.resilience.earlyStop) {
      this.announce('no --early-stop rule given');
      return;
    }
    this.earlyStopOn = !this.earlyStopOn;
    this.announce(`early stop ${this.earlyStopOn ? 'on' : 'off'}`);
  }

  /** Sessions of a multi-turn run: started, and how each ended (all 0 when the run plays none). */
  get sessionCounts(): SessionCounts {
    return { ...(this.sessions?.counts ?? { started: 0, completed: 0, failed: 0, cut: 0 }) };
  }

  /** The run's tag inside every x-request-id (`st-<runId>-<n>`): ties a server's logs to this run. */
  get runId(): string {
    return this.runTag;
  }

  /**
   * The load right now, for gauges read at any moment (a metrics scrape): counters only, no
   * flush of the histograms and no copies, unlike snapshot().
   */
  load(): LoadNow {
    return { state: this.state, queued: this.scheduler.queued, ...this.loadInfo() };
  }

  /** Observes every finished request (e.g. the live autotuner). Returns an unsubscribe. */
  addRecordListener(fn: (r: RequestRecord) => void): () => void {
    this.recordListeners.add(fn);
    return () => this.recordListeners.delete(fn);
  }

  /**
   * The engine's own status for the snapshot's notice line (early stop toggled, a bail). Notices
   * of the run layer (autotune, fault injection) are laid over the snapshot by their host.
   */
  private announce(text: string, ms = 3000): void {
    this.notice = { text, until: this.clock.now() + ms };
  }

  /** Ends the run now: aborts every request in flight, waits for them, closes connections. */
  stop(reason: 'interrupted' | 'user' = 'interrupted'): Promise<void> {
    return this.finish(reason);
  }

  // ---- run lifecycle ---------------------------------------------------------------------

  private canStart(): boolean {
    if (this.state !== 'running') return false;
    if (this.config.load.requests !== undefined && this.measuredStarted >= this.config.load.requests) return false;
    return true;
  }

  /**
   * May the scheduler start a new request, or a new session? With sessions, the turns the open
   * sessions still owe are spoken for: otherwise a slot freed while another session waits out its
   * think time would start a session that the budget then cuts after a turn or two, and how many
   * sessions a run plays (and how many requests each turn index gets) would depend on timing
   * (-n 24 with 3-turn sessions: 8 whole sessions, or 9 with two cut, run to run).
   */
  private canStartNew(): boolean {
    if (!this.canStart()) return false;
    const budget = this.config.load.requests;
    const owed = this.sessions?.owedTurns ?? 0;
    if (budget === undefined || owed === 0) return true;
    // Owed turns go to warm-up first, while warm-up lasts; only the rest draw on the budget.
    const warmupLeft = Math.max(0, this.config.load.warmup - this.warmupStarted);
    return this.measuredStarted + Math.max(0, owed - warmupLeft) < budget;
  }

  private checkComplete(): void {
    if (
      this.state === 'running' &&
      this.config.load.requests !== undefined &&
      this.measuredStarted >= this.config.load.requests &&
      this.inFlight.size === 0
    ) {
      void this.finish('requests');
    }
  }

  private finish(reason: StopReason): Promise<void> {
    if (this.stopping) return this.stopping;
    this.state = 'stopping';
    this.scheduler.stop();
    // Sessions in their think time, or waiting for a paused run, end now.
    this.sessions?.stop();
    this.stopping = (async () => {
      // A time limit lets requests in flight finish (up to the grace period) so that the
      // longest requests are not the ones cut from the statistics; an interrupt aborts at once.
      if (reason === 'duration' && this.config.load.graceMs > 0) await this.whenIdle(this.config.load.graceMs);
      for (const m of this.inFlight.values()) m.abort('cancelled');
      // Each request settles once its abort lands; wait for every record to be written.
      await this.whenIdle(ABORT_SETTLE_MS);
      this.endAt = this.clock.now();
      for (const t of this.timers) t.clear();
      // A final partial second for the timeline and charts.
      this.stats.tick(this.elapsedMs(), this.loadInfo());
      if (this.ownsDispatcher) await this.dispatcher.destroy().catch(() => undefined);
      this.connTimings.dispose();
      this.state = 'done';
      this.resolveDone({
        stopReason: reason,
        durationMs: this.elapsedMs(),
        started: this.measuredStarted,
        warmupStarted: this.warmupStarted,
        cancelled: this.cancelledCount,
        dropped: this.droppedCount,
      });
    })();
    return this.stopping;
  }

  /**
   * Resolves once no request is in flight, or after `ms` on the engine clock, whichever comes
   * first. The wait keeps the process alive: the run's results depend on it.
   */
  private whenIdle(ms: number): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => done(), ms, { keepAlive: true });
      const done = (): void => {
        timer.clear();
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  private segmentInfo(reason: SegmentInfo['reason']): Omit<SegmentInfo, 'index'> {
    return {
      startMs: this.state === 'starting' ? 0 : this.elapsedMs(),
      concurrency: this.scheduler.concurrency,
      ...(this.scheduler instanceof OpenLoopScheduler ? { rate: this.scheduler.rate } : {}),
      streamRatio: this.streamRatio,
      reason,
    };
  }

  private loadInfo(): { inFlight: number; concurrency: number; rate?: number } {
    return {
      inFlight: this.inFlight.size,
      concurrency: this.scheduler.concurrency,
      ...(this.scheduler instanceof OpenLoopScheduler ? { rate: this.scheduler.rate } : {}),
    };
  }

  private dropTicket(t: Ticket): void {
    this.droppedCount++;
    // The prompt this request would have sent is drawn anyway: the k-th request then always
    // carries the k-th prompt of the seed, whatever happened to earlier ones, so engines with the
    // same seed (several targets in one run) send the same prompt as their k-th request. A
    // session's arrival is its first turn, dropped: the session never starts.
    this.prompts?.pick();
    const session = this.sessions?.drop();
    const id = ++this.nextId;
    const warmup = this.warmupStarted < this.config.load.warmup;
    if (warmup) this.warmupStarted++;
    else this.measuredStarted++;
    const now = this.clock.now();
    this.emit({
      id,
      requestId: `st-${this.runTag}-${id}`,
      mode: this.modePrng.next() < this.streamRatio ? 'stream' : 'nonstream',
      outcome: 'dropped',
      errorCode: 'queue_dropped',
      errorMessage: `waited ${Math.round(now - t.intendedMs)} ms for a slot (cap ${this.config.load.maxQueueDelayMs} ms)`,
      attempts: 0,
      segment: this.stats.segmentAt(now - this.startAt),
      warmup,
      intendedStartMs: t.intendedMs - this.startAt,
      startMs: now - this.startAt,
      queueMs: now - t.intendedMs,
      contentEvents: 0,
      itlMs: [],
      outputTokens: 0,
      tokenSource: 'tokenizer',
      bytesReceived: 0,
      ...(session !== undefined ? { session, turn: 1 } : {}),
    });
    this.checkComplete();
  }

  private launch(ticket: Ticket, done: () => void): void {
    const run = this.sessions !== undefined ? this.sessions.play(ticket.intendedMs) : this.sendOne(ticket, (this.prompts as PromptPicker).pick(), false);
    void run.finally(() => {
      // After a macrotask: undici frees the connection only after the body has ended, and a request
      // started at once would find every connection busy and open another (c=8, 64 requests: 12-13
      // connections instead of 8). Keep-alive pools must stay at the pool size.
      setImmediate(done);
      this.checkComplete();
    });
  }

  /**
   * Sends one request and records it. Resolves once it is recorded and out of the in-flight set,
   * with its outcome and, when asked (`keepAnswer`), the answer text a later turn sends. Never rejects.
   */
  private sendOne(ticket: Ticket, input: RequestInput, keepAnswer: boolean): Promise<TurnResult> {
    const id = ++this.nextId;
    const warmup = this.warmupStarted < this.config.load.warmup;
    if (warmup) this.warmupStarted++;
    else this.measuredStarted++;
    const mode: Mode = this.modePrng.next() < this.streamRatio ? 'stream' : 'nonstream';
    const watched = this.panes.watch();
    const m = new Measurement(id, mode, watched ? new PaneTail(PANE_TAIL_CHARS, this.scrubber) : undefined);
    if (input.session !== undefined && watched) m.session = { session: input.session, turn: input.turn ?? 1, turns: input.turns ?? 1 };
    this.inFlight.set(id, m);
    // Only the tag outlives this call: a closure holding `input` would keep the prompt's text alive
    // for the whole request, long after its body is bytes (see execute).
    const turn = turnOf(input);
    return this.execute(id, m, ticket, warmup, input, turn)
      .catch((err: unknown) => {
        // The runner never rejects; this is a last line of defence so no request is ever lost.
        const rec = this.buildRecord(id, m, ticket, warmup, 'failed', turn, { code: 'unknown', message: String((err as Error)?.message ?? err) });
        this.emit(rec);
        return rec.outcome;
      })
      .then((outcome): TurnResult => {
        const ok = outcome === 'ok' || outcome === 'early_stopped';
        // The whole text is joined only for a turn whose answer a later turn sends.
        return ok && keepAnswer ? { ok, answer: m.fullText() } : { ok };
      })
      .finally(() => {
        this.inFlight.delete(id);
        if (this.inFlight.size === 0) for (const w of this.idleWaiters.slice()) w();
        if (watched) this.panes.unwatch();
      });
  }

  /**
   * Encodes the request, then sends it. Not async itself: V8 keeps an async function's parameters
   * alive across its awaits, and the prompt's text (5 KB at 1,000 tokens) is not needed once its
   * body is bytes. Measured with a WeakRef: held through the await by an async function, released
   * when encoding returns first.
   */
  private execute(id: number, m: Measurement, ticket: Ticket, warmup: boolean, prompt: RequestInput, turn: TurnTag | undefined): Promise<RequestRecord['outcome']> {
    const requestId = `st-${this.runTag}-${id}`;
    let request: EncodedRequest;
    try {
      request = encodeRequest(this.wire, {
        baseUrl: this.config.target.baseUrl,
        model: this.config.target.model,
        messages: prompt.messages,
        stream: m.mode === 'stream',
        requestId,
        ...(this.config.target.apiKey !== undefined ? { apiKey: this.config.target.apiKey } : {}),
        ...this.outputCap(prompt.outputTokens),
        ...(this.extraHeaders !== undefined ? { extraHeaders: this.extraHeaders } : {}),
        ...extraBodyOf(this.config.workload.body, prompt.body),
      }, prompt.lastText);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.send(id, m, ticket, warmup, requestId, request, turn);
  }

  private async send(id: number, m: Measurement, ticket: Ticket, warmup: boolean, requestId: string, request: EncodedRequest, turn: TurnTag | undefined): Promise<RequestRecord['outcome']> {
    const { url, headers, body } = request;
    if (this.startGate) {
      const go = await untilOpenOrAborted(this.startGate(id), m);
      // Stopped while waiting for its pair: recorded as cancelled, never sent.
      if (!go || m.abortCause !== undefined) {
        const { outcome, error } = classifyResult({ kind: 'aborted', cause: m.abortCause ?? 'cancelled' }, 0, this.config.resilience.timeouts);
        this.emit(this.buildRecord(id, m, ticket, warmup, outcome, turn, error));
        return outcome;
      }
    }
    const rule = this.config.resilience.earlyStop;
    const onContent = rule && m.mode === 'stream' ? earlyStopPredicate(rule, () => this.earlyStopOn) : undefined;

    const { resilience } = this.config;
    const result = await attemptWithRetries(
      {
        dispatcher: this.dispatcher,
        clock: this.clock,
        wire: this.wire,
        url,
        headers,
        body,
        mode: m.mode,
        reset: this.config.target.connection === 'fresh',
        ...(resilience.maxEventBytes !== undefined ? { maxEventBytes: resilience.maxEventBytes } : {}),
        ...(onContent ? { onContent } : {}),
      },
      m,
      { retries: resilience.retries, retryBaseMs: resilience.retryBaseMs, retryMaxMs: resilience.retryMaxMs, prng: this.retryPrng, stopping: () => this.state === 'stopping' },
    );

    const { outcome, error } = classifyResult(result, m.contentEvents, this.config.resilience.timeouts);
    const rec = this.buildRecord(id, m, ticket, warmup, outcome, turn, error);
    rec.requestId = requestId;
    const tail = m.tail === undefined ? undefined : { text: m.tail.text, reasoning: m.reasoningTail?.text ?? '', ...(m.session !== undefined ? { session: m.session } : {}) };
    const conn = this.connTimings.take(requestId);
    if (conn) {
      rec.connectMs = conn.connectMs;
      if (conn.tlsMs !== undefined) rec.tlsMs = conn.tlsMs;
    }
    this.emit(rec, tail);
    return outcome;
  }

  /** The request's output cap: the prompt's own target, else --max-tokens; with the field and --ignore-eos. */
  private outputCap(target: number | undefined): Pick<BuildRequestInput, 'maxTokens' | 'maxTokensField' | 'ignoreEos'> {
    const w = this.config.workload;
    const maxTokens = target ?? w.maxTokens;
    return {
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(w.maxTokensField !== undefined ? { maxTokensField: w.maxTokensField } : {}),
      ...(w.ignoreEos === true ? { ignoreEos: true } : {}),
    };
  }

  private buildRecord(
    id: number,
    m: Measurement,
    ticket: Ticket,
    warmup: boolean,
    outcome: RequestRecord['outcome'],
    turn: TurnTag | undefined,
    error?: AttemptError,
  ): RequestRecord {
    // A request belongs to the segment in force when it was written (t0), not when it got its
    // slot: the two differ when a load change lands between them.
    const now = this.clock.now();
    const startedAt = (m.firstT0 ?? now) - this.startAt;
    const rec = recordOf({
      id,
      m,
      intendedMs: ticket.intendedMs,
      segment: this.stats.segmentAt(startedAt),
      warmup,
      outcome,
      ...(error ? { error } : {}),
      openLoop: this.loadMode === 'open',
      replay: this.scheduler instanceof ReplayScheduler,
      runStartMs: this.startAt,
      nowMs: now,
    });
    if (turn !== undefined) {
      rec.session = turn.session;
      rec.turn = turn.turn;
    }
    return rec;
  }

  private emit(rec: RequestRecord, tail?: { text: string; reasoning: string; session?: SessionTurnTag }): void {
    if (rec.errorMessage !== undefined) rec.errorMessage = this.scrubber.message(rec.errorMessage);
    if (rec.outcome === 'cancelled') this.cancelledCount++;
    if (rec.outcome === 'failed' || rec.outcome === 'dropped') this.consecutiveFailures++;
    else if (rec.outcome === 'ok') this.consecutiveFailures = 0;
    this.stats.record(rec);
    this.workloadStats.record(rec);
    const now = this.clock.now();
    this.panes.finished(rec, tail ?? { text: '', reasoning: '' }, now, rec.e2eMs ?? now - this.startAt - rec.startMs);
    try {
      this.onRecord?.(rec);
      for (const l of this.recordListeners) l(rec);
    } catch {
      // A failing sink (e.g. a full disk for --ndjson) must not take the run down.
    }
    if (this.config.resilience.bail !== undefined && this.consecutiveFailures >= this.config.resilience.bail && this.state === 'running') {
      this.announce(`stopping: ${this.consecutiveFailures} consecutive failures (--bail ${this.config.resilience.bail})`);
      void this.finish('bail');
    }
  }

  private sweepTimeouts(): void {
    const { ttftMs, idleMs, totalMs } = this.config.resilience.timeouts;
    if (ttftMs === 0 && idleMs === 0 && totalMs === 0) return;
    const now = this.clock.now();
    for (const m of this.inFlight.values()) {
      if (m.abortCause !== undefined || m.firstT0 === undefined) continue;
      if (totalMs > 0 && now - m.firstT0 > totalMs) m.abort('timeout_total');
      else if (ttftMs > 0 && m.mode === 'stream' && m.firstContentAt === undefined && m.attemptT0 !== undefined && now - m.attemptT0 > ttftMs)
        m.abort('timeout_ttft');
      else if (idleMs > 0 && m.lastActivityAt !== undefined && m.state !== 'queued' && now - m.lastActivityAt > idleMs)
        m.abort('timeout_idle');
    }
  }

  // ---- snapshot ----------------------------------------------------------------------------

  snapshot(): EngineSnapshot {
    this.stats.flush();
    const now = this.clock.now();
    const elapsed = this.state === 'starting' ? 0 : this.elapsedMs();
    const secs = elapsed / 1000;
    const byMode = {} as Record<Mode, ModeStats>;
    let completed = 0;
    let tokens = 0;
    for (const mode of MODES) {
      byMode[mode] = this.stats.cumulative[mode].toStats(elapsed);
      completed += byMode[mode].succeeded + byMode[mode].earlyStopped;
      tokens += byMode[mode].outputTokens;
    }
    const panes = this.panes.snapshot(this.inFlight.values(), now);
    const charts = {} as EngineSnapshot['charts'];
    for (const [k, v] of Object.entries(this.stats.charts)) charts[k as keyof typeof charts] = v.slice();
    const notice = this.notice && this.notice.until > now ? this.notice.text : undefined;
    const workload = this.workloadStats.snapshot();
    return {
      state: this.state,
      elapsedMs: elapsed,
      loadMode: this.loadMode,
      concurrency: this.scheduler.concurrency,
      ...(this.scheduler instanceof OpenLoopScheduler ? { rate: this.scheduler.rate } : {}),
      streamRatio: this.streamRatio,
      inFlight: this.inFlight.size,
      queued: this.scheduler.queued,
      started: this.measuredStarted + this.warmupStarted,
      completed,
      requestsPerSec: secs > 0 ? completed / secs : 0,
      outputTokensPerSec: secs > 0 ? tokens / secs : 0,
      errorsTotal: this.stats.errorsTotal,
      earlyStopEnabled: this.earlyStopOn,
      segment: this.stats.currentSegment?.info.index ?? 0,
      byMode,
      charts,
      segmentMarksMs: this.stats.segmentMarksMs.slice(),
      panes,
      errors: this.stats.errorGroups(),
      ...(notice ? { notice } : {}),
      ...(workload !== undefined ? { workload } : {}),
      ...(this.scheduler instanceof ReplayScheduler && this.config.load.replay !== undefined
        ? { replay: { speed: this.config.load.replay.speed, released: this.scheduler.released, total: this.scheduler.total } }
        : {}),
    };
  }

  dispose(): void {
    this.stats.dispose();
    this.workloadStats.dispose();
  }
}

/** Waits for a start gate (its answer), or for the request to be aborted (false). */
function untilOpenOrAborted(gate: Promise<boolean>, m: Measurement): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    m.bindAbort(() => resolve(false));
    gate.then(resolve, () => resolve(false));
  }).finally(() => m.bindAbort(undefined));
}
