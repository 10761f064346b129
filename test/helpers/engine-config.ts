import { patchConfig, type EngineConfig, type EngineConfigPatch } from '../../src/engine/config.ts';
import { singlePrompt } from '../../src/engine/prompts.ts';

/** An engine config for tests: small, fast, no timeouts unless asked. */
export function testConfig(baseUrl: string, over: EngineConfigPatch = {}): EngineConfig {
  return patchConfig(
    {
      target: { baseUrl, api: 'openai', model: 'test-model', simulated: false, connection: 'keepalive', insecure: false },
      load: { concurrency: 2, arrival: 'constant', maxQueueDelayMs: 30_000, streamRatio: 1, warmup: 0, graceMs: 0, rampSeconds: 0, seed: 1 },
      workload: { prompts: singlePrompt('hello') },
      resilience: { retries: 0, retryBaseMs: 10, retryMaxMs: 50, timeouts: { connectMs: 2000, ttftMs: 0, idleMs: 0, totalMs: 0 }, earlyStopEnabled: false },
      outputs: { windowSeconds: 10 },
    },
    over,
  );
}
