import type { Clock } from './clock.ts';
import type { LoadConfig } from './config.ts';
import { ClosedLoopScheduler, OpenLoopScheduler, type LoadHost } from './concurrency.ts';
import { ReplayScheduler } from './replay-scheduler.ts';

export type Scheduler = ClosedLoopScheduler | OpenLoopScheduler | ReplayScheduler;

/**
 * The scheduler a run's load asks for: a trace's own times (--replay), arrivals at a rate
 * (--rate, open loop), or a fixed pool kept full (closed loop, the default).
 */
export function schedulerFor(load: LoadConfig, clock: Clock, host: LoadHost): Scheduler {
  const { concurrency, maxQueueDelayMs } = load;
  if (load.replay !== undefined) return new ReplayScheduler({ clock, host, concurrency, atMs: load.replay.atMs, maxQueueDelayMs });
  if (load.rate !== undefined) {
    return new OpenLoopScheduler({ clock, host, concurrency, rate: load.rate, arrival: load.arrival, seed: load.seed, maxQueueDelayMs });
  }
  return new ClosedLoopScheduler({ clock, host, concurrency, rampSeconds: load.rampSeconds });
}
