// One request's generation: the token ids fixed at admission, its prebuilt wire pieces and a due
// time that the shared Scheduler advances. Each run writes every token that is due in one
// write (usually one token when paced; a batch when --itl 0), so the hot path copies a few
// prebuilt byte pieces and makes one syscall.

import type { ServerResponse } from 'node:http';
import { constants as http2constants } from 'node:http2';
import type { FaultName } from './faults.ts';
import type { RequestRecord, RecordStatus } from './records.ts';
import type { ScheduledTask } from './scheduler.ts';
import type { StatsCollector } from './stats.ts';
import { asciiBytes, ChunkBuilder } from './chunk-builder.ts';
import { sinkFor, type StreamSink } from './sink.ts';
import { TOKEN_ARG_BYTES, TOKEN_BYTES, tokensToJson } from './text.ts';
import type { ChatRequest, FinishKind, ReasoningPlan, ResponseIds, StreamPieces, ToolCallPlan, WireFormat } from './wire.ts';

/** Above this many characters a batch is written and the stream yields to others (fairness). */
const MAX_BATCH_CHARS = 32 * 1024;

/** What a generation needs from the simulator core. */
export interface GenerationHost {
  readonly stats: StatsCollector;
  readonly timestamps: boolean;
  readonly stallMs: number;
  /** Next inter-token gap under the current load, ms. */
  nextItl(): number;
  /** The generation ended (any status): frees its slot, finalises its record. */
  finished(gen: Generation, status: RecordStatus): void;
  /** Wants to run again (after 'drain'). */
  reschedule(gen: Generation): void;
}

export interface GenerationInit {
  req: ChatRequest;
  wire: WireFormat;
  ids: ResponseIds;
  res: ServerResponse;
  record: RequestRecord;
  tokenIds: Uint16Array;
  /**
   * Tokens to emit, reasoning first then answer: the natural lengths capped by the request's max
   * tokens (reasoning counts against them, as it does with the providers).
   */
  count: number;
  /** How many of the `count` tokens are reasoning, and how the wire carries them. */
  reasoning: ReasoningPlan;
  /** Answer with a tool call: the answer tokens become its arguments. */
  tool?: ToolCallPlan;
  finish: FinishKind;
  fault: FaultName | undefined;
  /** Token index at which a mid-stream fault strikes. */
  faultAt: number;
  headers: Record<string, string>;
}

const epochTs = (t: number): string => `,"sim_ts":${(performance.timeOrigin + t).toFixed(3)}`;

/** Every run completes its write before returning, so all generations share one scratch buffer. */
const scratch = new ChunkBuilder(64 * 1024);
const EVENT_END = asciiBytes('}\n\n');

/**
 * What a streaming generation writes: the wire pieces, and the per-token ones as bytes (prefix,
 * then the token, then suffix and, with timestamps, the ts and EVENT_END).
 */
interface StreamParts {
  pieces: StreamPieces;
  /** Without timestamps the suffixes already end the event. */
  reasoningPrefix: Buffer;
  reasoningSuffix: Buffer;
  /** The answer tokens' pieces: text, or a tool call's arguments. */
  answerPrefix: Buffer;
  answerSuffix: Buffer;
  answerTokens: readonly Uint8Array[];
}
export class Generation implements ScheduledTask {
  due = 0;
  seq = 0;
  /** Set once the generation ended for any reason; the scheduler then drops it. */
  closed = false;
  private next = 0;
  private preambleSent = false;
  /** res.headersSent turns true at writeHead, before anything is written: track it here. */
  private headersOut = false;
  private faultApplied = false;
  /** StreamPieces.toAnswer written (the answer phase began). */
  private answerOpened = false;
  /** Set for a streaming request only. */
  private readonly stream: StreamParts | undefined;
  private readonly times: Float64Array | null;

