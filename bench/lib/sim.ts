// The simulator side of the engine benchmarks: a simulator in its own process (never sharing an
// event loop with the client it measures), its per-request ground truth and its counters.

import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveSimConfig, type SimFlagValues } from '../../src/sim/config.ts';
import { SIM_V8_FLAGS } from '../../src/sim/spawn.ts';
import type { SimStats } from '../../src/sim/stats.ts';

export interface BenchSim {
  url: string;
  pid: number;
  /** The flags as `streamtop sim` would take them, for the report. */
  command: string;
  close(): Promise<void>;
}

const SIM_MAIN = fileURLToPath(new URL('../../src/sim/main.ts', import.meta.url));
const BACKLOG_PRELOAD = fileURLToPath(new URL('./sim-backlog.ts', import.meta.url));
/** Accept-queue depth of the benchmark's simulator (see sim-backlog.ts). */
export const SIM_BACKLOG = 4096;

/**
 * The simulator in a child process, as spawnSimulator (src/sim/spawn.ts) runs it (config as JSON in
 * STREAMTOP_SIM_CONFIG, exits with its parent), plus the sim-backlog.ts preload.
 */
async function spawnSim(flags: SimFlagValues): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  const config = resolveSimConfig(flags);
  // The same V8 flags as the CLI's simulator (no memory reducer, larger young generation), plus
  // BENCH_SIM_NODE_FLAGS for experiments (e.g. "--cpu-prof --cpu-prof-dir=/tmp/simprof").
  const child = spawn(process.execPath, [...SIM_V8_FLAGS, ...(process.env.BENCH_SIM_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', '--import', BACKLOG_PRELOAD, SIM_MAIN], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, STREAMTOP_SIM_CONFIG: JSON.stringify(config), STREAMTOP_SIM_PARENT_PIPE: '1', BENCH_SIM_BACKLOG: String(SIM_BACKLOG) },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let gone = false;
  void exited.then(() => (gone = true));
  const close = async (): Promise<void> => {
    if (gone) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`simulator not listening after 30 s: ${stderr}`)), 30_000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (s: string) => {
        buf += s;
        // Multiline: with BENCH_SIM_NODE_FLAGS="--trace-gc" the GC trace shares stdout.
        const m = /^listening on (\S+)\n/m.exec(buf);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`simulator exited before listening: ${stderr}`));
      });
    });
    // BENCH_SIM_STDOUT=FILE keeps the simulator's stdout (e.g. a --trace-gc log) in FILE.
    const keep = process.env.BENCH_SIM_STDOUT;
    if (keep !== undefined) child.stdout.on('data', (s: string) => appendFileSync(keep, s));
    child.stdout.resume();
    return { url, pid: child.pid ?? -1, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function startBenchSim(flags: SimFlagValues): Promise<BenchSim> {
  const sim = await spawnSim(flags);
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
