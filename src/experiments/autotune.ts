import type { RequestRecord } from '../engine/types.ts';
import { defaultSloFor, meetsSlo, parseSlo, type SloRule, type SloSubject } from '../report/slo.ts';

/**
 * The dashboard's `a`: search the pool size with the highest goodput while the run goes on,
 * then leave the pool there. Pool sizes double (1, 2, 4, ...). The search ends when goodput has
 * fallen below 80 % of the best for two steps in a row, or below half of it once (more requests
 * in flight only queue from there), or at the cap.
 *
 * Each step measures as `streamtop sweep` does: requests that completed during the step, over
 * its length. Its length follows the latencies it sees, not a fixed time: first it settles (at
 * least one E2E p95, so the requests started under the previous pool have drained and the new
 * ones have come round once), then it measures for two E2E p95s, with a floor on the
 * completions counted. A fixed window shorter than the answers would count almost nothing.
 * Settling ends once a request started under the new pool has finished and at least an E2E p95
 * has passed: after a decrease no new request starts before the old ones have drained, after an
 * increase the new ones start at once; either way the pool has then come round once.
 *
 * Goodput needs objectives. With --slo they are the user's; without, the first step (pool 1,
 * the unloaded server) sets them as the sweep does: TTFT under 3x its median.
 */
export interface AutoTuner {
  start(): void;
  stop(): void;
  readonly running: boolean;
}

/** What the tuner needs of the engine. */
export interface AutoTuneHost {
  setConcurrency(n: number): void;
  flash(text: string, ms?: number): void;
  /** Run time, ms, on the engine's clock. */
  elapsedMs(): number;
  addRecordListener(fn: (r: RequestRecord) => void): () => void;
}

export interface AutoTuneStep {
  pool: number;
  /** Length of the measured part of the step, ms. */
  measuredMs: number;
  /** Requests that finished while it was measured (warm-up and cancelled ones excluded). */
  completed: number;
  /** Of those, how many met every objective. */
  good: number;
  /** good / measured time, per second. */
  goodput: number;
}

export interface AutoTuneResult {
  steps: AutoTuneStep[];
  best: AutoTuneStep;
  slo: string;
}

const TICK_MS = 250;
const MIN_SETTLE_MS = 1000;
const MAX_SETTLE_MS = 30_000;
/** Measure for this many E2E p95s of the step's own completions... */
const MEASURE_P95S = 2;
const MIN_MEASURE_MS = 2000;
/** ...and until this many completions, so a slow pool of 1 still counts several answers... */
const MIN_COMPLETIONS = 4;
/** ...but never longer than this (a stalled server). */
const MAX_MEASURE_MS = 45_000;
const MAX_POOL = 1024;
/** Kept per step to judge against the objectives at its end; far more than a step completes. */
const MAX_KEPT = 100_000;

