import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { SseDecoder, type SseEvent } from './sse.ts';
import type { ContentPiece, WireFormat } from './wire/index.ts';
import { ToolCalls } from './tool-calls.ts';
import { countTokens } from './wire/tokens.ts';
import type { Clock } from './clock.ts';
import type { PaneTail } from './pane-tail.ts';
import { classifyNetworkError, codeForStatus, parseRetryAfter, redirectMessage, type AttemptError } from './errors.ts';
import type { ErrorCode, Mode, PaneState, SessionTurnTag, TokenSource } from './types.ts';

/**
 * Runs one request attempt on undici's low-level dispatch API. Handler callbacks are undici's
 * lifecycle hooks, so there is no stream or promise machinery per chunk on the hot path:
 * a chunk is parsed, stamped and recorded, nothing else.
 *
 * t0 is taken in onRequestStart, which undici calls immediately before it writes the request to
 * the socket: after the request got its concurrency slot and a connection, so neither local
 * queueing nor connection-pool waits count as server latency.
 */

/** Why we aborted a request ourselves. */
export type AbortCause = 'cancelled' | 'timeout_ttft' | 'timeout_idle' | 'timeout_total' | 'early_stop';

const MAX_ERROR_BODY = 64 * 1024;
const MAX_JSON_BODY = 32 * 1024 * 1024;

/**
 * Everything measured about one logical request, across its attempts. The engine reads it
 * for panes and the timeout sweep; only the runner writes it.
 */
export class Measurement {
  state: PaneState = 'queued';
  attempts = 0;
  /** Clock ms at which the first attempt was written (t0 of the request). */
  firstT0: number | undefined;
  /** t0 of the current attempt. */
  attemptT0: number | undefined;
  headersAt: number | undefined;
  firstContentAt: number | undefined;
  lastContentAt: number | undefined;
  /** Last byte received (for the idle timeout). */
  lastActivityAt: number | undefined;
  contentEvents = 0;
  /** Gaps between consecutive content events of any kind. */
  readonly gaps: number[] = [];
  /** Reasoning events: first and last, and the gaps between consecutive ones. */
  firstReasoningAt: number | undefined;
  lastReasoningAt: number | undefined;
  readonly reasoningGaps: number[] = [];
  /** Output events (answer text, refusal, tool call): first and last, and their gaps. */
  firstOutputAt: number | undefined;
  lastOutputAt: number | undefined;
  readonly outputGaps: number[] = [];
  firstToolAt: number | undefined;
  readonly tools = new ToolCalls();
  /** Reasoning text, kept apart from `parts` so each is counted on its own. */
  readonly reasoningParts: string[] = [];
  /** Reasoning tail for the pane, shown dimmed before the answer; kept when `tail` is. */
  readonly reasoningTail: PaneTail | undefined;
  /** Index of the tool call the pane tail shows open (`⚙ name(` written, `)` not yet). */
  private paneTool: number | undefined;
  bytes = 0;
  httpStatus: number | undefined;
  usageOutputTokens: number | undefined;
  usageReasoningTokens: number | undefined;
  usageInputTokens: number | undefined;
  usageCachedTokens: number | undefined;
  finishReason: string | undefined;
  /** Terminal event ([DONE] / message_stop) seen. */
  sawDone = false;
  /**
   * Whole output text (answer, refusal; tool arguments are in `tools`), kept as parts and joined
   * only if a tokenizer count is needed. Never shown or saved: it may hold whatever the server
   * echoed, the key included (panes get `tail`).
   */
  readonly parts: string[] = [];
  abortCause: AbortCause | undefined;
  /** Set for a turn of a multi-turn session, for its pane. */
  session: SessionTurnTag | undefined;
  private abortFn: ((reason: Error) => void) | undefined;

  constructor(
    readonly id: number,
    readonly mode: Mode,
    /** Bounded, scrubbed tail for a visible pane; undefined when nobody watches this request. */
    readonly tail?: PaneTail,
  ) {
    this.reasoningTail = tail?.sibling();
  }

