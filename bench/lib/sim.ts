// The simulator side of the engine benchmarks: a simulator in its own process (never sharing an
// event loop with the client it measures), its per-request ground truth and its counters.

import { resolveSimConfig, type SimFlagValues } from '../../src/sim/config.ts';
import { spawnSimulator, type SpawnedSimulator } from '../../src/sim/spawn.ts';
import type { SimStats } from '../../src/sim/stats.ts';

export interface BenchSim extends SpawnedSimulator {
  /** The flags as `streamtop sim` would take them, for the report. */
  command: string;
}

export async function startBenchSim(flags: SimFlagValues): Promise<BenchSim> {
  const config = resolveSimConfig(flags);
  const sim = await spawnSimulator(config, { timeoutMs: 30_000 });
  const command =
    'streamtop sim ' +
    Object.entries(flags)
      .map(([k, v]) => (v === true ? `--${k}` : `--${k} ${String(v)}`))
      .join(' ');
  return { ...sim, command };
}

/** A simulator record as GET/POST /admin/requests returns it (times: ms on the server's clock). */
export interface SimRecordJson {
  id: string;
  stream: boolean;
  status: string;
  httpStatus: number;
  tokensSent: number;
  receivedMs: number;
  admittedMs: number | null;
  headersMs: number | null;
  firstTokenMs: number | null;
  lastTokenMs: number | null;
  endMs: number | null;
  tokenMs: number[] | null;
}

/** The simulator's records for these request ids, looked up in batches. */
export async function lookupRecords(baseUrl: string, ids: readonly string[]): Promise<{ records: Map<string, SimRecordJson>; timeOrigin: number }> {
  const out = new Map<string, SimRecordJson>();
  let timeOrigin = 0;
  const BATCH = 5000;
  for (let i = 0; i < ids.length; i += BATCH) {
    const res = await fetch(`${baseUrl}/admin/requests/lookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: ids.slice(i, i + BATCH) }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`admin lookup: HTTP ${res.status}`);
    const body = (await res.json()) as { records: SimRecordJson[]; timeOrigin: number };
    timeOrigin = body.timeOrigin;
    for (const r of body.records) out.set(r.id, r);
  }
  return { records: out, timeOrigin };
}

export async function simStats(baseUrl: string): Promise<SimStats> {
  const res = await fetch(`${baseUrl}/admin/stats`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as SimStats;
}
