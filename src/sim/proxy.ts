// `streamtop sim --proxy-to URL --added-latency MS[:SD]`: an emulated gateway. It forwards every
// request to another server (a simulator or a real endpoint) over kept-alive connections, waits
// the added latency (drawn per request with the seeded PRNG) before the request goes upstream, so
// the whole response, first byte included, reaches the client that much later, and passes the
// response through piece by piece. "Through a gateway vs direct", offline.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { redactUrl } from '../shared/url-secrets.ts';
import type { SimConfig } from './config.ts';
import { readBody, sendJson } from './http-util.ts';
import { mixSeeds, mulberry32, normal, type Rng } from './prng.ts';
import type { ProxySettings } from './proxy-settings.ts';
import { ProxyStats } from './proxy-stats.ts';
import { clientResponseHeaders, relayBody, upstreamRequestHeaders } from './relay.ts';
import { Scheduler } from './scheduler.ts';
import { formatUrl, listen } from './server.ts';
import { anthropicWire } from './wire-anthropic.ts';
import { openaiWire } from './wire-openai.ts';
import { ERROR_STATUS, type ErrorKind, type WireFormat } from './wire.ts';

export interface ProxyServer {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
  /** What GET /admin/stats answers. */
  stats(): Record<string, unknown>;
}

/** Methods whose requests carry no body (undici refuses one on them). */
const BODYLESS = new Set(['GET', 'HEAD']);

function adminError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, JSON.stringify({ error: { message } }));
}

/** Anthropic-shaped errors for Anthropic paths or clients (anthropic-version header), else OpenAI's. */
function wireFor(req: IncomingMessage, path: string): WireFormat {
  return path.startsWith('/v1/messages') || path.startsWith('/messages') || req.headers['anthropic-version'] !== undefined ? anthropicWire : openaiWire;
}

/** Why the upstream failed, in a few words (no headers, no body: nothing secret). */
function upstreamFailure(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
}

class GatewayProxy {
  readonly stats = new ProxyStats();
  private readonly settings: ProxySettings;
  private readonly pool: Pool;
  private readonly prefix: string;
  /** The upstream as shown in messages and stats (credentials in its query masked). */
  readonly shownUpstream: string;
  private readonly rng: Rng;
  private readonly scheduler = new Scheduler();

  constructor(private readonly config: SimConfig & { proxy: ProxySettings }) {
    this.settings = config.proxy;
    const base = new URL(this.settings.to);
    this.prefix = base.pathname.replace(/\/+$/, '');
    this.shownUpstream = redactUrl(this.settings.to);
    // One connection per concurrent request, kept alive between them, as a gateway keeps its
    // upstream connections; no timeouts of our own beyond undici's (the client's own apply).
    this.pool = new Pool(base.origin, { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
    this.rng = mulberry32(mixSeeds(config.seed, 0x9a7e));
  }

  /** This request's added latency: normal(mean, sd), never below 0; drawn in arrival order. */
  private drawLatency(): number {
    const { mean, sd } = this.settings.addedLatency;
    return sd === 0 ? mean : Math.max(0, mean + sd * normal(this.rng));
  }

  /**
   * The added latency's wait, to within a few microseconds: a timer for all but the last
   * millisecond or so (Node's timers have 1 ms resolution and fire up to about that late), then
   * polling between I/O events (setImmediate) for the rest. Resolves at once when `signal` aborts.
   * Once per request, so the polling costs well under a millisecond of CPU per request.
   */
  private waitUntil(due: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        if (immediate !== undefined) clearImmediate(immediate);
        resolve();
      };
      const check = (): void => {
        const left = due - performance.now();
        if (left <= 0) {
          signal.removeEventListener('abort', onAbort);
          resolve();
        } else if (left > 1.5) timer = setTimeout(check, Math.max(1, Math.floor(left - 1)));
        else immediate = setImmediate(check);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  /**
   * Resolves at `due` (performance.now() ms) on the shared scheduler (about a millisecond late at
   * most, like a token: per streamed piece, so no polling), or at once when `signal` aborts.
   */
  private sleepUntil(due: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      const onAbort = (): void => resolve();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.scheduler.add({
        due,
        seq: 0,
        run: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return false;
        },
      });
    });
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/health') return sendJson(res, 200, '{"status":"ok"}');
    // The upstream's ground truth (a simulator's per-request records) answers through the proxy,
    // without added latency: the ids are the client's x-request-id, passed through.
    const own = path.startsWith('/admin/') && !path.startsWith('/admin/requests');
    const done = own ? this.admin(req, res, path) : this.forward(req, res, path, !path.startsWith('/admin/'));
    done.catch((err: unknown) => {
      // A bug must not take the proxy down mid-benchmark: answer 500 (or cut the stream) and go on.
      process.stderr.write(`streamtop sim: internal proxy error: ${err instanceof Error ? err.message : String(err)}\n`);
      if (!res.headersSent) sendJson(res, 500, JSON.stringify({ error: { message: 'internal proxy error', type: 'server_error' } }));
      else res.destroy();
    });
  };

