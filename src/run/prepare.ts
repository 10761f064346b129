import type { RunPlan } from '../config/run-options.ts';
import type { RunOutcome } from '../engine/engine.ts';
import type { RequestRecord } from '../engine/types.ts';
import type { Report } from '../report/report.ts';
import { GoodputCounter, parseSlo } from '../report/slo.ts';
import { NdjsonSink } from './ndjson.ts';
import type { SimAdminClient } from '../sim/admin-client.ts';
import { openSession, type Session } from './session.ts';
import { openTarget, type RunningSimulator } from './target.ts';

/**
 * A session plus the per-request sinks the options ask for (--ndjson, --slo goodput, early-stop
 * accounting). close() is idempotent: it runs on success, on error and on interrupt.
 */
export interface PreparedRun {
  session: Session;
  report(outcome: RunOutcome): Promise<Report>;
  /** Flushes the per-request files (--ndjson); returns what could not be written. */
  finishSinks(): Promise<string[]>;
  close(): Promise<void>;
}

/** `panes`: streams whose text tails the engine keeps for a dashboard (0, the default, for none). */
export async function openRun(plan: RunPlan, opts: { warn: (m: string) => void; simulator?: RunningSimulator; panes?: number }): Promise<PreparedRun> {
  const ndjson = plan.output.ndjson !== undefined ? new NdjsonSink(plan.output.ndjson) : undefined;
  const goodput = plan.output.slo !== undefined ? new GoodputCounter(parseSlo('--slo', plan.output.slo)) : undefined;
  const early = { stopped: 0, tokensReceived: 0, completedTokens: 0, completedCount: 0 };
  // Ids of stopped streams, to ask our own simulator how long each answer would have been.
  const stoppedIds: string[] = [];
  const onRecord = (r: RequestRecord): void => {
    ndjson?.write(r);
    goodput?.add(r);
    if (!r.warmup && r.mode === 'stream') {
      if (r.outcome === 'early_stopped') {
        early.stopped++;
        early.tokensReceived += r.outputTokens;
        if (stoppedIds.length < MAX_GROUND_TRUTH_IDS) stoppedIds.push(r.requestId);
      } else if (r.outcome === 'ok') {
        early.completedCount++;
        early.completedTokens += r.outputTokens;
      }
    }
  };
  // One way through: plan -> target -> session (the engine) -> report.
  const target = await openTarget(plan, {
    env: process.env,
    warn: opts.warn,
    ...(opts.simulator !== undefined ? { simulator: opts.simulator } : {}),
  });
  const session = openSession(plan, target, { onRecord, ...(opts.panes !== undefined ? { panes: opts.panes } : {}) });
  let closed: Promise<void> | undefined;
  return {
    session,
    async report(outcome) {
      const report = session.report(outcome);
      const extras: Record<string, unknown> = {};
      if (goodput) extras.goodputCounts = { met: goodput.met, total: goodput.total };
      if (plan.engine.resilience.earlyStop) {
        // What the stopped streams would have cost had they run to the end. Against the built-in
        // simulator that is known exactly (its record of each request's planned length); else it is
        // estimated from the streams that did finish (same prompts, same server).
        const truth = session.simAdmin ? await plannedTokens(session.simAdmin, stoppedIds) : undefined;
        const meanFull = early.completedCount > 0 ? early.completedTokens / early.completedCount : undefined;
        let wouldHave: number | undefined;
        let basis: string;
        if (truth && truth.found === stoppedIds.length && stoppedIds.length === early.stopped) {
          wouldHave = truth.tokens;
          basis = "the simulator's record of each stopped request's planned length";
        } else if (meanFull !== undefined) {
          wouldHave = meanFull * early.stopped;
          basis = `mean output of ${early.completedCount} streams that ran to the end`;
        } else {
          basis = 'unknown: no stream ran to the end';
        }
        extras.earlyStop = {
          rule: plan.engine.resilience.earlyStop.source,
          streamsStopped: early.stopped,
          tokensReceived: early.tokensReceived,
          estimatedFullTokens: wouldHave ?? null,
          tokensSaved: wouldHave !== undefined ? Math.max(0, wouldHave - early.tokensReceived) : null,
          basis,
        };
      }
      if (Object.keys(extras).length > 0) report.extras = { ...(report.extras ?? {}), ...extras };
      return report;
    },
    async finishSinks() {
      await ndjson?.close();
      return ndjson?.failure !== undefined ? [ndjson.failure] : [];
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

const MAX_GROUND_TRUTH_IDS = 50_000;
const LOOKUP_BATCH = 1000;

/** Sums the planned completion length of these requests from the simulator's records. */
async function plannedTokens(admin: SimAdminClient, ids: string[]): Promise<{ tokens: number; found: number } | undefined> {
  let tokens = 0;
  let found = 0;
  try {
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const body = (await admin.post('/admin/requests/lookup', { ids: ids.slice(i, i + LOOKUP_BATCH) })) as
        | { records?: { completionTokens?: number }[] }
        | undefined;
      for (const r of body?.records ?? []) {
        if (typeof r.completionTokens === 'number') {
          tokens += r.completionTokens;
          found++;
        }
      }
    }
    return { tokens, found };
  } catch {
    return undefined;
  }
}
