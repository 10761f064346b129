import type { RunPlan } from '../config/run-options.ts';
import { describeLength } from '../engine/lengths.ts';
import { promptCount } from '../engine/packed-prompts.ts';

/** Settings worth recording in a report. Never includes the key or its value. */
export function settingsOf(plan: RunPlan): Record<string, unknown> {
  const { load, workload, resilience, target, outputs } = plan.engine;
  return {
    concurrency: load.concurrency,
    rate: load.rate ?? null,
    arrival: load.rate !== undefined ? load.arrival : null,
    streamRatio: load.streamRatio,
    requests: load.requests ?? null,
    durationMs: load.durationMs ?? null,
    warmup: load.warmup,
    rampSeconds: load.rampSeconds,
    seed: load.seed,
    maxTokens: workload.maxTokens ?? null,
    // Names only: header values and body values may be credentials or private settings.
    headers: Object.keys(target.headers ?? {}),
    headerEnv: plan.headerEnv.map((h) => `${h.name}: $${h.env}`),
    bodyFields: Object.keys(workload.body ?? {}),
    prompts: promptCount(workload.prompts),
    inputTokens: workload.shape?.inputTokens !== undefined ? describeLength(workload.shape.inputTokens) : null,
    outputTokens: workload.shape?.outputTokens !== undefined ? describeLength(workload.shape.outputTokens) : null,
    sharedPrefix: workload.shape?.prefix ?? null,
    turns: workload.shape?.sessions?.turns !== undefined ? describeLength(workload.shape.sessions.turns) : null,
    history: workload.sessions?.history ?? null,
    thinkMs: workload.sessions?.thinkMs !== undefined ? describeLength(workload.sessions.thinkMs) : null,
    dataset: workload.shape?.dataset ?? null,
    replaySpeed: workload.shape?.replaySpeed ?? null,
    maxTokensField: workload.maxTokensField ?? 'max_tokens',
    ignoreEos: workload.ignoreEos === true,
    retries: resilience.retries,
    timeouts: resilience.timeouts,
    connection: target.connection,
    windowSeconds: outputs.windowSeconds,
    earlyStop: resilience.earlyStop?.source ?? null,
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
