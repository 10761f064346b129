import type { EngineConfig } from '../../src/engine/config.ts';
import { singlePrompt } from '../../src/engine/prompts.ts';

/** A headless engine config for the benchmarks: no panes, no timeouts, no retries, no warm-up. */
export function benchConfig(baseUrl: string, over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    baseUrl,
    api: 'openai',
    model: 'bench-model',
    simulated: false,
    concurrency: 1,
    arrival: 'constant',
    maxQueueDelayMs: 600_000,
    streamRatio: 1,
    warmup: 0,
    graceMs: 0,
    rampSeconds: 0,
    seed: 1,
    prompts: singlePrompt('Say something about streaming benchmarks.'),
    retries: 0,
    retryBaseMs: 10,
    retryMaxMs: 50,
    timeouts: { connectMs: 30_000, ttftMs: 0, idleMs: 0, totalMs: 0 },
    windowSeconds: 10,
    connection: 'keepalive',
    insecure: false,
    earlyStopEnabled: false,
    maxPanes: 0,
    ...over,
  };
}
