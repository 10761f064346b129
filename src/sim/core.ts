// The serving model: `slots` generations at once, a FIFO of waiting requests capped at `queue`,
// the latency model (TTFT with prefill, load-dependent ITL, lognormal jitter) and the shared
// token scheduler. HTTP concerns live in server.ts; this module never parses a request.

import type { SimConfig } from './config.ts';
import { drawFault, type FaultName } from './faults.ts';
import { Generation, type GenerationHost } from './generation.ts';
import { lognormalFactor, mixSeeds, mulberry32, normal, type Rng } from './prng.ts';
import { RateLimiter } from './rate-limit.ts';
import { RecordStore, type RecordStatus } from './records.ts';
import { Scheduler } from './scheduler.ts';
import { StatsCollector, type SimStats } from './stats.ts';
import { generateTokenIds } from './text.ts';
import { PrefixCache } from './prefix-cache.ts';
import { preloadPromptTokenizer, PromptTokenizer, TokenIds } from './prompt-tokens.ts';
import type { ChatRequest } from './wire.ts';

/**
 * The chat template around each message, as ids outside o200k's range: a message opens with two
 * tokens (start, role) and closes with one; the reply is primed with three. These are the "few"
 * tokens a real server counts beyond the text.
 */
const TEMPLATE_BASE = 1 << 20;
const MSG_START = TEMPLATE_BASE;
const MSG_END = TEMPLATE_BASE + 1;
const REPLY = [TEMPLATE_BASE + 2, TEMPLATE_BASE + 3, TEMPLATE_BASE + 4] as const;
const ROLE_IDS: Readonly<Record<string, number>> = { system: TEMPLATE_BASE + 10, user: TEMPLATE_BASE + 11, assistant: TEMPLATE_BASE + 12 };
const OTHER_ROLE = TEMPLATE_BASE + 13;
/** Template tokens per message and for the reply: what a prompt counts beyond its text. */
export const TEMPLATE_TOKENS_PER_MESSAGE = 3;
export const TEMPLATE_TOKENS_REPLY = REPLY.length;

const TEXT_CACHE_SIZE = 256;
/** Mixed into the seed for reasoning text, so reasoning is not the answer said twice. */
const REASONING_SEED = 0x7eea5011;
/** Reasoning tokens for a request that asks for reasoning while --reasoning-tokens is 0. */
export const REQUESTED_REASONING_TOKENS = 128;
const EMPTY_IDS = new Uint16Array(0);

export type Admission = 'started' | 'queued' | 'queueFull';

export class SimCore implements GenerationHost {
  readonly stats = new StatsCollector();
  readonly records: RecordStore;
  readonly limiter = new RateLimiter();
  private readonly scheduler = new Scheduler();
  private readonly timingRng: Rng;
  private readonly faultRng: Rng;
  private readonly toolRng: Rng;
  private running = 0;
  /** FIFO of waiting generations; cancelled ones are skipped when reached (lazy removal). */
  private waiting: (Generation | undefined)[] = [];
  private waitingHead = 0;
  private queuedCount = 0;
  private readonly textCache = new Map<string, Uint16Array>();
  private readonly tokenizer = new PromptTokenizer();
  private readonly promptIds = new TokenIds();
  readonly prefixCache: PrefixCache;

  constructor(readonly config: SimConfig) {
    this.prefixCache = new PrefixCache(config.prefixCacheTokens);
    // ~0.5 s, before the server listens: no request may wait for the tables.
    preloadPromptTokenizer();
    // The answers' and the reasoning's sentence pools (a few ms), for the same reason.
    generateTokenIds(config.seed, 0, 1);
    generateTokenIds(config.seed ^ REASONING_SEED, 0, 1);
    this.records = new RecordStore(config.maxRecords);
    this.timingRng = mulberry32(mixSeeds(config.seed, 0x7115));
    this.faultRng = mulberry32(mixSeeds(config.seed, 0xfa17));
    this.toolRng = mulberry32(mixSeeds(config.seed, 0x7001));
    this.limiter.configure(config.rpm, config.tpm);
  }

