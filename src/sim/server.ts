// The simulator's HTTP server: routing and lifecycle. startSimulator runs it in-process (tests);
// spawn.ts runs it in a child process so it never shares an event loop with a measuring client.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiRoutes } from './api.ts';
import { handleAdmin } from './admin.ts';
import type { SimConfig } from './config.ts';
import { SimCore } from './core.ts';
import { sendJson } from './http-util.ts';
import { LiveConfig } from './live-config.ts';
import type { SimStats } from './stats.ts';
import { anthropicWire } from './wire-anthropic.ts';
import { openaiWire } from './wire-openai.ts';
import type { WireFormat } from './wire.ts';

export type { SimStats } from './stats.ts';

export interface SimServer {
  /** Base URL without /v1, e.g. http://127.0.0.1:PORT (OpenAI clients append /v1). */
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
  stats(): SimStats;
  /** The live config object; POST /admin/config changes it (prefer that from outside). */
  config: SimConfig;
  /** With --tls: the self-signed certificate (PEM) to trust. */
  ca?: string;
}

export interface Router {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

/** Builds the request handler over a fresh core (shared by the HTTP/1.1 and TLS/HTTP/2 servers). */
export function createRouter(config: SimConfig): { router: Router; core: SimCore } {
  const core = new SimCore(config);
  const live = new LiveConfig(config, () => {
    core.limiter.configure(config.rpm, config.tpm);
    core.pump();
  });
  const api = new ApiRoutes(core);
  const fail = (res: ServerResponse, err: unknown): void => {
    // A bug must not take the server down mid-benchmark: answer 500 and keep serving.
    process.stderr.write(`streamtop sim: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!res.headersSent) sendJson(res, 500, JSON.stringify({ error: { message: 'internal simulator error', type: 'server_error' } }));
    else res.destroy();
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    let done: Promise<void> | void = undefined;
    try {
      if (path === '/v1/chat/completions' || path === '/chat/completions') done = api.chat(openaiWire, req, res);
      else if (path === '/v1/messages' || path === '/messages') done = api.chat(anthropicWire, req, res);
      else if (path === '/v1/models' || path === '/models') {
        const wire = wireFor(req, path);
        if (req.method !== 'GET') api.error(wire, res, 'methodNotAllowed', `Method ${req.method ?? ''} not allowed; use GET.`, { allow: 'GET' });
        else api.models(wire, req, res);
      } else if (path === '/health') sendJson(res, 200, '{"status":"ok"}');
      else if (path.startsWith('/admin/')) done = handleAdmin(core, live, req, res, path, query);
      else api.error(wireFor(req, path), res, 'notFound', `Invalid URL (${req.method ?? ''} ${path})`, {});
    } catch (err) {
      fail(res, err);
    }
    if (done !== undefined) done.catch((err: unknown) => fail(res, err));
  };
  return {
    core,
    router: {
      handle,
      close: () => {
        live.close();
        core.close();
      },
    },
  };
}

/** Anthropic-shaped errors for Anthropic paths or clients (anthropic-version header), else OpenAI. */
function wireFor(req: IncomingMessage, path: string): WireFormat {
  return path.startsWith('/v1/messages') || req.headers['anthropic-version'] !== undefined ? anthropicWire : openaiWire;
}

export function formatUrl(protocol: 'http' | 'https', host: string, port: number): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `${protocol}://${shown}:${port}`;
}

export async function startSimulator(config: SimConfig): Promise<SimServer> {
  if (config.tls) {
    const { startTlsSimulator } = await import('./tls.ts');
    return startTlsSimulator(config);
  }
  const { router, core } = createRouter(config);
  const server = createServer({ noDelay: true, keepAliveTimeout: 65_000, highWaterMark: 64 * 1024 }, router.handle);
  // Streams can last minutes; the defaults would cut long idle keep-alive or slow uploads only.
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  return {
    url: formatUrl('http', config.host, port),
    port,
    host: config.host,
    config,
    stats: () => core.snapshot(),
    close: () => closeServer(server, router),
  };
}

export function listen(server: Server | import('node:http2').Http2SecureServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    // A deep accept backlog: a benchmark opening 1,000 connections at once would otherwise overflow
    // Node's default (511) and wait out SYN retransmits (1 s, 3 s, ...), which looks like latency.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function closeServer(server: Server, router: Router): Promise<void> {
  router.close();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // In-flight streams would hold close() open for their whole generation: cut them.
  server.closeAllConnections();
  await closed;
}
