/**
 * Does the dashboard cost the measurement anything? The same workload (simulator with ttft 200 ms,
 * itl 20 ms, no jitter, 64 streams) measured headless and with the dashboard running in a real
 * terminal (tmux, 120x40), against one simulator, alternately. Reports TTFT p50/p99 of each, the
 * differences, and the dashboard process's CPU (main thread + engine worker) as % of one core.
 * Each round runs headless twice (before and after the dashboard): the two headless runs show how
 * far apart two runs of the same mode land here (the A/A control), which is the resolution the
 * dashboard's difference can be judged at.
 *
 *   node --import tsx bench/dashboard-cost.ts [--seconds 20] [--rounds 2] [--size 80x24] [--ramp 0.6] [--tokens 20] [--warmup 640]
 *
 * --warmup N: requests excluded from the figures at the start of every run (default 640, ~6 s at
 * 64 streams). Per-request logs (--ndjson) showed the first ~5 s of a fresh process carry most of
 * its slow first tokens (15-27 % of requests over 205 ms in seconds 0-1, ~1 % from second 10 on:
 * JIT compilation and heap growth competing for the two cores), in headless runs as much as with
 * the dashboard; with a 64-request warm-up, how bad a run's first seconds were decided its p99.
 *
 * --tokens N: output tokens per request (default 20, as in the engine accuracy benchmark). Short
 * requests give ~4,000 TTFT samples in 40 s at 64 streams (100 tokens gave ~1,050), so a p99 is
 * set by ~40 samples rather than ~10 and moves less from run to run.
 *
 * --ramp S starts the 64 streams spread over S seconds instead of all at once. With jitter 0 the
 * streams otherwise stay in lockstep for the whole run: 64 requests reach the simulator in the
 * same millisecond once per request length, the last ones admitted wait for the first 63, and TTFT
 * p99 is decided by where a run's bursts fall (it moved 8-14 ms between runs of the same mode).
 * Spread over one request's length (200 + (N - 1) x 20 ms), the load is even and p99 measures the
 * client.
 *
 * Needs tmux. Loopback only; every process it starts is stopped.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadReport } from '../src/report/load.ts';
import { mergeReports } from '../src/report/merge.ts';
import { resolveSimConfig } from '../src/sim/config.ts';
import { spawnSimulator } from '../src/sim/spawn.ts';

const BIN = fileURLToPath(new URL('../bin/streamtop.js', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 20);
const sizeArg = args.indexOf('--size');
const [COLS, ROWS] = (sizeArg >= 0 ? (args[sizeArg + 1] ?? '120x40') : '120x40').split('x');
const ROUNDS = arg('rounds', 2);
const RAMP = arg('ramp', 0);
const TOKENS = arg('tokens', 20);
const WARMUP = arg('warmup', 640);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface RunResult {
  p50: number;
  p99: number;
  count: number;
  cpuPct?: number;
}

function readReport(path: string): RunResult {
  const r = JSON.parse(readFileSync(path, 'utf8')) as { byMode: { stream: { ttftMs: { p50: number; p99: number; count: number } } } };
  const t = r.byMode.stream.ttftMs;
  return { p50: t.p50, p99: t.p99, count: t.count };
}

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, all threads
  } catch {
    return undefined;
  }
}

const common = (url: string, json: string): string[] => [
  '--url', url, '--model', 'bench', '-c', '64', '--stream-ratio', '1', '-d', `${SECONDS}s`, '--grace', '0', '--warmup', String(WARMUP), '--json', json,
  ...(RAMP > 0 ? ['--ramp', `${RAMP}s`] : []),
];

async function headless(url: string, dir: string, i: string): Promise<RunResult> {
  const json = join(dir, `headless-${i}.json`);
  await new Promise<void>((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, '--headless', ...common(url, json)], { stdio: 'ignore', env: { ...process.env, OPENAI_API_KEY: 'bench' } });
    c.on('exit', () => resolve());
    c.on('error', reject);
  });
  return readReport(json);
}

async function dashboard(url: string, dir: string, i: number): Promise<RunResult> {
  const json = join(dir, `dashboard-${i}.json`);
  const done = join(dir, `dashboard-${i}.done`);
  const session = `streamtop-bench-${process.pid}-${i}`;
  const cmd = `CI=false ${args.includes('--no-color') ? 'NO_COLOR=1 ' : ''}OPENAI_API_KEY=bench ${process.execPath} ${BIN} ${common(url, json).join(' ')}; touch ${done}`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', COLS ?? '120', '-y', ROWS ?? '40', 'bash', '-c', cmd]);
  try {
    let pid: number | undefined;
    for (let t = 0; t < 100 && pid === undefined; t++) {
      await new Promise((r) => setTimeout(r, 100));
      // The node process itself, not the `bash -c` that started it.
      const out = spawnSync('pgrep', ['-f', `^${process.execPath} ${BIN} --url ${url}`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
      if (out) pid = Number(out);
    }
    if (pid === undefined) throw new Error('dashboard process not found');
    // CPU over the measured part of the run: from 3 s in to 1 s before the end.
    await new Promise((r) => setTimeout(r, 3000));
    const t0 = cpuTicks(pid);
    const w0 = Date.now();
    await new Promise((r) => setTimeout(r, (SECONDS - 4) * 1000));
    const t1 = cpuTicks(pid);
    const w1 = Date.now();
    const until = Date.now() + 60_000;
    while (!existsSync(done) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    const res = readReport(json);
    if (t0 !== undefined && t1 !== undefined) res.cpuPct = (((t1 - t0) / CLK_TCK) * 1000 * 100) / (w1 - w0);
    return res;
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
}

const sim = await spawnSimulator(
  resolveSimConfig({ ttft: '200', itl: '20', jitter: '0', 'output-tokens': String(TOKENS), slots: '100000', queue: '100000', 'load-factor': '0', 'prefill-per-token': '0' }),
);
const url = `${sim.url}/v1`;
const dir = mkdtempSync(join(tmpdir(), 'streamtop-dash-bench-'));
const rows: string[] = [];
const diffs: { p50: number; p99: number; vsMeanP50: number; vsMeanP99: number; aaP50: number; aaP99: number; cpu: number }[] = [];
let pooled = '';
const ms = (n: number): string => n.toFixed(2);
try {
  for (let i = 0; i < ROUNDS; i++) {
    // Headless, dashboard, headless again: the second headless run is the A/A control, i.e. how
    // far two runs of the same mode land apart on this machine.
    const h = await headless(url, dir, `a-${i}`);
    const d = await dashboard(url, dir, i);
    const b = await headless(url, dir, `b-${i}`);
    // Against the mean of the runs before and after (an A-B-A design): slow drift of the machine
    // over the round cancels out.
    const vsMeanP50 = d.p50 - (h.p50 + b.p50) / 2;
    const vsMeanP99 = d.p99 - (h.p99 + b.p99) / 2;
    diffs.push({ p50: d.p50 - h.p50, p99: d.p99 - h.p99, vsMeanP50, vsMeanP99, aaP50: b.p50 - h.p50, aaP99: b.p99 - h.p99, cpu: d.cpuPct ?? NaN });
    rows.push(
      `| ${i + 1} | ${h.count} | ${ms(h.p50)} | ${ms(h.p99)} | ${d.count} | ${ms(d.p50)} | ${ms(d.p99)} | ${b.count} | ${ms(b.p50)} | ${ms(b.p99)} | ` +
        `${ms(d.p50 - h.p50)} | ${ms(d.p99 - h.p99)} | ${ms(vsMeanP50)} | ${ms(vsMeanP99)} | ${ms(b.p99 - h.p99)} | ${(d.cpuPct ?? NaN).toFixed(1)} % |`,
    );
  }
  // Every round's samples of one mode in one histogram (the reports carry them): a p99 from
  // ~ROUNDS times as many requests, so less of the difference is sampling noise.
  const pool = (files: string[]): { p50: number; p99: number; count: number } =>
    mergeReports(files.map((f) => loadReport(join(dir, f)))).byMode.stream.ttftMs;
  const idx = Array.from({ length: ROUNDS }, (_, i) => i);
  const h = pool(idx.flatMap((i) => [`headless-a-${i}.json`, `headless-b-${i}.json`]));
  const d = pool(idx.map((i) => `dashboard-${i}.json`));
  pooled =
    `pooled over the ${ROUNDS} rounds: headless (both runs) n ${h.count}, TTFT p50 ${ms(h.p50)} / p99 ${ms(h.p99)} ms; ` +
    `dashboard n ${d.count}, p50 ${ms(d.p50)} / p99 ${ms(d.p99)} ms; Δp50 ${ms(d.p50 - h.p50)} ms, Δp99 ${ms(d.p99 - h.p99)} ms`;
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
const worst = (f: (d: (typeof diffs)[number]) => number): string => Math.max(...diffs.map((d) => Math.abs(f(d)))).toFixed(2);
const table = [
  `Dashboard cost: simulator ttft 200 ms, itl 20 ms, jitter 0, ${TOKENS} tokens; 64 streams${RAMP > 0 ? ` started over ${RAMP} s` : ' started at once'}, ${SECONDS} s per run, warm-up ${WARMUP} requests; terminal ${COLS}x${ROWS}; render thread at nice 10.`,
  'Each round: headless (A), dashboard, headless again (B, the A/A control). Δ = dashboard - A; Δ vs (A+B)/2 = dashboard - mean of A and B; A/A = B - A. TTFT in ms.',
  '',
  '| round | A n | A p50 | A p99 | dashboard n | p50 | p99 | B n | B p50 | B p99 | Δp50 | Δp99 | Δp50 vs (A+B)/2 | Δp99 vs (A+B)/2 | A/A Δp99 | dashboard CPU (1 core = 100 %) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `worst |Δp50| ${worst((d) => d.p50)} ms, worst |Δp99| ${worst((d) => d.p99)} ms; against (A+B)/2: worst |Δp50| ${worst((d) => d.vsMeanP50)} ms, worst |Δp99| ${worst((d) => d.vsMeanP99)} ms (target < 2 ms); ` +
    `A/A control: worst |Δp50| ${worst((d) => d.aaP50)} ms, worst |Δp99| ${worst((d) => d.aaP99)} ms; ` +
    `worst CPU ${Math.max(...diffs.map((d) => d.cpu)).toFixed(1)} % (target < 50 %)`,
  '',
  pooled,
].join('\n');
console.log(table);
const outDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `dashboard-cost-${COLS}x${ROWS}${RAMP > 0 ? '-ramp' : ''}.md`), `${table}\n`);
