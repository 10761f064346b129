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
