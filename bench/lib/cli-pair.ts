// Two headless CLI runs compared on the same machine at the same moments: both run at once, but
// only one is ever scheduled (the other is held with SIGSTOP), switching every block. Each block
// gives output tokens per second of the running client's own CPU time.
//
// Why: one CLI run after another, a minute apart, compares two machines: the speed of these shared
// VMs moves by ±10-25 % between runs seconds apart, so the ratio of two runs' tokens/s ranged from
// 0.65 to 1.20 for the same two arms. Blocks of a couple of seconds, alternating, see the same
// machine, and CPU time (from /proc, threads included) rather than wall time takes out the share of
// a core the client did not get.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { procCpuMs } from './child.ts';

export interface CliArm {
  /** The CLI's arguments after `--headless` (the bench adds --prometheus). */
  argv: string[];
  /** Wrapped in this command, e.g. ['taskset', '-c', '0'] (it must exec the CLI, keeping the pid). */
  wrap?: string[];
}

export interface PairResult {
  /** Output tokens per second of each arm's CPU time, over all of its blocks (of both orders: their mean). */
  perCpuSecond: [number, number];
  /** Output tokens per wall second while the arm was the one running. */
  perWallSecond: [number, number];
  /** CPU share each arm got of a core while it ran (1 = a full core). */
  cpuShare: [number, number];
  /** arm 1 / arm 0, tokens per CPU second, of each pair of neighbouring blocks. */
  ratios: number[];
  blocks: number;
  blockMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

/** Sum of a counter's samples over every label set, from a Prometheus text page. */
function counter(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

interface Running {
  child: ChildProcess;
  pid: number;
  port: number;
  stderr: () => string;
}

const TOKENS = 'streamtop_output_tokens_total';
const WARMUP_DONE = 'streamtop_requests_total';

async function scrape(r: Running): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${r.port}/metrics`, { signal: AbortSignal.timeout(5000) });
  return res.text();
}

async function launch(bin: string, arm: CliArm, seconds: number): Promise<Running> {
  const port = await freePort();
  const cmd = [...(arm.wrap ?? []), process.execPath, bin, '--headless', '-d', `${seconds}s`, '--prometheus', `127.0.0.1:${port}`, ...arm.argv];
  const child = spawn(cmd[0] ?? process.execPath, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => (err = (err + s).slice(-2000)));
  const r: Running = { child, pid: child.pid ?? -1, port, stderr: () => err };
  // Up once its metrics answer and it has finished measured requests (its warm-up is behind it).
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`streamtop exited ${child.exitCode} before it ran: ${err}`);
    if (Date.now() > until) throw new Error(`streamtop not measuring after 60 s: ${err}`);
    const text = await scrape(r).catch(() => '');
    if (counter(text, WARMUP_DONE) > 0) return r;
    await sleep(100);
  }
}

export interface PairOptions {
  blocks: number;
  blockMs: number;
  /** Each arm alone after its start-up, before the blocks begin. */
  warmupMs: number;
  /**
   * Wait this long after resuming an arm before its block starts counting. A resumed client first
   * drains what its server buffered in the sockets while it was stopped, in large cheap reads,
   * which is not its steady state.
   */
  settleMs?: number;
}

/**
 * Runs the two arms against their own targets, `blocks` blocks of `blockMs` each, alternating
 * (arm 0 first, then 1, 0, ...), after `warmupMs` of each running alone.
 */
export async function cliPair(bin: string, arms: [CliArm, CliArm], opts: PairOptions): Promise<PairResult> {
  const seconds = Math.ceil((2 * opts.blocks * opts.blockMs + 2 * opts.warmupMs) / 1000) + 120;
  const running: Running[] = [];
  try {
    // One at a time through start-up and warm-up, so neither slows the other's.
    for (const arm of arms) {
      for (const r of running) r.child.kill('SIGSTOP');
      const r = await launch(bin, arm, seconds);
      running.push(r);
      await sleep(opts.warmupMs);
    }
    const per = [0, 1].map(() => ({ tokens: [] as number[], cpuMs: [] as number[] }));
    for (let b = 0; b < 2 * opts.blocks; b++) {
      const i = b % 2;
      const r = running[i] as Running;
      (running[1 - i] as Running).child.kill('SIGSTOP');
      r.child.kill('SIGCONT');
      if (r.child.exitCode !== null) throw new Error(`streamtop exited ${r.child.exitCode} mid-run: ${r.stderr()}`);
      await sleep(opts.settleMs ?? 0);
      const t0 = counter(await scrape(r), TOKENS);
      const c0 = procCpuMs(r.pid);
      await sleep(opts.blockMs);
      const c1 = procCpuMs(r.pid);
      const t1 = counter(await scrape(r), TOKENS);
      per[i]?.tokens.push(t1 - t0);
      per[i]?.cpuMs.push(c1 - c0);
    }
    const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0);
    const [a, b] = per as [(typeof per)[number], (typeof per)[number]];
    const rate = (t: number, ms: number): number => (t / ms) * 1000;
    const wall = (opts.blocks * opts.blockMs) / 1000;
    return {
      perCpuSecond: [rate(sum(a.tokens), sum(a.cpuMs)), rate(sum(b.tokens), sum(b.cpuMs))],
      perWallSecond: [sum(a.tokens) / wall, sum(b.tokens) / wall],
      cpuShare: [sum(a.cpuMs) / 1000 / wall, sum(b.cpuMs) / 1000 / wall],
      ratios: b.tokens.map((t, k) => rate(t, b.cpuMs[k] ?? Number.NaN) / rate(a.tokens[k] ?? 0, a.cpuMs[k] ?? Number.NaN)),
      blocks: opts.blocks,
      blockMs: opts.blockMs,
    };
  } finally {
    for (const r of running) {
      r.child.kill('SIGKILL');
    }
  }
}

/**
 * One pair run in each order (arms as given, then swapped), combined so that whatever favours the
 * first- or second-launched run cancels out: in 8-block trials the same two arms read 0.942 with
 * one launched second and 1.087 with it launched first. `ratio` is arm 1 / arm 0: the geometric
 * mean of the first order's ratio and the inverse of the second's; `ratios` are every block
 * pair's arm 1 / arm 0 from both orders.
 */
export interface BalancedPair extends PairResult {
  ratio: number;
  /** arm 1 / arm 0 in each order. */
  orderRatios: [number, number];
}

export function combineOrders(ab: PairResult, ba: PairResult): BalancedPair {
  const r1 = ab.perCpuSecond[1] / ab.perCpuSecond[0];
  const r2 = ba.perCpuSecond[0] / ba.perCpuSecond[1];
  const mean = (k: 'perCpuSecond' | 'perWallSecond' | 'cpuShare'): [number, number] => [
    (ab[k][0] + ba[k][1]) / 2,
    (ab[k][1] + ba[k][0]) / 2,
  ];
  return {
    ratio: Math.sqrt(r1 * r2),
    orderRatios: [r1, r2],
    perCpuSecond: mean('perCpuSecond'),
    perWallSecond: mean('perWallSecond'),
    cpuShare: mean('cpuShare'),
    ratios: [...ab.ratios, ...ba.ratios.map((r) => 1 / r)],
    blocks: ab.blocks + ba.blocks,
    blockMs: ab.blockMs,
  };
}