  /**
   * One content event: every piece it carries arrived at `now`. Keeps the timings per kind (the
   * reasoning and output phases each get their own first/last times and gaps) and the text.
   */
  addContent(now: number, sig: ContentPiece | { readonly pieces: readonly ContentPiece[] }): void {
    let reasoning = false;
    let output = false;
    if ('pieces' in sig) {
      for (const p of sig.pieces) {
        if (this.takePiece(now, p)) reasoning = true;
        else output = true;
      }
    } else if (this.takePiece(now, sig)) reasoning = true;
    else output = true;

    if (this.firstContentAt === undefined) this.firstContentAt = now;
    else if (this.lastContentAt !== undefined) this.gaps.push(now - this.lastContentAt);
    this.lastContentAt = now;
    this.contentEvents++;
    if (reasoning) {
      if (this.firstReasoningAt === undefined) this.firstReasoningAt = now;
      else if (this.lastReasoningAt !== undefined) this.reasoningGaps.push(now - this.lastReasoningAt);
      this.lastReasoningAt = now;
    }
    if (output) {
      if (this.firstOutputAt === undefined) this.firstOutputAt = now;
      else if (this.lastOutputAt !== undefined) this.outputGaps.push(now - this.lastOutputAt);
      this.lastOutputAt = now;
    }
    this.state = this.firstOutputAt === undefined ? 'thinking' : 'streaming';
  }

  /** Keeps one piece's text; true when it is reasoning. */
  private takePiece(now: number, p: ContentPiece): boolean {
    switch (p.kind) {
      case 'reasoning':
        if (p.text.length > 0) {
          this.reasoningParts.push(p.text);
          this.reasoningTail?.push(p.text);
        }
        return true;
      case 'answer':
      case 'refusal':
        this.parts.push(p.text);
        if (this.tail !== undefined) {
          this.closePaneTool();
          this.tail.push(p.text);
        }
        return false;
      case 'tool': {
        this.firstToolAt ??= now;
        const { call, opened } = this.tools.add(p);
        if (this.tail !== undefined) {
          if (opened || this.paneTool !== p.index) {
            this.closePaneTool();
            this.paneTool = p.index;
            const sep = this.tail.text.length > 0 && !this.tail.text.endsWith('\n') ? '\n' : '';
            this.tail.push(`${sep}⚙ ${call?.name ?? p.name ?? 'tool'}(`);
          }
          if (p.args.length > 0) this.tail.push(p.args);
        }
        return false;
      }
    }
  }

  private closePaneTool(): void {
    if (this.paneTool === undefined) return;
    this.paneTool = undefined;
    this.tail?.push(')\n');
  }

  /** Aborts the current attempt (or the next one, if none is on the wire yet). */
  abort(cause: AbortCause): void {
    if (this.abortCause) return;
    this.abortCause = cause;
    this.abortFn?.(new Error(`aborted: ${cause}`));
  }

  /** @internal */
  bindAbort(fn: ((reason: Error) => void) | undefined): void {
    this.abortFn = fn;
    if (fn && this.abortCause) fn(new Error(`aborted: ${this.abortCause}`));
  }

  resetForRetry(): void {
    this.headersAt = undefined;
    this.httpStatus = undefined;
    this.lastActivityAt = undefined;
  }

  fullText(): string {
    return this.parts.join('');
  }

  /**
   * Reasoning tokens: the server's count where it gives one, else the tokenizer over the
   * reasoning text (undefined when the response had no reasoning).
   */
  reasoningTokens(): { tokens: number; source: TokenSource } | undefined {
    // OpenAI reports `reasoning_tokens: 0` on every answer of a model that cannot reason: that is
    // no reasoning, not a reasoning request with zero tokens.
    const reasoned = this.firstReasoningAt !== undefined || (this.usageReasoningTokens ?? 0) > 0;
    if (!reasoned) return undefined;
    if (this.usageReasoningTokens !== undefined) return { tokens: this.usageReasoningTokens, source: 'usage' };
    return { tokens: countTokens(this.reasoningParts.join('')), source: 'tokenizer' };
  }

