import type { RunPlan } from '../config/run-options.ts';
import { patchConfig, type EngineConfigPatch } from '../engine/config.ts';
import { Engine } from '../engine/engine.ts';
import { ModeAccumulator } from '../engine/stats.ts';
import { MODES, type MetricSummary } from '../engine/types.ts';
import { LatencyHistogram } from '../engine/histogram.ts';
import { modeReport, type ModeReport } from '../report/report.ts';
import { engineConfigFor, openTarget, type Target } from '../run/target.ts';
import { exitCodeFor, installInterruptHandlers } from '../os/signals.ts';

/**
 * Runs several variants of one workload against one target in rounds, interleaved
 * (A B C, A B C, ...), so machine noise and server warm-up hit each variant alike. Every
 * variant uses the same seed, so each round sends the same prompts in the same order.
 */
export interface Variant {
  label: string;
  patch: EngineConfigPatch;
}

export interface VariantResult {
  label: string;
  /**
   * TTFT counted from the moment the request was issued (slot granted), so connection set-up
   * (TCP, TLS) is included: what a user of that connection strategy waits. The engine's TTFT
   * starts at t0, after the connection exists.
   */
  ttftFromIssueMs: MetricSummary;
  /** Sum of the variant's batch wall times. */
  wallMs: number;
  report: ModeReport;
  newConnections: number;
}

export interface VariantRun {
  target: Target;
  results: VariantResult[];
  interrupted: boolean;
  /** 0, or the exit code of the signal that interrupted the run (130 SIGINT, 143 SIGTERM). */
  exitCode: number;
}

export async function runVariants(
  plan: RunPlan,
  variants: Variant[],
  opts: { rounds: number; requestsPerRound: number; stderr: NodeJS.WriteStream },
): Promise<VariantRun> {
  const target = await openTarget(plan, { env: process.env, warn: (m) => opts.stderr.write(`streamtop: warning: ${m}\n`) });
  const acc = variants.map(() => new ModeAccumulator());
  const fromIssue = variants.map(() => new LatencyHistogram());
  const wall = variants.map(() => 0);
  let interrupted = false;
  let exitCode = 0;
  let current: Engine | undefined;
  const interrupts = installInterruptHandlers((signal) => {
    interrupted = true;
    exitCode = exitCodeFor(signal);
    void current?.stop();
  });
  try {
    for (let round = 0; round < opts.rounds && !interrupted; round++) {
      for (let i = 0; i < variants.length && !interrupted; i++) {
        const v = variants[i] as Variant;
        // Each round is a count of requests, never a time.
        const cfg = patchConfig(patchConfig(engineConfigFor(plan, target), { load: { requests: opts.requestsPerRound } }), v.patch);
        delete cfg.load.durationMs;
        const h = fromIssue[i] as LatencyHistogram;
        const engine = new Engine(cfg, {
          onRecord: (r) => {
            if (r.outcome === 'ok' && r.ttftMs !== undefined) h.record(r.queueMs + r.ttftMs);
          },
        });
        current = engine;
        await engine.start();
        const outcome = await engine.done;
        wall[i] = (wall[i] ?? 0) + outcome.durationMs;
        engine.stats.flush();
        for (const m of MODES) acc[i]?.merge(engine.stats.cumulative[m]);
        engine.dispose();
      }
      opts.stderr.write(`streamtop: round ${round + 1}/${opts.rounds} done\n`);
    }
  } finally {
    interrupts.dispose();
  }
  const results = variants.map((v, i) => {
    const a = acc[i] as ModeAccumulator;
    const report = modeReport(a, wall[i] ?? 0);
    const h = fromIssue[i] as LatencyHistogram;
    const r: VariantResult = { label: v.label, ttftFromIssueMs: h.summary(), wallMs: wall[i] ?? 0, report, newConnections: a.conn.connect.count };
    a.dispose();
    h.dispose();
    return r;
  });
  return { target, results, interrupted, exitCode };
}
