import type { RunPlan } from '../config/run-options.ts';
import type { RunOutcome } from '../engine/engine.ts';
import type { RequestRecord } from '../engine/types.ts';
import type { Report } from '../report/report.ts';
import { GoodputCounter, parseSlo } from '../report/slo.ts';
import { NdjsonSink } from './ndjson.ts';
import { openSession, type Session } from './session.ts';

/**
 * A session plus the per-request sinks the options ask for (--ndjson, --slo goodput, early-stop
 * accounting). close() is idempotent: it runs on success, on error and on interrupt.
 */
export interface PreparedRun {
  session: Session;
  report(outcome: RunOutcome): Report;
  close(): Promise<void>;
}

export async function openRun(plan: RunPlan, opts: { warn: (m: string) => void }): Promise<PreparedRun> {
  const ndjson = plan.output.ndjson !== undefined ? new NdjsonSink(plan.output.ndjson) : undefined;
  const goodput = plan.output.slo !== undefined ? new GoodputCounter(parseSlo('--slo', plan.output.slo)) : undefined;
  const early = { stopped: 0, tokensReceived: 0, completedTokens: 0, completedCount: 0 };
  const onRecord = (r: RequestRecord): void => {
    ndjson?.write(r);
    goodput?.add(r);
    if (!r.warmup && r.mode === 'stream') {
      if (r.outcome === 'early_stopped') {
        early.stopped++;
        early.tokensReceived += r.outputTokens;
      } else if (r.outcome === 'ok') {
        early.completedCount++;
        early.completedTokens += r.outputTokens;
      }
    }
  };
  const session = await openSession(plan, { env: process.env, onRecord, warn: opts.warn });
  let closed: Promise<void> | undefined;
  return {
    session,
    report(outcome) {
      const report = session.report(outcome);
      const extras: Record<string, unknown> = {};
      if (goodput) extras.goodputCounts = { met: goodput.met, total: goodput.total };
      if (plan.engine.earlyStop) {
        // What the stopped streams would have cost had they run to the end: estimated from the
        // streams that did finish (same prompts, same server), since those tokens were never sent.
        const meanFull = early.completedCount > 0 ? early.completedTokens / early.completedCount : undefined;
        const wouldHave = meanFull !== undefined ? meanFull * early.stopped : undefined;
        extras.earlyStop = {
          rule: plan.engine.earlyStop.source,
          streamsStopped: early.stopped,
          tokensReceived: early.tokensReceived,
          estimatedFullTokens: wouldHave ?? null,
          tokensSaved: wouldHave !== undefined ? Math.max(0, wouldHave - early.tokensReceived) : null,
          basis: meanFull !== undefined ? `mean output of ${early.completedCount} streams that ran to the end` : 'no stream ran to the end',
        };
      }
      if (Object.keys(extras).length > 0) report.extras = { ...(report.extras ?? {}), ...extras };
      return report;
    },
    close() {
      closed ??= (async () => {
        await ndjson?.close();
        await session.close();
      })();
      return closed;
    },
  };
}
