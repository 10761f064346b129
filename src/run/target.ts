import type { RunPlan } from '../config/run-options.ts';
import type { EngineConfig } from '../engine/config.ts';
import type { TargetInfo } from '../engine/types.ts';
import { spawnSimulator } from '../sim/spawn.ts';
import { checkReachable } from './reachability.ts';
import { wireFormat } from '../engine/wire/index.ts';
import { redactUrl } from '../shared/url-secrets.ts';
import { resolveHeaderEnv } from '../config/endpoint.ts';
import { workloadWords } from '../report/workload-text.ts';

/** Where requests go: the built-in simulator (started here) or --url. */
export interface Target {
  baseUrl: string;
  apiKey?: string;
  /** --header-env values, read from the environment. */
  secretHeaders?: Record<string, string>;
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

/** Starts the built-in simulator (or adopts one already started), or checks that --url answers. */
export async function openTarget(plan: RunPlan, opts: TargetOptions): Promise<Target> {
  const api = plan.engine.target.api;
  // Read first: a variable left unset is the user's mistake, found before a simulator starts.
  const secretHeaders = plan.headerEnv.length > 0 ? resolveHeaderEnv(plan.headerEnv, opts.env) : undefined;
  const secret = secretHeaders !== undefined ? { secretHeaders } : {};
  const words = workloadWords(plan.engine.workload.shape);
  const workload = words !== undefined ? { workload: words } : {};
  if (plan.sim) {
    const sim = opts.simulator !== undefined ? { ...opts.simulator, close: async () => undefined } : await spawnSimulator(plan.sim);
    return {
      // OpenAI base URLs include /v1; Anthropic's do not (see DESIGN.md, wire-format notes).
      baseUrl: wireFormat(api).baseUrlAt(sim.url),
      ...(plan.sim.apiKey !== undefined ? { apiKey: plan.sim.apiKey } : {}),
      ...secret,
      ...(sim.ca !== undefined ? { ca: sim.ca } : {}),
      simOrigin: sim.url,
      info: { label: 'built-in simulator', api, model: plan.engine.target.model, simulated: true, ...workload },
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
    ...secret,
    // The header shows it: a credential in its query (?api-key=...) must not.
    info: { label: redactUrl(baseUrl), api, model: plan.engine.target.model, simulated: false, ...workload },
    close: async () => undefined,
  };
}

/** The plan's engine settings completed with where the target is and how to reach it. */
export function engineConfigFor(plan: RunPlan, target: Target): EngineConfig {
  return {
    ...plan.engine,
    target: {
      ...plan.engine.target,
      baseUrl: target.baseUrl,
      simulated: target.info.simulated,
      ...(target.apiKey !== undefined ? { apiKey: target.apiKey } : {}),
      ...(target.secretHeaders !== undefined ? { secretHeaders: target.secretHeaders } : {}),
      ...(target.ca !== undefined ? { ca: target.ca } : {}),
    },
  };
}
