import type { Engine } from '../engine/engine.ts';
import type { RequestRecord } from '../engine/types.ts';
import { meetsSlo, parseSlo, type SloRule } from '../report/slo.ts';

/**
 * The dashboard's `a`: search the pool size with the highest goodput while the run goes on,
 * then leave the pool there. Pool sizes double (1, 2, 4, ...) each for a fixed step; the search
 * ends when goodput has fallen well below the best for two steps in a row, or at the cap.
 *
 * Goodput needs objectives. With --slo they are the user's; without, the first step (pool 1,
 * the unloaded server) sets them: TTFT under 3x its median, so "good" means "latency has not
 * yet blown up under load".
 */
export interface AutoTuner {
  start(): void;
  stop(): void;
  readonly running: boolean;
}

const STEP_MS = 4000;
const SETTLE_MS = 1000;
const MAX_POOL = 1024;

/** `notify` shows a short notice on the dashboard (text, for how many ms). */
export function createAutoTuner(engine: Engine, slo: string | undefined, notify: (text: string, ms: number) => void): AutoTuner {
  let rules: SloRule[] | undefined = slo !== undefined ? parseSlo('--slo', slo) : undefined;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let running = false;

  const stop = (): void => {
    running = false;
    if (timer) clearTimeout(timer);
    timer = undefined;
    unsubscribe?.();
    unsubscribe = undefined;
  };

  const start = (): void => {
    if (running) return;
    running = true;
    const results: { pool: number; goodput: number }[] = [];
    let pool = 1;
    let stepStart = 0;
    let good = 0;
    const ttfts: number[] = [];
    unsubscribe = engine.addRecordListener((r: RequestRecord) => {
      if (r.startMs < stepStart) return;
      if (rules === undefined) {
        if (r.outcome === 'ok' && r.ttftMs !== undefined && ttfts.length < 10_000) ttfts.push(r.ttftMs);
      } else if (meetsSlo(r, rules)) good++;
    });
    const step = (): void => {
      engine.setConcurrency(pool);
      notify(`autotune: trying pool ${pool}`, STEP_MS);
      // Count only requests that start after the new pool size settled.
      timer = setTimeout(() => {
        stepStart = engine.elapsedMs();
        good = 0;
        timer = setTimeout(() => {
          if (!running) return;
          if (rules === undefined) {
            const sorted = ttfts.sort((a, b) => a - b);
            const median = sorted[Math.floor(sorted.length / 2)] ?? 1000;
            rules = [{ metric: 'ttft', belowMs: median * 3 }];
            good = ttfts.filter((t) => t < median * 3).length;
          }
          const gp = (good * 1000) / (STEP_MS - SETTLE_MS);
          results.push({ pool, goodput: gp });
          const best = results.reduce((a, b) => (b.goodput > a.goodput ? b : a));
          const lastTwo = results.slice(-2);
          const falling = lastTwo.length === 2 && lastTwo.every((x) => x.goodput < best.goodput * 0.8);
          if (falling || pool * 2 > MAX_POOL) {
            engine.setConcurrency(best.pool);
            notify(`autotune: best goodput ${best.goodput.toFixed(1)} req/s at pool ${best.pool}; pool set to ${best.pool}`, 10_000);
            stop();
            return;
          }
          pool *= 2;
          step();
        }, STEP_MS - SETTLE_MS);
        timer.unref();
      }, SETTLE_MS);
      timer.unref();
    };
    step();
  };

  return {
    start,
    stop,
    get running() {
      return running;
    },
  };
}
