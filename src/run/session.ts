import type { RunPlan } from '../config/run-options.ts';
import { Engine, type EngineDeps, type RunOutcome } from '../engine/engine.ts';
import type { TargetInfo } from '../engine/types.ts';
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

/** `deps.panes`: streams whose text tails the engine keeps for a dashboard (0, the default, for none). */
export function openSession(plan: RunPlan, t: Target, deps: Pick<EngineDeps, 'onRecord' | 'panes' | 'startGate'> = {}): Session {
  const config = engineConfigFor(plan, t);
  const engine = new Engine(config, {
    ...(deps.onRecord ? { onRecord: deps.onRecord } : {}),
    ...(deps.panes !== undefined ? { panes: deps.panes } : {}),
    ...(deps.startGate ? { startGate: deps.startGate } : {}),
  });
  const admin = t.simOrigin !== undefined ? new SimAdminClient(t.simOrigin, t.ca) : undefined;
  return {
    engine,
    target: t.info,
    baseUrl: t.baseUrl,
    ...(admin ? { simAdmin: admin } : {}),
    report: (outcome) =>
      buildReport({
        version: VERSION,
        target: { baseUrl: t.baseUrl, api: config.target.api, model: config.target.model, simulated: config.target.simulated },
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
