import type { Engine } from '../engine/engine.ts';
import type { Command } from './worker-protocol.ts';

/**
 * The dashboard commands that act on one engine and its simulator, the same for a run of one
 * target (engine-host) and for each target of several (targets-host). Stopping and autotune
 * differ between the two, so each host handles those itself.
 */
export type EngineCommand = Exclude<Command, { kind: 'stop' } | { kind: 'autoTune' }>;

/** Posts a change to the built-in simulator's /admin/config and says what it did. */
export type SimAdminPost = (body: Record<string, unknown>, what: string) => void;

export function applyEngineCommand(engine: Engine, c: EngineCommand, simTtftMs: number | undefined, admin: SimAdminPost): void {
  switch (c.kind) {
    case 'setConcurrency':
      return engine.setConcurrency(c.n);
    case 'setStreamRatio':
      return engine.setStreamRatio(c.r);
    case 'setRate':
      return engine.setRate(c.r);
    case 'pause':
      return engine.pause();
    case 'resume':
      return engine.resume();
    case 'newSegment':
      return engine.newSegment('manual');
    case 'toggleEarlyStop':
      return engine.toggleEarlyStop();
    case 'injectLatencySpike':
      return admin({ ttft: Math.max(1000, (simTtftMs ?? 200) * 5), revertAfterMs: 5000 }, 'latency spike: TTFT x5 for 5 s');
    case 'injectFaultBurst':
      return admin({ faults: { http500: 0.2, http429: 0.1, disconnect: 0.1 }, revertAfterMs: 5000 }, 'fault burst: 20% 500, 10% 429, 10% disconnect for 5 s');
  }
}
