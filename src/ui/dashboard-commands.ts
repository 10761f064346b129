import type { EngineCommands } from '../engine/types.ts';

/**
 * What the dashboard's keys can ask for: the engine's commands plus extras the run layer offers
 * when it can (the built-in simulator's fault injection, the live autotuner). The engine knows
 * nothing of these.
 */
export interface DashboardCommands extends EngineCommands {
  /** Built-in simulator only: raise its latency for a few seconds. */
  injectLatencySpike?(): void;
  /** Built-in simulator only: a burst of injected faults for a few seconds. */
  injectFaultBurst?(): void;
  /** Search the pool size with the best goodput live and leave the pool there. */
  autoTune?(): void;
  /** Several targets: set every target's pool to `n` (the `*` key). */
  setEveryConcurrency?(n: number): void;
}
