// Spawns a measuring client (bench/lib/client-child.ts, or the Python aiohttp client) in its own
// process, with a raised open-file limit, and collects its JSON result. Bounded by a timeout.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildJob, ChildResult } from './client-child.ts';

export type { ChildJob, ChildRecord, ChildResult } from './client-child.ts';

const CHILD = fileURLToPath(new URL('./client-child.ts', import.meta.url));
/** 10,000 sockets need more than the usual 1,024 descriptors; raised per child (soft limit). */
export const NOFILE = 20_000;

export interface ChildOptions {
  /** Extra V8 / node flags, e.g. ['--max-semi-space-size=64']. */
  nodeArgs?: string[];
  timeoutMs: number;
  /** Called with the client's pid once it runs (for /proc sampling). */
  onSpawn?: (pid: number) => void;
}

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function runProcess(cmd: string, env: Record<string, string>, opts: ChildOptions): Promise<void> {
  const child = spawn('bash', ['-c', `ulimit -n ${NOFILE} 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${cmd}`], {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`client exited with ${code}: ${stderr.trim()}`);
}

/** Runs one job in a fresh node process and returns what it measured. */
export async function runChild(job: Omit<ChildJob, 'out'>, opts: ChildOptions): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-'));
  const out = join(dir, 'result.json');
  try {
    const args = [...(opts.nodeArgs ?? []), '--import', 'tsx', CHILD].map(sh).join(' ');
    await runProcess(`${sh(process.execPath)} ${args}`, { BENCH_JOB: JSON.stringify({ ...job, out }) }, opts);
    return JSON.parse(readFileSync(out, 'utf8')) as ChildResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const PYTHON = '/usr/bin/python3';
const PY_CLIENT = fileURLToPath(new URL('../engine-aiohttp-client.py', import.meta.url));

/** The Python aiohttp client (bench/engine-aiohttp-client.py), same job shape, same result shape. */
export async function runPython(job: Omit<ChildJob, 'out'>, opts: ChildOptions): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-'));
  const out = join(dir, 'result.json');
  try {
    await runProcess(`${PYTHON} ${sh(PY_CLIENT)}`, { BENCH_JOB: JSON.stringify({ ...job, out }) }, opts);
    return JSON.parse(readFileSync(out, 'utf8')) as ChildResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Current and peak resident set of a process, bytes (Linux /proc). */
export function procRss(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, ms (Linux /proc; clock ticks of 10 ms). */
export function procCpuMs(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** TcpExt ListenOverflows so far (machine-wide in this network namespace): accept-queue overflows. */
export function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const head = (lines[i] as string).split(/\s+/);
      const vals = (lines[i + 1] as string).split(/\s+/);
      const k = head.indexOf('ListenOverflows');
      if (head[0] === 'TcpExt:' && k > 0) return Number(vals[k]);
    }
  } catch {
    // not Linux
  }
  return Number.NaN;
}

/**
 * Time the main thread of a process spent runnable but waiting for a CPU, ms (Linux schedstat).
 * On a shared, oversubscribed machine this is the latency nobody's code can avoid.
 */
export function procRunqueueWaitMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/**
 * A helper server (a bench/ script) in its own Node process, ready once it prints `listening on
 * URL`; close() stops it. The child exits by itself when its stdin closes (the parent died).
 */
export async function startBenchServer(script: string, args: string[] = []): Promise<{ url: string; pid: number; close(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      buf += s;
      const m = /^listening on (\S+)\n/m.exec(buf);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return { url, pid: child.pid ?? -1, close: () => child.kill('SIGTERM') };
}

/** Machine-wide CPU time counters from /proc/stat, in clock ticks: busy (not idle or iowait) and total. */
export function machineCpuTicks(): { busy: number; total: number } {
  try {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** Share of all CPUs busy between two machineCpuTicks() readings, in % of one CPU (200 = two CPUs full). */
export function machineBusyPct(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return ((b.busy - a.busy) / (b.total - a.total)) * availableParallelism() * 100;
}

/** 1-minute load average and CPU count, for the report. */
export function machineLoad(): string {
  try {
    const la = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    return `load average ${la} on ${availableParallelism()} CPUs`;
  } catch {
    return `${availableParallelism()} CPUs`;
  }
}
