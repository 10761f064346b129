// Small HTTP helpers shared by the API and admin routes.

import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'tooLarge' | 'aborted' };

/** Reads the request body up to `limit` bytes; stops reading (and says so) past it. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve({ ok: false, reason: 'tooLarge' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish({ ok: false, reason: 'tooLarge' });
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) }));
    req.once('error', () => finish({ ok: false, reason: 'aborted' }));
    req.once('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/** An HTTP/2 compatibility response (see tls.ts): it has a `stream`, a node:http one does not. */
export function isHttp2(res: ServerResponse): boolean {
  return (res as unknown as { stream?: unknown }).stream !== undefined;
}

/** HTTP/2 forbids connection-specific headers; drop them there. */
export function forProtocol(res: ServerResponse, headers: Record<string, string>): Record<string, string> {
  if (!isHttp2(res) || (headers.connection === undefined && headers['keep-alive'] === undefined)) return headers;
  const { connection: _c, 'keep-alive': _k, ...rest } = headers;
  return rest;
}

export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed === true) return;
  res.writeHead(status, forProtocol(res, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }));
  res.end(body);
}

/** Parses JSON, returning undefined (not throwing) on invalid input. */
export function tryParseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
