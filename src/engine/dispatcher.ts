import { Agent, type Dispatcher } from 'undici';
import type { EngineConfig } from './config.ts';
import type { ConnectionTimings } from './conn-timing.ts';

/** The one shared undici dispatcher of a run, per connection strategy. */
export function createDispatcher(config: EngineConfig, timings: ConnectionTimings): Dispatcher {
  const tls = {
    rejectUnauthorized: !config.target.insecure,
    ...(config.target.ca ? { ca: config.target.ca } : {}),
  };
  return new Agent({
    // The concurrency limiter bounds requests in flight; undici opens connections up to that
    // bound and keeps them alive, so its effective connection limit follows the pool size
    // live (a fixed `connections` cap would queue requests inside undici when the pool grows).
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    allowH2: config.target.connection === 'h2',
    connect: timings.connector({
      // undici reads 0 as "no connect timeout" (and a missing value as its own 10 s default).
      timeout: config.resilience.timeouts.connectMs,
      allowH2: config.target.connection === 'h2',
      ...tls,
    }),
  });
}

/**
 * Opens `n` keep-alive connections to the target's origin before the run starts (the `prewarm`
 * connection strategy), so the first requests do not pay for connecting. Resolves once they are
 * back in the pool, free.
 */
export async function prewarm(dispatcher: Dispatcher, baseUrl: string, n: number): Promise<void> {
  const origin = new URL(baseUrl).origin;
  // Any answer (even a 404) leaves an open keep-alive connection in the pool. GET, not HEAD:
  // undici closes the connection after a HEAD.
  await Promise.all(
    Array.from({ length: n }, () =>
      dispatcher
        .request({ origin, path: '/', method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 })
        .then((r) => r.body.dump())
        .catch(() => undefined),
    ),
  );
  // As between requests (see Engine.launch): give undici a macrotask to mark the warmed
  // connections free, or the first requests find them busy and open more.
  await new Promise<void>((resolve) => setImmediate(resolve));
}
