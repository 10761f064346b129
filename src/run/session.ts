import { Agent, request } from 'undici';
import type { RunPlan } from '../config/run-options.ts';
import { UsageError } from '../config/usage-error.ts';
import { Engine } from '../engine/engine.ts';
import type { EngineConfig } from '../engine/config.ts';
import type { RequestRecord, TargetInfo } from '../engine/types.ts';
import { spawnSimulator } from '../sim/spawn.ts';
import { buildReport, type Report } from '../report/report.ts';
import type { EngineDeps, RunOutcome } from '../engine/engine.ts';

/**
 * One run, UI-agnostic: resolves the target (starting the built-in simulator if no --url),
 * builds the engine, and turns its outcome into a report. Headless and dashboard runs share it.
 */

import { VERSION } from '../version.ts';

export interface Session {
  engine: Engine;
  target: TargetInfo;
  baseUrl: string;
  /** Our own simulator's admin endpoints, when the target is the built-in simulator. */
  simAdmin?: SimAdminClient;
  report(outcome: RunOutcome): Report;
  close(): Promise<void>;
}

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
    prompts: workload.prompts.length,
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

/** Where requests go: the built-in simulator (started here) or --url. */
export interface Target {
  baseUrl: string;
  apiKey?: string;
  ca?: string;
  simOrigin?: string;
  info: TargetInfo;
  close(): Promise<void>;
}

/** A simulator someone else started and will stop (the dashboard's main thread, say). */
export interface RunningSimulator {
  url: string;
  ca?: string;
}

export interface TargetOptions {
  env: NodeJS.ProcessEnv;
  warn: (msg: string) => void;
  /** With plan.sim: use this one instead of starting one here. */
  simulator?: RunningSimulator;
}

export async function openTarget(plan: RunPlan, opts: TargetOptions): Promise<Target> {
  const api = plan.engine.target.api;
  if (plan.sim) {
    const sim = opts.simulator !== undefined ? { ...opts.simulator, close: async () => undefined } : await spawnSimulator(plan.sim);
    return {
      // OpenAI base URLs include /v1; Anthropic's do not (see DESIGN.md, wire-format notes).
      baseUrl: api === 'openai' ? `${sim.url}/v1` : sim.url,
      ...(plan.sim.apiKey !== undefined ? { apiKey: plan.sim.apiKey } : {}),
      ...(sim.ca !== undefined ? { ca: sim.ca } : {}),
      simOrigin: sim.url,
      info: { label: 'built-in simulator', api, model: plan.engine.target.model, simulated: true },
      close: () => sim.close(),
    };
  }
  const baseUrl = plan.engine.target.baseUrl ?? '';
  await checkReachable(baseUrl, plan.engine.resilience.timeouts.connectMs || 10_000, plan.engine.target.insecure);
  let apiKey = opts.env[plan.apiKeyEnv];
  if (apiKey === undefined || apiKey === '') {
    apiKey = undefined;
    opts.warn(`no API key in $${plan.apiKeyEnv}; sending requests without one (set it, or name another variable with --api-key-env)`);
  }
  if (plan.engine.target.insecure) opts.warn('--insecure: TLS certificates are NOT verified; anyone on the path can read and change this traffic');
  return {
    baseUrl,
    ...(apiKey !== undefined ? { apiKey } : {}),
    info: { label: baseUrl, api, model: plan.engine.target.model, simulated: false },
    close: async () => undefined,
  };
}

export function engineConfigFor(plan: RunPlan, target: Target): EngineConfig {
  return {
    ...plan.engine,
    target: {
      ...plan.engine.target,
      baseUrl: target.baseUrl,
      simulated: target.info.simulated,
      ...(target.apiKey !== undefined ? { apiKey: target.apiKey } : {}),
      ...(target.ca !== undefined ? { ca: target.ca } : {}),
    },
  };
}

export async function openSession(plan: RunPlan, opts: TargetOptions & Pick<EngineDeps, 'onRecord' | 'panes'>): Promise<Session> {
  const t = await openTarget(plan, opts);
  const config = engineConfigFor(plan, t);
  const engine = new Engine(config, {
    ...(opts.onRecord ? { onRecord: opts.onRecord } : {}),
    ...(opts.panes !== undefined ? { panes: opts.panes } : {}),
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

/**
 * Fails fast, with a clear message, when --url cannot be reached at all, instead of filling a
 * run with connection errors. Any HTTP answer (even 404) counts as reachable.
 */
async function checkReachable(baseUrl: string, timeoutMs: number, insecure: boolean): Promise<void> {
  const u = new URL(baseUrl);
  try {
    const { Agent } = await import('undici');
    const agent = new Agent({ connect: { timeout: timeoutMs, rejectUnauthorized: !insecure } });
    try {
      const res = await request(u.origin + '/', {
        method: 'GET',
        dispatcher: agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
    } finally {
      await agent.close().catch(() => undefined);
    }
  } catch (e) {
    const err = e as { code?: string; message?: string; cause?: { code?: string } };
    const code = err.code ?? err.cause?.code ?? '';
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused (is the server running, and on that port?)'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host name not found'
          : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT'
            ? `no answer within ${timeoutMs} ms`
            : /CERT|TLS|SSL|SELF_SIGNED/i.test(code)
              ? `TLS certificate problem (${code}); use --insecure only if you trust the network`
              : `${code || err.message}`;
    throw new UsageError(`cannot reach --url ${u.origin}: ${why}`);
  }
}

/**
 * Talks to our own simulator's admin endpoints (latency spikes, fault bursts, ground truth).
 * Its own dispatcher trusts the simulator's self-signed certificate when it serves TLS; nothing
 * else ever does.
 */
export class SimAdminClient {
  private readonly agent: Agent;

  constructor(
    readonly origin: string,
    ca?: string,
  ) {
    this.agent = new Agent({ connect: ca !== undefined ? { ca } : {} });
  }

  async post(path: string, body: unknown): Promise<unknown> {
    const res = await request(`${this.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      dispatcher: this.agent,
    });
    const json: unknown = await res.body.json().catch(() => undefined);
    if (res.statusCode >= 300) throw new Error(`simulator admin answered HTTP ${res.statusCode}`);
    return json;
  }

  close(): Promise<void> {
    return this.agent.close().catch(() => undefined);
  }
}
