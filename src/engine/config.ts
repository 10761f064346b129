import type { Arrival } from './concurrency.ts';
import type { Prompt } from './prompts.ts';
import type { Api } from './types.ts';

export type ConnectionStrategy = 'keepalive' | 'fresh' | 'prewarm' | 'h2';

export interface Timeouts {
  /** TCP (+TLS) connect, ms; 0 = none. */
  connectMs: number;
  /** Request written -> first content event, ms (streams only); 0 = none. */
  ttftMs: number;
  /** Longest silence between received bytes, ms; 0 = none. */
  idleMs: number;
  /** Whole request, ms; 0 = none. */
  totalMs: number;
}

export interface EarlyStopRule {
  /** Never stop before this many content events. */
  minTokens?: number;
  /** Stop once this many content events arrived. */
  maxTokens?: number;
  /** Stop once the text received so far matches. */
  stop?: RegExp;
  /** The rule text as given, for reports. */
  source: string;
}

/**
 * Everything the engine needs, already validated. Secrets: `apiKey`, and credential values in
 * `baseUrl`'s query (`?api-key=...`); `secretsOf` in secrets.ts lists them for scrubbing.
 */
export interface EngineConfig {
  baseUrl: string;
  api: Api;
  model: string;
  apiKey?: string;
  simulated: boolean;
  concurrency: number;
  /** Open loop when set. */
  rate?: number;
  arrival: Arrival;
  maxQueueDelayMs: number;
  streamRatio: number;
  /** Measured requests to run (warm-up excluded); undefined = until duration or stop. */
  requests?: number;
  durationMs?: number;
  /** After --duration, how long requests in flight may take to finish before being cancelled. */
  graceMs: number;
  warmup: number;
  rampSeconds: number;
  seed: number;
  maxTokens?: number;
  prompts: Prompt[];
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeouts: Timeouts;
  windowSeconds: number;
  connection: ConnectionStrategy;
  insecure: boolean;
  /** Extra CA (PEM) to trust: only for the built-in simulator's self-signed certificate. */
  ca?: string;
  bail?: number;
  earlyStop?: EarlyStopRule;
  earlyStopEnabled: boolean;
  maxPanes: number;
  maxEventBytes?: number;
}