  /**
   * Output tokens, reasoning excluded. Server usage counts reasoning within its output tokens
   * (OpenAI `completion_tokens`, Anthropic `output_tokens`), so the reasoning count is taken off;
   * the tokenizer counts only the output text (answer, refusal, tool arguments).
   */
  outputTokens(reasoningTokens = 0): { tokens: number; source: TokenSource } {
    if (this.usageOutputTokens !== undefined) return { tokens: Math.max(0, this.usageOutputTokens - reasoningTokens), source: 'usage' };
    const text = this.fullText() + this.tools.argsText();
    return { tokens: text.length === 0 ? 0 : countTokens(text), source: 'tokenizer' };
  }
}

export interface AttemptInput {
  dispatcher: Dispatcher;
  clock: Clock;
  /** The API's wire format: request shape, stream interpreter, body and error parsers. */
  wire: WireFormat;
  url: URL;
  headers: Record<string, string>;
  /** UTF-8 bytes, kept off the JS heap for the life of the request (see request-body.ts). */
  body: Uint8Array;
  mode: Mode;
  /** New connection for this request (the `fresh` connection strategy). */
  reset?: boolean;
  maxEventBytes?: number;
  /** Called after each content event; return true to stop the stream early. */
  onContent?: (m: Measurement, text: string) => boolean;
}

export type AttemptResult =
  | { kind: 'ok' }
  | { kind: 'error'; error: AttemptError; contentStarted: boolean }
  | { kind: 'aborted'; cause: AbortCause };

/**
 * Requests ask for `accept-encoding: identity`, but a proxy may compress anyway; these encodings are
 * decoded (each chunk is stamped when its decoded bytes come out, which is when a client sees them).
 */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

