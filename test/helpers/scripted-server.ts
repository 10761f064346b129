import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

/**
 * A real HTTP server on 127.0.0.1:0 whose every response a test scripts. Used for the fault
 * matrix and runner tests: things the simulator does not do on purpose (HTML error pages,
 * wrong content types, invalid UTF-8, 1 MiB events, servers that never answer).
 */
export type Script = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export interface ScriptedServer {
  url: string;
  origin: string;
  port: number;
  requests: number;
  /** Headers of every request received, for secret-leak and header tests. */
  headers: IncomingMessage['headers'][];
  setScript(s: Script): void;
  close(): Promise<void>;
  openSockets(): number;
  /** Connections accepted since start. */
  connectionsAccepted(): number;
}

export async function startScriptedServer(initial: Script): Promise<ScriptedServer> {
  let script = initial;
  const sockets = new Set<Socket>();
  const state = { requests: 0, headers: [] as IncomingMessage['headers'][] };
  const server: Server = createServer((req, res) => {
    state.requests++;
    state.headers.push(req.headers);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(script(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() => res.destroy());
    });
  });
  let accepted = 0;
  server.on('connection', (s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    port,
    get requests() {
      return state.requests;
    },
    headers: state.headers,
    setScript(s) {
      script = s;
    },
    openSockets: () => sockets.size,
    connectionsAccepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function sseHeaders(res: ServerResponse, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
}

export function openAiChunk(content: string, extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra,
  })}\n\n`;
}

export function openAiUsage(completion: number, prompt = 5): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  })}\n\n`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Streams `tokens` OpenAI chunks `gapMs` apart after `ttftMs`, then usage and [DONE]. */
export function pacedOpenAiStream(opts: { ttftMs: number; gapMs: number; tokens: number; usage?: boolean }): Script {
  return async (_req, res) => {
    sseHeaders(res);
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })}\n\n`);
    await sleep(opts.ttftMs);
    for (let i = 0; i < opts.tokens; i++) {
      if (i > 0) await sleep(opts.gapMs);
      if (res.destroyed) return;
      res.write(openAiChunk(` w${i}`));
    }
    if (opts.usage !== false) res.write(openAiUsage(opts.tokens));
    res.end('data: [DONE]\n\n');
  };
}

export function openAiJson(text: string, completion: number): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: completion, total_tokens: 5 + completion },
  });
}

/**
 * SSE headers, then one comment byte pair every `gapMs` (at most `max` of them): the connection is
 * never idle, yet no content ever arrives (a stuck upstream behind a keep-alive proxy).
 */
export function tricklingStream(gapMs: number, max = 200): Script {
  return async (_req, res) => {
    sseHeaders(res);
    for (let i = 0; i < max && !res.destroyed; i++) {
      res.write(': \n');
      await sleep(gapMs);
    }
    if (!res.destroyed) res.end();
  };
}

const ENCODERS = { gzip: gzipSync, br: brotliCompressSync, deflate: deflateSync } as const;

/** A healthy two-token stream, compressed whole, as a server or proxy that ignores `accept-encoding: identity` sends it. */
export function compressedOpenAiStream(encoding: keyof typeof ENCODERS): Script {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': encoding });
    res.end(ENCODERS[encoding](Buffer.from(openAiChunk('one') + openAiChunk(' two') + openAiUsage(2) + 'data: [DONE]\n\n')));
  };
}
