// The pass-through half of the proxy (`sim --proxy-to`): which headers cross it, and how an
// upstream body is written on, piece by piece as it arrives.

import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * Hop-by-hop headers (RFC 9110 7.6.1) describe one connection, not the message: a proxy drops
 * them (and any header the `connection` header names) and sets its own.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'http2-settings']);
/** Request headers the HTTP client sets itself for the upstream connection and the body it sends. */
const REQUEST_OWN = new Set(['host', 'content-length', 'expect']);

function namedByConnection(headers: IncomingHttpHeaders): Set<string> {
  const c = headers.connection;
  const list = Array.isArray(c) ? c.join(',') : (c ?? '');
  return new Set(list.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== ''));
}

function copyHeaders(headers: IncomingHttpHeaders, drop: (name: string) => boolean): Record<string, string | string[]> {
  const named = namedByConnection(headers);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || drop(name)) continue;
    out[name] = value;
  }
  return out;
}

/** What goes upstream: the client's headers (its Authorization / x-api-key included) less hop-by-hop ones. */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  return copyHeaders(headers, (name) => REQUEST_OWN.has(name) || name.startsWith(':'));
}

/** What goes back to the client: the upstream's headers less hop-by-hop ones (content-length stays: the body is the same bytes). */
export function clientResponseHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  return copyHeaders(headers as IncomingHttpHeaders, () => false);
}

/** Resolves on 'drain', or on 'close' (the client left: the next write check sees it). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

export interface RelayOptions {
  /** Waited before each piece is written on (0: written in the same tick it arrives). */
  chunkDelayMs: number;
  sleep(ms: number): Promise<void>;
  /** Called for every piece written. */
  onChunk(bytes: number): void;
}

/**
 * Writes each piece of `body` to `res` as it arrives: one write per piece, never merged or split
 * (so an SSE stream keeps its event boundaries and timing), respecting the client's backpressure by
 * pausing the upstream body. Resolves when the body ended and was written (the caller ends `res`);
 * rejects when the body fails (upstream cut, or aborted because the client left).
 *
 * 'data' events, not async iteration: a paused Readable's iterator hands back everything buffered
 * as one merged piece, while flowing mode emits the pieces one by one.
 */
export function relayBody(body: Readable, res: ServerResponse, opts: RelayOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const queue: Buffer[] = [];
    let busy = false;
    let ended = false;
    let settled = false;
    const cleanup = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve();
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const write = (chunk: Buffer): boolean => {
      opts.onChunk(chunk.length);
      return res.write(chunk);
    };
    // Works through the queue, waiting as needed; the body stays paused meanwhile.
    const pump = async (first?: Promise<void>): Promise<void> => {
      busy = true;
      body.pause();
      if (first !== undefined) await first;
      while (queue.length > 0 && !settled) {
        const chunk = queue.shift() as Buffer;
        if (opts.chunkDelayMs > 0) await opts.sleep(opts.chunkDelayMs);
        if (res.destroyed) return fail(new Error('client closed the connection'));
        if (!write(chunk)) await drained(res);
      }
      if (res.destroyed) return fail(new Error('client closed the connection'));
      busy = false;
      if (ended) finish();
      else body.resume();
    };
    const onData = (chunk: Buffer): void => {
      if (busy || opts.chunkDelayMs > 0) {
        queue.push(chunk);
        if (!busy) pump().catch(fail);
        return;
      }
      if (!write(chunk)) pump(drained(res)).catch(fail);
    };
    const onEnd = (): void => {
      ended = true;
      if (!busy) finish();
    };
    const onError = (err: Error): void => fail(err);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}
