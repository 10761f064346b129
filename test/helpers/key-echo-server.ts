import type { IncomingMessage } from 'node:http';
import { openAiChunk, openAiJson, openAiUsage, sleep, sseHeaders, type Script } from './scripted-server.ts';

/**
 * A server in a proxy's "debug mode": it hands the caller's credentials back in every place a
 * client shows text. Used by the secret-leak tests (issue 13): whatever comes back, no piece of
 * the key may reach a pane, a report, a record or a message.
 */

/** 40 characters and not shaped like `sk-...`, so no pattern can catch it: only the known value can. */
export const CANARY_KEY = 'canary-7Q2xLm9Rt4Vb8Nc3Kd6Wf1Hg5Js0Pa2Ze';

export const MIN_PIECE = 8;

/** Every substring of `MIN_PIECE` characters of `secret`. Any longer leaked piece contains one. */
export function piecesOf(secret: string, n = MIN_PIECE): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= secret.length; i++) out.push(secret.slice(i, i + n));
  return out;
}

/** The first piece of `secret` found in `text`, or undefined. */
export function leakedPiece(text: string, secret: string): string | undefined {
  return piecesOf(secret).find((p) => text.includes(p));
}

function authorizationOf(req: IncomingMessage): string {
  const v = req.headers.authorization;
  return typeof v === 'string' ? v : '(no authorization header)';
}

export type EchoKind = 'echo' | 'error-at-cut' | 'error-partial' | 'stream-error-headers';

export const ECHO_KINDS: readonly EchoKind[] = ['echo', 'error-at-cut', 'error-partial', 'stream-error-headers'];

/**
 * Answers each request in one of these echoing ways, taking `kinds` in turn:
 * - echo: the answer text carries the Authorization header; a stream sends it split in two
 *   content events, `gapMs` apart;
 * - error-at-cut: a 401 whose message puts the key across the 200-character cut of messages;
 * - error-partial: a 403 that quotes a middle part of the key, as gateways that "mask" keys do;
 * - stream-error-headers: a stream echoes as above, then fails with an error event quoting the
 *   request's headers (a non-streaming request gets `echo`).
 */
export function keyEchoScript(opts: { gapMs: number; kinds?: readonly EchoKind[] }): Script {
  const kinds = opts.kinds ?? ECHO_KINDS;
  let n = 0;
  return async (req, res, body) => {
    if (req.method !== 'POST') {
      // streamtop's reachability check (GET /).
      res.writeHead(404).end();
      return;
    }
    const kind = kinds[n++ % kinds.length] ?? 'echo';
    const auth = authorizationOf(req);
    const key = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : auth;
    const stream = (JSON.parse(body) as { stream?: boolean }).stream === true;
    if (kind === 'error-at-cut') {
      // "HTTP 401: " (10) + 177 characters put the key's first 12 characters before the cut at 200.
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `${'x'.repeat(170)} token ${key} rejected` } }));
      return;
    }
    if (kind === 'error-partial') {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `key ...${key.slice(9, 27)}... is not allowed on this deployment` }));
      return;
    }
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(openAiJson(`debug: you sent ${auth}`, 6));
      return;
    }
    sseHeaders(res);
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })}\n\n`);
    const half = Math.floor(auth.length / 2);
    res.write(openAiChunk('debug: you sent '));
    for (const part of [auth.slice(0, half), auth.slice(half)]) {
      await sleep(opts.gapMs);
      if (res.destroyed) return;
      res.write(openAiChunk(part));
    }
    await sleep(opts.gapMs);
    if (res.destroyed) return;
    if (kind === 'stream-error-headers') {
      res.end(`data: ${JSON.stringify({ error: { message: `upstream failed for headers ${JSON.stringify(req.headers)}` } })}\n\n`);
      return;
    }
    res.write(openAiChunk(' (end of echo)'));
    res.write(openAiUsage(6));
    res.end('data: [DONE]\n\n');
  };
}
