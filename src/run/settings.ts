import type { RunPlan } from '../config/run-options.ts';

/** Settings worth recording in a report. Never includes the key or its value. */
export function settingsOf(plan: RunPlan): Record<string, unknown> {
  const e = plan.engine;
  return {
    concurrency: e.concurrency,
    rate: e.rate ?? null,
    arrival: e.rate !== undefined ? e.arrival : null,
    streamRatio: e.streamRatio,
    requests: e.requests ?? null,
    durationMs: e.durationMs ?? null,
    warmup: e.warmup,
    rampSeconds: e.rampSeconds,
    seed: e.seed,
    maxTokens: e.maxTokens ?? null,
    prompts: e.prompts.length,
    retries: e.retries,
    timeouts: e.timeouts,
    connection: e.connection,
    windowSeconds: e.windowSeconds,
    earlyStop: e.earlyStop?.source ?? null,
    apiKeyEnv: plan.apiKeyEnv,
    ...(plan.sim
      ? {
          sim: {
            profile: plan.sim.profile,
            ttftMs: plan.sim.ttftMs,
            itlMs: plan.sim.itlMs,
            slots: plan.sim.slots,
            outputTokens: plan.sim.outputTokens,
            faults: plan.sim.faults,
          },
        }
      : {}),
  };
}
