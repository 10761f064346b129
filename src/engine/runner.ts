import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { SseDecoder, type SseEvent } from './sse.ts';
import type { WireFormat } from './wire/index.ts';
import { countTokens } from './wire/tokens.ts';
import type { Clock } from './clock.ts';
import type { PaneTail } from './pane-tail.ts';
import { classifyNetworkError, codeForStatus, parseRetryAfter, redirectMessage, type AttemptError } from './errors.ts';
import type { ErrorCode, Mode, PaneState, TokenSource } from './types.ts';

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
  readonly gaps: number[] = [];
  bytes = 0;
  httpStatus: number | undefined;
  usageOutputTokens: number | undefined;
  usageInputTokens: number | undefined;
  usageCachedTokens: number | undefined;
  finishReason: string | undefined;
  /** Terminal event ([DONE] / message_stop) seen. */
  sawDone = false;
  /**
   * Whole text, kept as parts and joined only if a tokenizer count is needed. Never shown or
   * saved: it may hold whatever the server echoed, the key included (panes get `tail`).
   */
  readonly parts: string[] = [];
  abortCause: AbortCause | undefined;
  private abortFn: ((reason: Error) => void) | undefined;

  constructor(
    readonly id: number,
    readonly mode: Mode,
    /** Bounded, scrubbed tail for a visible pane; undefined when nobody watches this request. */
    readonly tail?: PaneTail,
  ) {}

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

  outputTokens(): { tokens: number; source: TokenSource } {
    if (this.usageOutputTokens !== undefined) return { tokens: this.usageOutputTokens, source: 'usage' };
    if (this.parts.length === 0) return { tokens: 0, source: 'tokenizer' };
    return { tokens: countTokens(this.fullText()), source: 'tokenizer' };
  }
}

export interface AttemptInput {
  dispatcher: Dispatcher;
  clock: Clock;
  /** The API's wire format: request shape, stream interpreter, body and error parsers. */
  wire: WireFormat;
  url: URL;
  headers: Record<string, string>;
  body: string;
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
        case 'content': {
          // Every event of one network chunk arrived at the same moment: stamp them with the
          // chunk's arrival time (one clock read per chunk, not per event).
          const now = chunkAt;
          if (m.firstContentAt === undefined) {
            m.firstContentAt = now;
            m.state = 'streaming';
          } else if (m.lastContentAt !== undefined) {
            m.gaps.push(now - m.lastContentAt);
          }
          m.lastContentAt = now;
          m.contentEvents++;
          m.parts.push(sig.text);
          m.tail?.push(sig.text);
          if (input.onContent?.(m, sig.text)) {
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
      m.firstContentAt = now;
      m.lastContentAt = now;
      m.contentEvents = 1;
      m.parts.push(parsed.text);
      m.tail?.set(parsed.text);
      m.usageOutputTokens = parsed.outputTokens;
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
