import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpOrigin, type ListenAddress } from '../flags/values.ts';
import { UsageError } from '../shared/usage-error.ts';

/**
 * The HTTP side of `--prometheus`: GET /metrics answers with the registry's text; nothing else is
 * served. A scrape serialises what is already counted, so it never waits on the engine.
 */

export interface MetricsText {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsServer {
  /** The scrape URL, with the port actually bound (a port 0 becomes the free one picked). */
  readonly url: string;
  close(): Promise<void>;
}

const FLAG = '--prometheus';

/** Why the address cannot be listened on, as a usage error naming the flag and what to do. */
function listenError(e: NodeJS.ErrnoException, at: ListenAddress): UsageError {
  const where = `${at.host}:${at.port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new UsageError(`${FLAG} ${where}: the port is already in use; pick another port, or 0 for a free one`);
    case 'EACCES':
      return new UsageError(`${FLAG} ${where}: not allowed to listen on this port (ports below 1024 need privileges); pick a port above 1024`);
    case 'EADDRNOTAVAIL':
      return new UsageError(`${FLAG} ${where}: ${at.host} is not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its addresses`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`${FLAG} ${where}: cannot resolve the host ${at.host}; give an IP address such as 127.0.0.1`);
    default:
      return new UsageError(`${FLAG} ${where}: cannot listen (${e.code ?? e.message})`);
  }
}

export async function serveMetrics(source: MetricsText, at: ListenAddress): Promise<MetricsServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('streamtop serves Prometheus metrics at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    source.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': source.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (e: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`cannot collect the metrics: ${(e as Error)?.message ?? String(e)}\n`);
      },
    );
  });
  // A scraper's connection that stays open must not hold the run's end (see close()).
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => reject(listenError(e, at));
    server.once('error', onError);
    server.listen({ host: at.host, port: at.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `${httpOrigin({ host: at.host, port: bound.port })}/metrics`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
