import { patchConfig, type EngineConfig, type EngineConfigPatch } from '../../src/engine/config.ts';
import { singlePrompt } from '../../src/engine/prompts.ts';

/** A headless engine config for the benchmarks: no panes, no timeouts, no retries, no warm-up. */
export function benchConfig(baseUrl: string, over: EngineConfigPatch = {}): EngineConfig {
  return patchConfig(
    {
      target: { baseUrl, api: 'openai', model: 'bench-model', simulated: false, connection: 'keepalive', insecure: false },
      load: { concurrency: 1, arrival: 'constant', maxQueueDelayMs: 600_000, streamRatio: 1, warmup: 0, graceMs: 0, rampSeconds: 0, seed: 1 },
      workload: { prompts: singlePrompt('Say something about streaming benchmarks.') },
      resilience: { retries: 0, retryBaseMs: 10, retryMaxMs: 50, timeouts: { connectMs: 30_000, ttftMs: 0, idleMs: 0, totalMs: 0 }, earlyStopEnabled: false },
      outputs: { windowSeconds: 10 },
    },
    over,
  );
}