  private async admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === '/admin/stats' && method === 'GET') return sendJson(res, 200, JSON.stringify(this.stats.snapshot(this.shownUpstream)));
    if (path === '/admin/stats/reset' && method === 'POST') {
      this.stats.reset();
      return sendJson(res, 200, JSON.stringify(this.stats.snapshot(this.shownUpstream)));
    }
    if (path === '/admin/config' && method === 'GET') return sendJson(res, 200, JSON.stringify({ config: this.publicConfig(), pendingReverts: [] }));
    if (path === '/admin/config' && method === 'POST') {
      return adminError(res, 400, 'this is a proxy (--proxy-to): it has no knobs to change at run time; change the upstream\'s, or restart the proxy with other flags');
    }
    return adminError(res, 404, `no admin route ${method} ${path} on a proxy; it answers GET /admin/stats, POST /admin/stats/reset, GET /admin/config, and /admin/requests from its upstream`);
  }

  private publicConfig(): Record<string, unknown> {
    const { host, port, seed, maxBodyBytes } = this.config;
    const { addedLatency, addedChunkLatencyMs } = this.settings;
    return { mode: 'proxy', upstream: this.shownUpstream, addedLatency, addedChunkLatencyMs, seed, host, port, maxBodyBytes };
  }

  private error(res: ServerResponse, stats: ProxyStats, wire: WireFormat, kind: ErrorKind, message: string, headers: Record<string, string> = {}): void {
    stats.status(ERROR_STATUS[kind]);
    sendJson(res, ERROR_STATUS[kind], wire.errorBody(kind, message), headers);
  }

  /**
   * Forwards one request. `api`: an API request (added latency, counted in the stats); else an
   * /admin/requests lookup, passed straight through and left out of the stats.
   */
  private async forward(req: IncomingMessage, res: ServerResponse, path: string, api: boolean): Promise<void> {
    const received = performance.now();
    const wire = wireFor(req, path);
    const abort = new AbortController();
    let clientGone = false;
    res.once('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      abort.abort();
    });
    const stats = api ? this.stats : new ProxyStats();
    stats.received += 1;
    stats.inFlight += 1;
    try {
      const limit = this.config.maxBodyBytes;
      const body = await readBody(req, limit);
      if (!body.ok) {
        if (body.reason === 'tooLarge') return this.error(res, stats, wire, 'tooLarge', `Request body exceeds the limit of ${limit} bytes.`, { connection: 'close' });
        stats.clientAborts += 1;
        return;
      }
      if (api) {
        const drawn = this.drawLatency();
        stats.addedLatencyMs.add(drawn);
        if (drawn > 0) await this.waitUntil(received + drawn, abort.signal);
        if (clientGone) {
          stats.clientAborts += 1;
          return;
        }
        stats.lateMs.add(Math.max(0, performance.now() - received - drawn));
      }
      await this.exchange(req, res, body.body, stats, abort.signal);
    } catch (err) {
      if (clientGone) {
        stats.clientAborts += 1;
        return;
      }
      stats.upstreamErrors += 1;
      // Before the headers: the client gets a 502 in its API's error shape. After: the stream is
      // cut, as a gateway whose upstream broke off mid-response does.
      if (!res.headersSent) this.error(res, stats, wire, 'badGateway', `Bad gateway: the upstream ${this.shownUpstream} failed: ${upstreamFailure(err)}`);
      else res.destroy();
    } finally {
      stats.inFlight -= 1;
    }
  }

  /** Sends the request upstream and relays the response; throws when the upstream fails. */
  private async exchange(req: IncomingMessage, res: ServerResponse, body: Buffer, stats: ProxyStats, signal: AbortSignal): Promise<void> {
    const method = req.method ?? 'GET';
    const up = await this.pool.request({
      path: `${this.prefix}${req.url ?? '/'}`,
      method: method as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(req.headers),
      body: BODYLESS.has(method) ? null : body,
      signal,
    });
    res.writeHead(up.statusCode, clientResponseHeaders(up.headers));
    stats.status(up.statusCode);
    // Headers go on now, as the upstream sent them (a queued stream's TTFB stays small).
    res.flushHeaders();
    await relayBody(up.body, res, {
      chunkDelayMs: this.settings.addedChunkLatencyMs,
      sleep: (ms) => this.sleepUntil(performance.now() + ms, signal),
      onChunk: (bytes) => {
        stats.chunks += 1;
        stats.bytes += bytes;
      },
    });
    res.end();
    stats.completed += 1;
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    // Cuts requests still upstream: their clients are being cut too.
    await this.pool.destroy().catch(() => undefined);
  }
}

/** Starts the proxy described by `config.proxy` (host, port, seed and maxBodyBytes from `config`). */
export async function startProxy(config: SimConfig): Promise<ProxyServer> {
  const settings = config.proxy;
  if (settings === undefined) throw new Error('startProxy: config.proxy is not set');
  const proxy = new GatewayProxy({ ...config, proxy: settings });
  const server: Server = createServer({ noDelay: true, keepAliveTimeout: 65_000, highWaterMark: 64 * 1024 }, proxy.handle);
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  return {
    url: formatUrl('http', config.host, port),
    port,
    host: config.host,
    stats: () => proxy.stats.snapshot(proxy.shownUpstream),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await proxy.close();
      await closed;
    },
  };
}
