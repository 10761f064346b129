// Issue 14's workload benchmarks and acceptance figures, each against its target:
//
//   1. building 10,000 unique 2,000-token prompts (in-process, tokenizer already loaded);
//   2. the shared-prefix TTFT drop against the simulator's --prefill-per-token prediction;
//   3. engine throughput with --input-tokens 1000 against the built-in prompts (headless CLI runs);
//   4. the simulator's request-rate ceiling with unique 1,000-token prompts against 10-token ones
//      (non-streaming, one output token, no latency: the simulator's own work per request).
//
//   node --import tsx bench/workload.ts [--repeat N] [--seconds S] [--ceiling-rounds N]
//
// Writes bench/results/workload.md and .json. Every run is a separate process; runs of the two
// arms of a comparison alternate, and each figure is the median of --repeat rounds.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { buildSyntheticPrompts } from '../src/engine/synthetic.ts';
import { preloadTokenizer } from '../src/engine/wire/tokens.ts';
import type { Report } from '../src/report/schema.ts';
import { machineLoad, procCpuMs, startBenchServer } from './lib/child.ts';
import { startBenchSim } from './lib/sim.ts';
import { fmt, fmtInt, median, mdTable, passFail } from './lib/stats.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const REPEAT = Math.max(1, Math.min(7, Number(flag('--repeat') ?? 3)));
const SECONDS = Math.max(2, Math.min(30, Number(flag('--seconds') ?? 6)));
/** Rounds of the ceiling comparison (short ones: a ratio holds better across many). */
const CEIL_ROUNDS = Math.max(1, Math.min(9, Number(flag('--ceiling-rounds') ?? 5)));
/** Run only some parts: --only build,drop,throughput,ceiling (for experiments; the recorded run has all). */
const ONLY = new Set((flag('--only') ?? 'build,drop,throughput,ceiling').split(','));
const BIN = fileURLToPath(new URL('../bin/streamtop.js', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-json-server.ts', import.meta.url));
const OUT = fileURLToPath(new URL('./results/', import.meta.url));

/** A headless CLI run (under `wrap`, e.g. taskset); returns its saved report. */
function cli(argv: string[], wrap: string[] = []): Report {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-bench-workload-'));
  const file = join(dir, 'r.json');
  const cmd = [...wrap, process.execPath, BIN, '--headless', '--json', file, ...argv];
  const r = spawnSync(cmd[0] ?? process.execPath, cmd.slice(1), { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`streamtop ${argv.join(' ')} exited ${r.status}: ${r.stderr.slice(-800)}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Report;
}

function buildTime(): { seconds: number[] } {
  preloadTokenizer();
  buildSyntheticPrompts({ input: { kind: 'fixed', n: 10 }, count: 1, seed: 1 }); // the corpus, once
  const seconds: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    const prompts = buildSyntheticPrompts({ input: { kind: 'fixed', n: 2000 }, count: 10_000, seed: 100 + i });
    seconds.push((performance.now() - t0) / 1000);
    if (new Set(prompts.map((p) => p.messages[0]?.content)).size !== 10_000) throw new Error('prompts not unique');
  }
  return { seconds };
}

const PREFILL = 0.2;
const SHARED = 800;

function prefixDrop(): { without: number[]; withPrefix: number[]; cachedPerRequest: number[]; hitRatio: number[] } {
  const common = ['-n', '60', '--warmup', '4', '-c', '1', '--stream-ratio', '1', '--input-tokens', '1000', '--output-tokens', '8',
    '--sim-ttft', '20', '--sim-itl', '1', '--sim-jitter', '0', '--sim-prefill-per-token', String(PREFILL)];
  const out = { without: [] as number[], withPrefix: [] as number[], cachedPerRequest: [] as number[], hitRatio: [] as number[] };
  for (let i = 0; i < REPEAT; i++) {
    out.without.push(cli(common).byMode.stream.ttftMs.p50);
    const r = cli([...common, '--shared-prefix', String(SHARED), '--prefix-groups', '2']);
    out.withPrefix.push(r.byMode.stream.ttftMs.p50);
    const c = r.workload?.cache;
    out.cachedPerRequest.push(c !== undefined ? c.cachedTokens / (c.hits + c.misses) : 0);
    out.hitRatio.push(c?.hitRatio ?? 0);
  }
  return out;
}

/** Whether two CPUs can be given one each to the engine and the simulator (taskset, 2+ CPUs). */
const PIN = availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/**
 * Output tok/s of the engine (headless CLI runs) with the built-in prompts and with unique
 * 1,000-token ones, against one simulator in its own process. The engine runs on CPU 0 and the
 * simulator on CPU 1 (taskset), so what one side spends cannot slow the other: on two shared
 * cores, a ratio of raw rates moved with whatever else the simulator did per unique prompt, and
 * by ±10 % from run to run with the machine's speed. The two arms alternate (AB, BA, ...) and the
 * figure is the median of the rounds' ratios. With 2,000-token answers the engine's side of a
 * request (building, sending a 5 KB body) is what the prompt length can change, which is the
 * check; with 200-token answers requests are short and the simulator's cost per prompt counts more.
 */
async function engineThroughput(answerTokens: number): Promise<{ builtin: number[]; synthetic: number[]; ratios: number[] }> {
  const sim = await startBenchSim({ profile: 'fast', ttft: '0', itl: '0', jitter: '0', 'output-tokens': String(answerTokens), slots: '64', 'prefill-per-token': '0' });
  if (PIN) spawnSync('taskset', ['-a', '-p', '-c', '1', String(sim.pid)], { stdio: 'ignore' });
  const common = ['-d', `${SECONDS}s`, '-c', '32', '--warmup', '64', '--url', sim.url, '--model', 'bench', '--max-tokens', String(answerTokens)];
  const run = (extra: string[]): number => cli([...common, ...extra], PIN ? ['taskset', '-c', '0'] : []).totals.outputTokensPerSec;
  const out = { builtin: [] as number[], synthetic: [] as number[], ratios: [] as number[] };
  try {
    for (let i = 0; i < REPEAT; i++) {
      const arms = [() => out.builtin.push(run([])), () => out.synthetic.push(run(['--input-tokens', '1000']))];
      for (const arm of i % 2 === 0 ? arms : arms.reverse()) arm();
      out.ratios.push((out.synthetic[i] ?? Number.NaN) / (out.builtin[i] ?? Number.NaN));
    }
  } finally {
    await sim.close();
  }
  return out;
}

/**
 * Non-streaming requests with prebuilt unique bodies over 32 keep-alive connections, for SECONDS.
 * The ceiling is the simulator's requests per second of its own CPU time (from /proc): on a
 * machine of two cores shared with the client (and other work), the client's share moves the
 * raw rate from run to run, while the simulator's CPU cost per request is what limits it.
 */
async function simCeiling(tokens: number, server: 'sim' | 'bare'): Promise<{ reqPerSec: number; ceiling: number }> {
  const sim =
    server === 'sim'
      ? await startBenchSim({ ttft: '0', itl: '0', jitter: '0', 'output-tokens': '1', 'prefill-per-token': '0', slots: '256', queue: '100000' })
      : await startBenchServer(BARE);
  const pool = new Pool(sim.url.replace(/\/v1$/, ''), { connections: 32, pipelining: 1 });
  try {
    const bodies = buildSyntheticPrompts({ input: { kind: 'fixed', n: tokens }, count: 60_000, seed: tokens }).map((p) =>
      JSON.stringify({ model: 'm', max_tokens: 1, messages: p.messages }),
    );
    let next = 0;
    let done = 0;
    const warmEnd = performance.now() + 1500;
    const end = warmEnd + SECONDS * 1000;
    let cpu0 = Number.NaN;
    setTimeout(() => (cpu0 = procCpuMs(sim.pid)), 1500);
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        const body = bodies[next++ % bodies.length] ?? '';
        const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await r.body.dump();
        if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}`);
        const now = performance.now();
        if (now > warmEnd && now <= end) done++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const cpuMs = procCpuMs(sim.pid) - cpu0;
    return { reqPerSec: done / SECONDS, ceiling: (done / cpuMs) * 1000 };
  } finally {
    await pool.close();
    await sim.close();
    await new Promise((r) => setTimeout(r, 200)); // the server's CPU gone before the next arm
  }
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const load0 = machineLoad();
  const build = ONLY.has('build') ? buildTime() : { seconds: [NaN] };
  const drop = ONLY.has('drop') ? prefixDrop() : { without: [NaN], withPrefix: [NaN], cachedPerRequest: [NaN], hitRatio: [NaN] };
  const none = { builtin: [NaN], synthetic: [NaN], ratios: [NaN] };
  const thr = ONLY.has('throughput') ? await engineThroughput(2000) : none;
  const thrShort = ONLY.has('throughput') ? await engineThroughput(200) : none;
  const ceil = { short: [] as number[], long: [] as number[], shortRate: [] as number[], longRate: [] as number[], bareShort: [] as number[], bareLong: [] as number[] };
  // Each round runs the four arms back to back, in the reverse order every other round, so a drift
  // of the machine's speed within a round falls on both arms of a ratio alike; the figure is the
  // median of the rounds' ratios (the machine's speed moves by more between rounds than within).
  for (let i = 0; i < (ONLY.has('ceiling') ? CEIL_ROUNDS : 0); i++) {
    const arms = [
      async () => {
        const r = await simCeiling(10, 'sim');
        ceil.short.push(r.ceiling);
        ceil.shortRate.push(r.reqPerSec);
      },
      async () => {
        const r = await simCeiling(1000, 'sim');
        ceil.long.push(r.ceiling);
        ceil.longRate.push(r.reqPerSec);
      },
      async () => void ceil.bareShort.push((await simCeiling(10, 'bare')).ceiling),
      async () => void ceil.bareLong.push((await simCeiling(1000, 'bare')).ceiling),
    ];
    for (const arm of i % 2 === 0 ? arms : arms.reverse()) await arm();
  }
  const buildS = median(build.seconds);
  const measuredDrop = median(drop.without) - median(drop.withPrefix);
  const predictedDrop = median(drop.cachedPerRequest) * PREFILL;
  const dropErr = Math.abs(measuredDrop - predictedDrop) / predictedDrop;
  const thrRatio = median(thr.ratios);
  const thrShortRatio = median(thrShort.ratios);
  const ratios = (long: number[], short: number[]): number[] => long.map((l, i) => l / (short[i] ?? Number.NaN));
  const ceilRatios = ratios(ceil.long, ceil.short);
  const bareRatios = ratios(ceil.bareLong, ceil.bareShort);
  const ceilRatio = median(ceilRatios);
  const bareRatio = median(bareRatios);
  // CPU µs a 1,000-token prompt adds to a request, the simulator's and the bare server's.
  const extraUs = (long: number[], short: number[]): number => median(long.map((l, i) => 1e6 / l - 1e6 / (short[i] ?? Number.NaN)));
  const simExtra = extraUs(ceil.long, ceil.short);
  const bareExtra = extraUs(ceil.bareLong, ceil.bareShort);
  const rows = [
    ['build 10,000 unique 2,000-token prompts', '< 3 s', `${fmt(buildS)} s (${build.seconds.map((s) => fmt(s)).join(' / ')})`, passFail(buildS < 3)],
    ['cache hit ratio, --shared-prefix 800 --prefix-groups 2, after warm-up', '> 0.7', `${fmt(median(drop.hitRatio), 3)}`, passFail(median(drop.hitRatio) > 0.7)],
    [
      `TTFT p50 drop with the shared prefix vs without (prefill ${PREFILL} ms/token)`,
      'within 10 % of prediction',
      `${fmt(measuredDrop, 1)} ms measured (${fmt(median(drop.without), 1)} -> ${fmt(median(drop.withPrefix), 1)} ms), ${fmt(predictedDrop, 1)} ms predicted (${fmt(median(drop.cachedPerRequest), 0)} cached tokens x ${PREFILL}), off by ${fmt(dropErr * 100, 1)} %`,
      passFail(dropErr <= 0.1),
    ],
    [
      `engine output tok/s, --input-tokens 1000 vs built-in prompts, 2,000-token answers${PIN ? ' (engine on CPU 0, simulator on CPU 1)' : ' (engine and simulator sharing the CPUs: no taskset)'}`,
      'within 5 %',
      `${fmt(thrRatio, 3)} (rounds: ${thr.ratios.map((r) => fmt(r, 3)).join(' / ')}; ${thr.synthetic.map(fmtInt).join(' / ')} vs ${thr.builtin.map(fmtInt).join(' / ')} tok/s)`,
      passFail(thrRatio >= 0.95),
    ],
    [
      'the same with 200-token answers (more of the simulator\'s cost per prompt: compare the ceiling row)',
      '-',
      `${fmt(thrShortRatio, 3)} (rounds: ${thrShort.ratios.map((r) => fmt(r, 3)).join(' / ')}; ${thrShort.synthetic.map(fmtInt).join(' / ')} vs ${thrShort.builtin.map(fmtInt).join(' / ')} tok/s)`,
      '',
    ],
    [
      'simulator req/s ceiling (requests per second of its CPU), unique 1,000-token vs 10-token prompts',
      '>= 75 %',
      `${fmt(ceilRatio * 100, 1)} % (rounds: ${ceilRatios.map((r) => fmt(r * 100, 0)).join(' / ')} %; ${ceil.long.map(fmtInt).join(' / ')} vs ${ceil.short.map(fmtInt).join(' / ')} req/s; ` +
        `served ${fmtInt(median(ceil.longRate))} vs ${fmtInt(median(ceil.shortRate))} req/s with the client on the same cores); the prompt adds ${fmt(simExtra, 1)} µs of CPU a request`,
      passFail(ceilRatio >= 0.75),
    ],
    [
      'floor: a bare node:http server that only reads, decodes and JSON-parses the same bodies (bench/bare-json-server.ts)',
      '-',
      `${fmt(bareRatio * 100, 1)} % (rounds: ${bareRatios.map((r) => fmt(r * 100, 0)).join(' / ')} %; ${ceil.bareLong.map(fmtInt).join(' / ')} vs ${ceil.bareShort.map(fmtInt).join(' / ')} req/s); ` +
        `the body adds ${fmt(bareExtra, 1)} µs of CPU a request, so the simulator's own work on a 1,000-token prompt is ${fmt(simExtra - bareExtra, 1)} µs`,
      '',
    ],
  ];
  const md = [
    '# Workload benchmarks (issue 14)',
    '',
    `\`node --import tsx bench/workload.ts --repeat ${REPEAT} --seconds ${SECONDS}\`, ${started}; load average at start ${load0}.`,
    '',
    mdTable(['check', 'target', 'measured (median)', ''], rows),
    '',
  ].join('\n');
  if (ONLY.size < 4) {
    process.stdout.write(md);
    return;
  }
  writeFileSync(join(OUT, 'workload.md'), md);
  writeFileSync(join(OUT, 'workload.json'), `${JSON.stringify({ started, repeat: REPEAT, seconds: SECONDS, build, drop, thr, ceil }, null, 2)}\n`);
  process.stdout.write(md);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
