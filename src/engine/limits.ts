/**
 * The bounds the engine enforces on its live load settings. The command-line flags (src/flags)
 * and the dashboard's keys (src/ui/keymap.ts) cite these, so a value one accepts the other never
 * clamps: `-c 20000` then `+` is 20001, not the keymap's own ceiling.
 */

/** Requests in flight (closed loop) or the cap on them (open loop). */
export const CONCURRENCY = { min: 1, max: 100_000 } as const;

/** Open-loop arrivals, requests per second. */
export const RATE = { min: 0.001, max: 1_000_000 } as const;

/** A whole pool size within CONCURRENCY. */
export function clampConcurrency(n: number): number {
  return Math.min(CONCURRENCY.max, Math.max(CONCURRENCY.min, Math.round(n)));
}

/** A rate within RATE. */
export function clampRate(r: number): number {
  return Math.min(RATE.max, Math.max(RATE.min, r));
}