  get timestamps(): boolean {
    return this.config.timestamps;
  }
  get stallMs(): number {
    return this.config.stallMs;
  }
  get runningCount(): number {
    return this.running;
  }
  get queuedLength(): number {
    return this.queuedCount;
  }

  snapshot(): SimStats {
    return this.stats.snapshot(this.running, this.queuedCount);
  }

  drawFault(): FaultName | undefined {
    return drawFault(this.config.faults, this.faultRng);
  }

  /** Whether this request answers with a tool call (--tool-calls P). */
  drawToolCall(): boolean {
    const p = this.config.toolCalls;
    return p > 0 && this.toolRng() < p;
  }

  /**
   * The completion for a prompt: its natural length drawn from --output-tokens, then the text.
   * Both depend only on (seed, prompt hash), never on arrival order, so the same prompt always
   * gets the same answer whether streamed or not.
   */
  completionFor(promptHash: number): Uint16Array {
    const { seed, outputTokens } = this.config;
    const key = `${seed}:${promptHash}:${outputTokens.mean}:${outputTokens.sd}`;
    const cached = this.textCache.get(key);
    if (cached !== undefined) return cached;
    const lengthRng = mulberry32(mixSeeds(seed ^ 0x5bd1e995, promptHash));
    const n = Math.max(1, Math.min(100_000, Math.round(outputTokens.mean + outputTokens.sd * normal(lengthRng))));
    const ids = generateTokenIds(seed, promptHash, n);
    if (this.textCache.size >= TEXT_CACHE_SIZE) {
      const oldest = this.textCache.keys().next();
      if (oldest.done !== true) this.textCache.delete(oldest.value);
    }
    this.textCache.set(key, ids);
    return ids;
  }

  /**
   * The reasoning a response to this prompt starts with (token ids; empty for none): its length
   * drawn from --reasoning-tokens, or REQUESTED_REASONING_TOKENS when the flag is off but the
   * request asked for reasoning. A pure function of (seed, prompt hash), like the completion.
   */
  reasoningFor(promptHash: number, requested: boolean): Uint16Array {
    const { seed, reasoningTokens } = this.config;
    const spec = reasoningTokens.mean > 0 ? reasoningTokens : requested ? { mean: REQUESTED_REASONING_TOKENS, sd: 0 } : undefined;
    if (spec === undefined) return EMPTY_IDS;
    const rng = mulberry32(mixSeeds(seed ^ REASONING_SEED, promptHash));
    const n = Math.max(0, Math.min(100_000, Math.round(spec.mean + spec.sd * normal(rng))));
    // Another seed than the answer's: reasoning is not the answer said twice.
    return n === 0 ? EMPTY_IDS : generateTokenIds(seed ^ REASONING_SEED, promptHash, n);
  }

  /** A completion of exactly `length` tokens (min_tokens, ignore_eos past the natural end); not cached. */
  completionOfLength(promptHash: number, length: number): Uint16Array {
    return generateTokenIds(this.config.seed, promptHash, Math.min(length, 1_000_000));
  }

  /**
   * Counts the prompt (o200k, chat template included) and looks it up in the prefix cache, filling
   * promptTokens, promptHash, cachedTokens and cacheWriteTokens. OpenAI-style servers cache every
   * prompt; Anthropic caches only up to the last cache_control mark, and nothing without one.
   */
  countPrompt(req: ChatRequest, api: 'openai' | 'anthropic'): void {
    // One array for every prompt (this runs synchronously): no per-request garbage of ~1,000 ids.
    const ids = this.promptIds;
    ids.clear();
    let marked = -1;
    for (const p of req.parts) {
      ids.push(MSG_START);
      ids.push(ROLE_IDS[p.role] ?? OTHER_ROLE);
      if (p.cacheMarkAt !== undefined) {
        // The marked block ends a cacheable prefix: its text is tokenized apart, as a block is.
        this.tokenizer.encodeInto(p.text.slice(0, p.cacheMarkAt), ids);
        marked = ids.length;
        this.tokenizer.encodeInto(p.text.slice(p.cacheMarkAt), ids);
      } else this.tokenizer.encodeInto(p.text, ids);
      ids.push(MSG_END);
    }
    for (const id of REPLY) ids.push(id);
    req.promptTokens = ids.length;
    // Hashed from the ids, not the text: a fifth of the steps for English, and equal text gives
    // equal ids (o200k is deterministic), so the same prompt still gets the same answer.
    let hash = 0x811c9dc5;
    for (let i = 0, v = ids.ids, n = ids.length; i < n; i++) hash = Math.imul(hash ^ (v[i] as number), 0x01000193);
    req.promptHash = hash >>> 0;
    if (api === 'openai') {
      req.cachedTokens = this.prefixCache.lookupAndStore(ids.view());
    } else if (marked >= 0) {
      req.cachedTokens = this.prefixCache.lookupAndStore(ids.view(), marked);
      req.cacheWriteTokens = marked - req.cachedTokens;
    }
  }

