import type { RunPlan } from '../config/run-options.ts';
import { Engine, type RunOutcome } from '../engine/engine.ts';
import type { RequestRecord, TargetInfo } from '../engine/types.ts';
import { buildReport, type Report } from '../report/report.ts';
import { SimAdminClient } from '../sim/admin-client.ts';
import { VERSION } from '../version.ts';
import { settingsOf } from './settings.ts';
import { engineConfigFor, type Target } from './target.ts';

/**
 * One run, UI-agnostic: the engine for an opened target (see target.ts), and the turn of its
 * outcome into a report. Headless and dashboard runs share it. The session owns the target from
 * here on: close() disposes the engine, then closes the admin client and the target.
 */
export interface Session {
  engine: Engine;
  target: TargetInfo;
  baseUrl: string;
  /** Our own simulator's admin endpoints, when the target is the built-in simulator. */
  simAdmin?: SimAdminClient;
  report(outcome: RunOutcome): Report;
  close(): Promise<void>;
}

export function openSession(plan: RunPlan, t: Target, hooks: { onRecord?: (r: RequestRecord) => void } = {}): Session {
  const config = engineConfigFor(plan, t);
  const engine = new Engine(config, hooks.onRecord ? { onRecord: hooks.onRecord } : {});
  const admin = t.simOrigin !== undefined ? new SimAdminClient(t.simOrigin, t.ca) : undefined;
  return {
    engine,
    target: t.info,
    baseUrl: t.baseUrl,
    ...(admin ? { simAdmin: admin } : {}),
    report: (outcome) =>
      buildReport({
        version: VERSION,
        target: { baseUrl: t.baseUrl, api: config.api, model: config.model, simulated: config.simulated },
        settings: settingsOf(plan),
        outcome,
        engine,
      }),
    close: async () => {
      engine.dispose();
      await admin?.close();
      await t.close();
    },
  };
}
