// Spawns a measuring client (bench/lib/client-child.ts, or the Python aiohttp client) in its own
// process, with a raised open-file limit, and collects its JSON result. Bounded by a timeout.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