  constructor(
    private readonly host: GenerationHost,
    readonly init: GenerationInit,
  ) {
    if (init.req.stream) {
      const pieces = init.wire.streamPieces(init.req, init.ids, init.reasoning, init.tool);
      const end = host.timestamps ? '' : '}\n\n';
      const tool = init.tool !== undefined;
      this.stream = {
        pieces,
        reasoningPrefix: asciiBytes(pieces.reasoningPrefix),
        reasoningSuffix: asciiBytes(pieces.reasoningSuffix + end),
        answerPrefix: asciiBytes(tool ? pieces.toolPrefix : pieces.tokenPrefix),
        answerSuffix: asciiBytes((tool ? pieces.toolSuffix : pieces.tokenSuffix) + end),
        answerTokens: tool ? TOKEN_ARG_BYTES : TOKEN_BYTES,
      };
    }
    this.times = init.req.stream ? new Float64Array(init.count) : null;
    init.record.tokenMs = this.times;
  }

  get record(): RequestRecord {
    return this.init.record;
  }

  /** Got a slot: the first token is due at `firstDue`. */
  start(now: number, firstDue: number): void {
    this.due = firstDue;
    this.init.record.admittedMs = now;
    this.init.record.firstTokenDueMs = firstDue;
    this.init.record.status = 'running';
    // The preamble (role chunk / message_start) goes out now unless the first token follows at
    // once, in which case both share one write.
    if (this.stream !== undefined && firstDue - now > 1) {
      this.preambleSent = true;
      const preamble = this.stream.pieces.preamble(this.host.timestamps ? epochTs(now) : '');
      if (this.headersOut) {
        scratch.ascii(preamble);
        this.sink().write(scratch);
      } else {
        // Node sends the pending headers and the first chunk in one write: one syscall, not two.
        this.init.res.write(preamble, 'latin1');
        this.headersOut = true;
      }
    }
  }

  /**
   * Sends the response headers (set with writeHead) unless start() already sent them with the
   * preamble. Called right after submission, so they always leave on acceptance.
   */
  flushHeaders(): void {
    if (this.headersOut) return;
    this.headersOut = true;
    this.init.res.flushHeaders();
  }

  run(): boolean {
    if (this.closed) return false;
    return this.stream !== undefined ? this.runStream(this.stream) : this.runBody();
  }

  private runStream(bytes: StreamParts): boolean {
    const { init, host } = this;
    const { pieces } = bytes;
    const times = this.times as Float64Array;
    const t = performance.now();
    const ts = host.timestamps ? epochTs(t) : '';
    const out = scratch;
    if (!this.preambleSent) {
      out.ascii(pieces.preamble(ts));
      this.preambleSent = true;
    }
    const { stats } = host;
    const first = this.next;
    while (this.next < init.count && this.due <= t) {
      const i = this.next;
      if (i === init.faultAt && init.fault !== undefined && !this.faultApplied) {
        this.faultApplied = true;
        if (init.fault === 'disconnect') {
          if (this.next > first) this.noteTokens(first, this.next - first, t);
          if (out.length > 0) this.sink().write(out);
          this.cut();
          return false;
        }
        if (init.fault === 'malformed') out.ascii(pieces.malformed);
        if (init.fault === 'stall') {
          this.due += host.stallMs;
          if (this.due > t) break;
        }
      }
      const thinking = i < init.reasoning.tokens;
      if (!thinking && !this.answerOpened) {
        this.answerOpened = true;
        out.ascii(pieces.toAnswer(ts));
      }
      out.bytes(thinking ? bytes.reasoningPrefix : bytes.answerPrefix);
      out.bytes((thinking ? TOKEN_BYTES : bytes.answerTokens)[init.tokenIds[i] as number] as Uint8Array);
      out.bytes(thinking ? bytes.reasoningSuffix : bytes.answerSuffix);
      if (ts !== '') {
        out.ascii(ts);
        out.bytes(EVENT_END);
      }
      times[i] = t;
      stats.recordLateness(t - this.due);
      this.next = i + 1;
      if (this.next < init.count) this.due += host.nextItl();
      if (out.length >= MAX_BATCH_CHARS) break;
    }
    const sent = this.next - first;
    if (sent > 0) {
      this.noteTokens(first, sent, t);
      // Gaps between consecutive writes: the first token of this batch vs the previous write,
      // then zeros inside the batch (they left in the same write), recorded in one call.
      if (first > 0) stats.recordItl(t - (times[first - 1] as number));
      if (sent > 1) stats.recordItl(0, sent - 1);
    }
    if (this.next >= init.count) {
      // Max tokens spent on reasoning alone: the answer block still opens (empty) and closes.
      if (!this.answerOpened) {
        this.answerOpened = true;
        out.ascii(pieces.toAnswer(ts));
      }
      out.ascii(pieces.tail(init.finish, init.count, ts));
      this.sink().end(out);
      init.record.endMs = performance.now();
      this.end('completed');
      return false;
    }
    if (out.length > 0 && !this.sink().write(out)) {
      this.sink().onDrain(() => {
        if (!this.closed) host.reschedule(this);
      });
      return false;
    }
    return true;
  }

