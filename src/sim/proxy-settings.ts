// What `streamtop sim --proxy-to URL` is: an emulated gateway in front of another server. Its
// settings ride in SimConfig (`proxy`), so spawnSimulator starts a proxy child exactly as it starts
// a simulator (the config travels as JSON in the environment).

import { z } from 'zod';

/** A latency drawn per request from a normal distribution, never below 0. */
export interface LatencySpec {
  mean: number;
  sd: number;
}

export interface ProxySettings {
  /** The upstream's base URL (origin, optionally a path prefix), without a trailing slash. */
  to: string;
  /** Waited before the request goes upstream, so everything the client sees moves by it. */
  addedLatency: LatencySpec;
  /** Waited before each piece of the upstream's body is written on. */
  addedChunkLatencyMs: number;
}

/** Upper bound of both latencies: an hour is no gateway, and Node timers stay well inside range. */
export const MAX_ADDED_LATENCY_MS = 3_600_000;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export const ProxySettingsSchema = z.object({
  to: z.string().refine(isHttpUrl, 'expected an http:// or https:// URL'),
  addedLatency: z.object({ mean: z.number().min(0).max(MAX_ADDED_LATENCY_MS), sd: z.number().min(0).max(MAX_ADDED_LATENCY_MS) }),
  addedChunkLatencyMs: z.number().min(0).max(MAX_ADDED_LATENCY_MS),
});

const MS = '(\\d+(\\.\\d*)?|\\.\\d+)';
const MEAN_SD = new RegExp(`^${MS}(:${MS})?$`);

export const ADDED_LATENCY_ALLOWED = `MS or MEAN:SD in milliseconds, each from 0 to ${MAX_ADDED_LATENCY_MS}, e.g. 30 or 30:5`;

/** "30" or "30:5" -> {mean, sd}; undefined when it is not that shape or out of range. */
export function parseLatencySpec(raw: string): LatencySpec | undefined {
  const text = raw.trim();
  if (!MEAN_SD.test(text)) return undefined;
  const [mean = '', sd] = text.split(':');
  const spec = { mean: Number(mean), sd: sd === undefined ? 0 : Number(sd) };
  return spec.mean <= MAX_ADDED_LATENCY_MS && spec.sd <= MAX_ADDED_LATENCY_MS ? spec : undefined;
}

/**
 * The simulator flags that still mean something while proxying: where it listens, the seed of
 * the latency draws and the request size limit. Every other one shapes a generation the proxy
 * does not make, and is refused with --proxy-to.
 */
export const PROXY_SIM_FLAGS: ReadonlySet<string> = new Set(['host', 'port', 'seed', 'max-body-bytes']);