function headerString(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** One HTTP attempt. Never rejects: every outcome is a result. */
export function runAttempt(input: AttemptInput, m: Measurement): Promise<AttemptResult> {
  const { clock, wire, mode } = input;
  m.attempts++;
  m.resetForRetry();
  m.state = 'connecting';

  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    let phase: 'connect' | 'headers' | 'body' = 'connect';
    // Chosen once headers arrive: how the body is consumed.
    let sink: 'sse' | 'json' | 'error' = 'json';
    let bodyChunks: Buffer[] = [];
    let bodyLen = 0;
    let contentType = '';
    let retryAfterMs: number | undefined;
    let location: string | undefined;
    let decoder: Transform | undefined;
    let streamFailure: AttemptError | undefined;
    let chunkAt = 0;
    const interp = wire.createStreamInterpreter();

    const finish = (r: AttemptResult): void => {
      if (settled) return;
      settled = true;
      m.bindAbort(undefined);
      bodyChunks = [];
      decoder?.destroy();
      resolve(r);
    };

    const fail = (error: AttemptError, controller?: Dispatcher.DispatchController): void => {
      if (settled) return;
      const contentStarted = m.contentEvents > 0;
      finish({ kind: 'error', error, contentStarted });
      if (controller && !controller.aborted) controller.abort(new Error(error.code));
    };

    const onEvent = (ev: SseEvent, controller: Dispatcher.DispatchController): void => {
      if (settled) return;
      const sig = interp.onEvent(ev);
      switch (sig.kind) {
        case 'reasoning':
        case 'answer':
        case 'refusal':
        case 'tool':
        case 'several': {
          // Every event of one network chunk arrived at the same moment: stamp them with the
          // chunk's arrival time (one clock read per chunk, not per event).
          m.addContent(chunkAt, sig);
          if (input.onContent?.(m, textOf(sig))) {
            m.abortCause = 'early_stop';
            finish({ kind: 'aborted', cause: 'early_stop' });
            controller.abort(new Error('early stop'));
          }
          return;
        }
        case 'done':
          m.sawDone = true;
          return;
        case 'error':
          streamFailure = { code: sig.code, message: sig.message };
          fail(streamFailure, controller);
          return;
        default:
          return;
      }
    };

    let activeController: Dispatcher.DispatchController | undefined;
    const sse = new SseDecoder((ev) => {
      if (activeController) onEvent(ev, activeController);
    }, {
      ...(input.maxEventBytes !== undefined ? { maxEventBytes: input.maxEventBytes } : {}),
      onError: (_code, detail) => {
        streamFailure = { code: 'sse_event_too_large', message: detail };
      },
    });

    /** A piece of the (decoded) body: into the SSE decoder, or kept for a JSON / error body. */
    const takeBody = (chunk: Buffer, controller: Dispatcher.DispatchController): void => {
      if (settled) return;
      chunkAt = clock.now();
      if (sink === 'sse') {
        sse.push(chunk);
        if (streamFailure && !settled) fail(streamFailure, controller);
        return;
      }
      const cap = sink === 'error' ? MAX_ERROR_BODY : MAX_JSON_BODY;
      if (bodyLen < cap) {
        const room = cap - bodyLen;
        bodyChunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        bodyLen += Math.min(room, chunk.length);
      } else if (sink === 'json') {
        fail({ code: 'body_invalid', message: `response body over ${MAX_JSON_BODY} bytes` }, controller);
      }
    };

    /** The whole (decoded) body has arrived. */
    const endBody = (): void => {
      if (settled) return;
      const now = clock.now();
      const status = m.httpStatus ?? 0;
      if (sink === 'error') {
        const text = Buffer.concat(bodyChunks).toString('utf8');
        finish({
          kind: 'error',
          contentStarted: false,
          error: {
            code: codeForStatus(status),
            httpStatus: status,
            message: status < 400 ? redirectMessage(status, location, input.url) : `HTTP ${status}: ${wire.parseErrorBody(status, text)}`,
            ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          },
        });
        return;
      }
      if (sink === 'sse') {
        sse.end();
        if (streamFailure) return fail(streamFailure);
        m.usageOutputTokens = interp.outputTokens;
        m.usageReasoningTokens = interp.reasoningTokens;
        m.usageInputTokens = interp.inputTokens;
        m.usageCachedTokens = interp.cachedTokens;
        m.finishReason = interp.finishReason;
        if (m.contentEvents === 0)
          return fail({ code: 'stream_no_content', message: 'stream ended without any content event' });
        if (!m.sawDone)
          return fail({
            code: 'stream_disconnected',
            message: `stream ended after ${m.contentEvents} content events without its end marker`,
          });
        m.state = 'done';
        return finish({ kind: 'ok' });
      }
      // JSON body: a non-streaming completion, or a JSON answer to a stream request.
      const text = Buffer.concat(bodyChunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        const what = contentType.includes('html') || /^\s*</.test(text) ? 'an HTML page' : 'invalid JSON';
        return fail({ code: 'body_invalid', message: `HTTP ${status} with ${what} instead of a completion` });
      }
      const parsed = wire.parseNonStreamBody(json);
      if (!parsed.ok) return fail({ code: parsed.code, message: parsed.message });
      if (mode === 'stream')
        return fail({
          code: 'bad_content_type',
          message: `asked for a stream, got a ${contentType || 'JSON'} completion (HTTP ${status})`,
        });
      // The whole completion is one content event at `now`, each kind of it included.
      m.addContent(now, parsed);
      m.usageOutputTokens = parsed.outputTokens;
      m.usageReasoningTokens = parsed.reasoningTokens;
      m.usageInputTokens = parsed.inputTokens;
      m.usageCachedTokens = parsed.cachedTokens;
      m.finishReason = parsed.finishReason;
      m.sawDone = true;
      m.state = 'done';
      finish({ kind: 'ok' });
    };

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(controller) {
        activeController = controller;
        const now = clock.now();
        m.attemptT0 = now;
        if (m.firstT0 === undefined) m.firstT0 = now;
        m.lastActivityAt = now;
        m.state = 'waiting';
        phase = 'headers';
        m.bindAbort((reason) => controller.abort(reason));
      },
      onResponseStart(controller, statusCode, headers) {
        // 1xx informational responses come here too; only a final status counts.
        if (statusCode < 200) return;
        const now = clock.now();
        m.headersAt = now;
        m.lastActivityAt = now;
        m.httpStatus = statusCode;
        phase = 'body';
        contentType = (headerString(headers, 'content-type') ?? '').toLowerCase();
        const encoding = (headerString(headers, 'content-encoding') ?? '').trim().toLowerCase();
        if (encoding !== '' && encoding !== 'identity') {
          const make = DECODERS[encoding];
          if (make === undefined) {
            fail(
              {
                code: 'bad_content_encoding',
                message: `HTTP ${statusCode} body in content-encoding "${encoding}", which streamtop does not decode (it asks for identity; gzip, deflate and br are decoded)`,
                httpStatus: statusCode,
              },
              controller,
            );
            return;
          }
          decoder = make();
          decoder.on('data', (c: Buffer) => takeBody(c, controller));
          decoder.on('end', endBody);
          decoder.on('error', (e: Error) =>
            fail({ code: 'body_invalid', message: `HTTP ${statusCode} body is not valid ${encoding} (${e.message})`, httpStatus: statusCode }, controller),
          );
        }
        if (statusCode < 200 || statusCode >= 300) {
          sink = 'error';
          retryAfterMs = parseRetryAfter(headers['retry-after']);
          location = headerString(headers, 'location');
          return;
        }
        if (mode === 'stream') {
          if (contentType.startsWith('text/event-stream')) sink = 'sse';
          else if (contentType.includes('json')) sink = 'json';
          else {
            fail(
              {
                code: 'bad_content_type',
                message: `expected text/event-stream, got ${contentType || 'no content-type'} (HTTP ${statusCode})`,
                httpStatus: statusCode,
              },
              controller,
            );
          }
        } else {
          sink = 'json';
        }
      },
      onResponseData(controller, chunk) {
        if (settled) return;
        m.bytes += chunk.length;
        m.lastActivityAt = clock.now();
        if (decoder !== undefined) decoder.write(chunk);
        else takeBody(chunk, controller);
      },
      onResponseEnd() {
        if (settled) return;
        if (decoder !== undefined) decoder.end();
        else endBody();
      },
      onResponseError(_controller, err) {
        if (settled) return;
        if (m.abortCause) return finish({ kind: 'aborted', cause: m.abortCause });
        const cls = classifyNetworkError(err, phase === 'body' && m.contentEvents > 0 ? 'body' : phase === 'body' ? 'headers' : phase);
        if (phase === 'body' && m.contentEvents === 0 && cls.code === 'connect_reset') {
          cls.message = `connection closed before any content (${cls.message})`;
        }
        fail(cls);
      },
    };

    try {
      input.dispatcher.dispatch(
        {
          origin: input.url.origin,
          path: input.url.pathname + input.url.search,
          method: 'POST',
          headers: input.headers,
          body: input.body,
          // Our own timeout sweep owns TTFT / idle / total limits; undici's would race it.
          headersTimeout: 0,
          bodyTimeout: 0,
          ...(input.reset ? { reset: true } : {}),
        },
        handler,
      );
    } catch (err) {
      fail(classifyNetworkError(err, 'connect'));
    }
  });
}

/** The text an event carried, for the early-stop rule (which reads every kind). */
function textOf(sig: ContentPiece | { readonly pieces: readonly ContentPiece[] }): string {
  if (!('pieces' in sig)) return sig.kind === 'tool' ? sig.args : sig.text;
  let s = '';
  for (const p of sig.pieces) s += p.kind === 'tool' ? p.args : p.text;
  return s;
}

export function errorCodeForAbort(cause: AbortCause): ErrorCode | undefined {
  switch (cause) {
    case 'timeout_ttft':
    case 'timeout_idle':
    case 'timeout_total':
      return cause;
    case 'cancelled':
      return 'cancelled';
    case 'early_stop':
      return undefined;
  }
}