  private runBody(): boolean {
    const { init, host } = this;
    const t = performance.now();
    while (this.next < init.count && this.due <= t) {
      if (this.next === init.faultAt && init.fault === 'stall' && !this.faultApplied) {
        this.faultApplied = true;
        this.due += host.stallMs;
        continue;
      }
      this.next += 1;
      if (this.next < init.count) this.due += host.nextItl();
    }
    if (this.next < init.count) return true;
    if (init.fault === 'disconnect') {
      this.cut();
      return false;
    }
    const r = Math.min(init.reasoning.tokens, init.count);
    const answer = tokensToJson(init.tokenIds.subarray(r, init.count));
    const reasoning = r > 0 ? { ...init.reasoning, tokens: r, json: tokensToJson(init.tokenIds, r) } : undefined;
    const full = init.wire.body(init.req, init.ids, answer, init.finish, init.count, reasoning, init.tool);
    // The malformed fault on a non-streaming answer: a body cut off mid-JSON, with a matching length.
    const body = init.fault === 'malformed' ? full.slice(0, Math.floor(full.length / 2)) : full;
    const { record } = init;
    init.res.writeHead(200, { ...init.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    init.res.end(body);
    record.headersMs = record.firstTokenMs = record.lastTokenMs = t;
    record.tokensSent = init.count;
    host.stats.tokensSent += init.count;
    host.stats.recordTtft(t - record.receivedMs);
    record.endMs = performance.now();
    this.end('completed');
    return false;
  }

  private noteTokens(first: number, sent: number, t: number): void {
    const { record } = this.init;
    if (first === 0) {
      record.firstTokenMs = t;
      this.host.stats.recordTtft(t - record.receivedMs);
    }
    record.lastTokenMs = t;
    record.tokensSent += sent;
    this.host.stats.tokensSent += sent;
  }

  private sinkCache: StreamSink | undefined;

  /** Created on first use: the response headers are out by then (they go out on admission). */
  private sink(): StreamSink {
    this.sinkCache ??= sinkFor(this.init.res);
    return this.sinkCache;
  }

  /** The disconnect fault: the server drops the connection mid-response (HTTP/2: resets the stream). */
  private cut(): void {
    const h2stream = (this.init.res as unknown as { stream?: { close(code: number): void } }).stream;
    if (h2stream !== undefined) h2stream.close(http2constants.NGHTTP2_INTERNAL_ERROR);
    else this.init.res.socket?.destroy();
    this.init.record.endMs = performance.now();
    this.end('disconnected');
  }

  /** The client went away: stop generating. */
  cancel(): void {
    if (this.closed) return;
    this.init.record.endMs = performance.now();
    this.end('cancelled');
  }

  /** Never admitted (queue full): close without touching slots or counters. */
  discard(): void {
    this.closed = true;
  }

  private end(status: RecordStatus): void {
    if (this.closed) return;
    this.closed = true;
    this.host.finished(this, status);
  }
}