  /** Where in a completion of `count` tokens a mid-stream fault strikes: after at least one token. */
  faultPosition(count: number): number {
    return count > 1 ? 1 + Math.floor(this.timingRng() * (count - 1)) : 0;
  }

  /** Seconds a client should wait when the queue is full: about one generation time. */
  queueRetryAfterSeconds(): number {
    const c = this.config;
    const genMs = c.ttftMs + c.outputTokens.mean * c.itlMs * (1 + c.loadFactor);
    return Math.max(1, Math.ceil(genMs / 1000));
  }

  /** Whether a new request would get a slot or a place in the queue. */
  hasRoom(): boolean {
    return this.running < this.config.slots || this.queuedCount < this.config.queue;
  }

  submit(gen: Generation): Admission {
    if (this.running < this.config.slots) {
      this.start(gen);
      return 'started';
    }
    if (this.queuedCount >= this.config.queue) return 'queueFull';
    this.waiting.push(gen);
    this.queuedCount += 1;
    gen.record.status = 'queued';
    return 'queued';
  }

  nextItl(): number {
    const c = this.config;
    if (c.itlMs === 0) return 0;
    const load = 1 + (c.loadFactor * this.running) / c.slots;
    return c.itlMs * load * lognormalFactor(this.timingRng, c.jitter);
  }

  reschedule(gen: Generation): void {
    this.scheduler.add(gen);
  }

  finished(gen: Generation, status: RecordStatus): void {
    const { record } = gen;
    const previous = record.status;
    record.status = status;
    if (status === 'completed') {
      this.stats.completed += 1;
      if (record.lastTokenMs !== null) this.stats.recordE2e(record.lastTokenMs - record.receivedMs);
    } else if (status === 'cancelled') {
      this.stats.cancelled += 1;
    } else if (status === 'disconnected') {
      this.stats.disconnected += 1;
    }
    this.records.holdTokenTimes(record);
    if (previous === 'running') {
      this.running -= 1;
      this.pump();
    } else if (previous === 'queued') {
      // Cancelled while waiting: it stays in the array until reached, but stops counting now.
      this.queuedCount -= 1;
    }
  }

  /** Admits waiting generations while slots are free (after a release or a slots increase). */
  pump(): void {
    while (this.running < this.config.slots && this.waitingHead < this.waiting.length) {
      const gen = this.waiting[this.waitingHead];
      this.waiting[this.waitingHead] = undefined; // let a finished request be collected
      this.waitingHead += 1;
      if (gen === undefined || gen.closed) continue;
      this.queuedCount -= 1;
      this.start(gen);
    }
    // Compact the consumed prefix now and then, so the array does not grow for ever.
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private start(gen: Generation): void {
    const c = this.config;
    const now = performance.now();
    this.running += 1;
    const ttft = c.ttftMs * lognormalFactor(this.timingRng, c.jitter);
    // Prefill is paid for the tokens the prefix cache did not hold.
    const uncached = gen.init.req.promptTokens - gen.init.req.cachedTokens;
    const prefill = c.prefillPerTokenMs * uncached * lognormalFactor(this.timingRng, c.jitter);
    this.stats.recordQueue(now - gen.record.receivedMs);
    gen.start(now, now + ttft + prefill);
    this.scheduler.add(gen);
  }

  close(): void {
    this.scheduler.stop();
  }
}