/** p95 of the values (nearest rank), or undefined without any. */
function p95(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const secs = (ms: number): string => `${Math.round(ms / 1000)}s`;

export function createAutoTuner(
  host: AutoTuneHost,
  slo: string | undefined,
  onDone?: (result: AutoTuneResult) => void,
): AutoTuner {
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

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
    let rules: SloRule[] | undefined = slo !== undefined ? parseSlo('--slo', slo) : undefined;
    let sloText = slo ?? '';
    const steps: AutoTuneStep[] = [];
    let pool = 1;
    let stage: 'settle' | 'measure' = 'settle';
    let stageStart = 0;
    /** E2E of requests finishing while settling: how long this pool's answers take. */
    let settleE2e: number[] = [];
    /** Has a request that started under this pool finished? */
    let cameRound = false;
    let kept: SloSubject[] = [];
    let e2e: number[] = [];
    let completed = 0;

    unsubscribe = host.addRecordListener((r) => {
      if (r.warmup || r.outcome === 'cancelled') return;
      const e = r.outcome === 'ok' ? r.e2eMs : undefined;
      if (stage === 'settle') {
        if (e !== undefined) settleE2e.push(e);
        if (r.startMs >= stageStart) cameRound = true;
        return;
      }
      completed++;
      if (e !== undefined && e2e.length < MAX_KEPT) e2e.push(e);
      if (kept.length < MAX_KEPT) kept.push({
          outcome: r.outcome,
          warmup: r.warmup,
          ttftMs: r.ttftMs,
          ttfoMs: r.ttfoMs,
          tpotMs: r.tpotMs,
          e2eMs: r.e2eMs,
          reasoningMs: r.reasoningMs,
        });
    });

    const begin = (n: number): void => {
      pool = n;
      stage = 'settle';
      stageStart = host.elapsedMs();
      settleE2e = [];
      cameRound = false;
      host.setConcurrency(pool);
    };

    const best = (): AutoTuneStep | undefined => steps.reduce<AutoTuneStep | undefined>((a, b) => (a === undefined || b.goodput > a.goodput ? b : a), undefined);

    const progress = (text: string): void => {
      const b = best();
      host.flash(`autotune pool ${pool}: ${text}${b ? `, best ${b.goodput.toFixed(2)}/s@${b.pool}` : ''}`, TICK_MS * 8);
    };

    const finishStep = (measuredMs: number): boolean => {
      if (rules === undefined) {
        // As the sweep: the unloaded median TTFT of the first step sets the objective.
        const ttfts = kept.flatMap((r) => (r.outcome === 'ok' && r.ttftMs !== undefined ? [r.ttftMs] : []));
        sloText = defaultSloFor(median(ttfts));
        rules = parseSlo('--slo', sloText);
      }
      const ruleSet = rules;
      const good = kept.filter((r) => meetsSlo(r, ruleSet)).length;
      steps.push({ pool, measuredMs, completed, good, goodput: measuredMs > 0 ? (good * 1000) / measuredMs : 0 });
      const top = best();
      const last = steps.slice(-2);
      const falling = last.length === 2 && last.every((s) => s.goodput < (top?.goodput ?? 0) * 0.8);
      const collapsed = (last[last.length - 1]?.goodput ?? 0) < (top?.goodput ?? 0) * 0.5;
      return falling || collapsed || pool * 2 > MAX_POOL;
    };

    const tick = (): void => {
      if (!running) return;
      const elapsed = host.elapsedMs() - stageStart;
      if (stage === 'settle') {
        const need = Math.min(MAX_SETTLE_MS, Math.max(MIN_SETTLE_MS, p95(settleE2e) ?? 0));
        if ((cameRound && elapsed >= need) || elapsed >= MAX_SETTLE_MS) {
          stage = 'measure';
          stageStart = host.elapsedMs();
          kept = [];
          e2e = [];
          completed = 0;
          progress('measuring');
        } else {
          progress(`settling ${secs(elapsed)}`);
        }
      } else {
        const need = Math.min(MAX_MEASURE_MS, Math.max(MIN_MEASURE_MS, MEASURE_P95S * (p95(e2e) ?? MAX_MEASURE_MS)));
        if ((completed >= MIN_COMPLETIONS && elapsed >= need) || elapsed >= MAX_MEASURE_MS) {
          if (finishStep(elapsed)) {
            const b = best();
            if (b !== undefined) {
              host.setConcurrency(b.pool);
              host.flash(`autotune: pool ${b.pool}, ${b.goodput.toFixed(2)} good req/s (${sloText})`, 15_000);
              onDone?.({ steps: steps.slice(), best: b, slo: sloText });
            }
            stop();
            return;
          }
          begin(pool * 2);
          progress('settling');
        } else {
          progress(`measuring ${secs(elapsed)}/${secs(need)}`);
        }
      }
      timer = setTimeout(tick, TICK_MS);
      timer.unref();
    };

    begin(1);
    progress('settling');
    timer = setTimeout(tick, TICK_MS);
    timer.unref();
  };

  return {
    start,
    stop,
    get running() {
      return running;
    },
  };
}
