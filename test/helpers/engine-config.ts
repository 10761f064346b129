import type { EngineConfig } from '../../src/engine/config.ts';
import { singlePrompt } from '../../src/engine/prompts.ts';

/** An engine config for tests: small, fast, no timeouts unless asked. */
export function testConfig(baseUrl: string, over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    baseUrl,
    api: 'openai',
    model: 'test-model',
    simulated: false,
    concurrency: 2,
    arrival: 'constant',
    maxQueueDelayMs: 30_000,
    streamRatio: 1,
    warmup: 0,
    graceMs: 0,
    rampSeconds: 0,
    seed: 1,
    prompts: singlePrompt('hello'),
    retries: 0,
    retryBaseMs: 10,
    retryMaxMs: 50,
    timeouts: { connectMs: 2000, ttftMs: 0, idleMs: 0, totalMs: 0 },
    windowSeconds: 10,
    connection: 'keepalive',
    insecure: false,
    earlyStopEnabled: false,
    maxPanes: 4,
    ...over,
  };
}
