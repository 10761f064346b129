// Issue 14's workload benchmarks and acceptance figures, each against its target:
//
//   1. building 10,000 unique 2,000-token prompts (in-process, tokenizer already loaded);
//   2. the shared-prefix TTFT drop against the simulator's --prefill-per-token prediction;
//   3. engine throughput with --input-tokens 1000 against the built-in prompts: output tokens per
//      second of the engine's CPU, two headless CLI runs on CPU 0 taking turns in 2-second blocks,
//      each against its own simulator on CPU 1, once in each launch order;
//   4. the simulator's request-rate ceiling with unique 1,000-token prompts against 10-token ones
//      (non-streaming, one output token, no latency: the simulator's own work per request), with
//      its floor: a bare node:http server that only reads and parses the same bodies.
//
//   node --import tsx bench/workload.ts [--repeat N] [--throughput-blocks N] [--ceiling-blocks N]
//
// Writes bench/results/workload.md and .json. The build time and the TTFT drop are medians of
// --repeat rounds (the drop's two arms alternate); the throughput and ceiling comparisons
// interleave their two arms in blocks (--throughput-blocks of 2 s, --ceiling-blocks of 1 s, each).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { buildSyntheticPacked, buildSyntheticPrompts } from '../src/engine/synthetic.ts';
import { promptAt, promptCount } from '../src/engine/packed-prompts.ts';
import { preloadTokenizer } from '../src/engine/wire/tokens.ts';
import type { Report } from '../src/report/schema.ts';
import { machineLoad, procCpuMs, startBenchServer } from './lib/child.ts';
import { cliPair, combineOrders, type BalancedPair, type CliArm, type PairResult } from './lib/cli-pair.ts';
import { startBenchSim } from './lib/sim.ts';
import { fmt, fmtInt, median, mdTable, passFail } from './lib/stats.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const REPEAT = Math.max(1, Math.min(7, Number(flag('--repeat') ?? 3)));
/** Blocks each arm of the engine throughput comparison runs (see bench/lib/cli-pair.ts). */
const THR_BLOCKS = Math.max(2, Math.min(60, Number(flag('--throughput-blocks') ?? 15)));
const THR_BLOCK_MS = 2000;
/** Time a resumed run gets to drain its sockets before its block counts (see PairOptions.settleMs). */
const THR_SETTLE_MS = 1000;
/** Blocks of a second each arm of the ceiling comparison gets (see ceilingPair). */
const CEIL_BLOCKS = Math.max(2, Math.min(60, Number(flag('--ceiling-blocks') ?? 15)));
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
    // Packed, as the CLI builds them (src/engine/packed-prompts.ts).
    const prompts = buildSyntheticPacked({ input: { kind: 'fixed', n: 2000 }, count: 10_000, seed: 100 + i });
    seconds.push((performance.now() - t0) / 1000);
    const texts = new Set(Array.from({ length: promptCount(prompts) }, (_, k) => promptAt(prompts, k).messages[0]?.content));
    if (texts.size !== 10_000) throw new Error('prompts not unique');
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
 * Output tokens per second of the engine's CPU time (headless CLI runs) with the built-in prompts
 * and with unique 1,000-token ones, each against its own simulator (bench/lib/cli-pair.ts: both
 * runs at once, one held with SIGSTOP while the other runs, switching every block). The engines
 * run on CPU 0 and the simulators on CPU 1 (taskset), so what a simulator spends per unique prompt
 * cannot slow its client. The pair runs in both launch orders (combineOrders), since the order
 * alone moved one pair's ratio by up to 7 %. With 2,000-token answers the engine's side of a
 * request (building and sending a 5 KB body) is what the prompt length can change, which is the
 * check; with 200-token answers a request's fixed costs weigh ten times as much per token.
 */
async function engineThroughput(answerTokens: number): Promise<BalancedPair> {
  const simFlags = { profile: 'fast', ttft: '0', itl: '0', jitter: '0', 'output-tokens': String(answerTokens), slots: '64', 'prefill-per-token': '0' };
  const wrap = PIN ? ['taskset', '-c', '0'] : [];
  const common = (url: string): string[] => ['-c', '32', '--warmup', '64', '--url', url, '--model', 'bench', '--max-tokens', String(answerTokens)];
  const builtin = (url: string): CliArm => ({ argv: common(url), wrap });
  const synthetic = (url: string): CliArm => ({ argv: [...common(url), '--input-tokens', '1000'], wrap });
  const order = async (first: (url: string) => CliArm, second: (url: string) => CliArm): Promise<PairResult> => {
    // Fresh simulators for each order, so neither starts with the other's caches.
    const sims = [await startBenchSim(simFlags), await startBenchSim(simFlags)];
    try {
      if (PIN) for (const sim of sims) spawnSync('taskset', ['-a', '-p', '-c', '1', String(sim.pid)], { stdio: 'ignore' });
      const opts = { blocks: THR_BLOCKS, blockMs: THR_BLOCK_MS, warmupMs: 3000, settleMs: THR_SETTLE_MS };
      return await cliPair(BIN, [first(sims[0]?.url ?? ''), second(sims[1]?.url ?? '')], opts);
    } finally {
      for (const sim of sims) await sim.close();
    }
  };
  const ab = await order(builtin, synthetic);
  const ba = await order(synthetic, builtin);
  return combineOrders(ab, ba);
}

/** A ceiling comparison: each arm's requests per CPU second of its server, per block and in all. */
interface CeilingPair {
  /** Requests per CPU second over all of the arm's blocks. */
  short: number;
  long: number;
  /** Requests per wall second the client got served (it shares the cores), over the arm's blocks. */
  shortRate: number;
  longRate: number;
  /** long / short of each pair of neighbouring blocks. */
  ratios: number[];
}

const BLOCK_MS = 1000;

/**
 * Non-streaming requests with prebuilt unique bodies over 32 keep-alive connections, to two
 * servers of one kind started side by side: one sent 10-token prompts, the other 1,000-token ones.
 * The client sends to one at a time, switching every BLOCK_MS, 2 x `blocks` blocks after a
 * warm-up of each. A server's ceiling is its requests per second of its own CPU time (from /proc,
 * read at each switch; the idle one costs nothing): on two cores shared with the client and other
 * work, the client's share moves the raw rate, while the CPU cost per request is what limits it.
 * The machine's speed here moves by ±25 % between runs a few seconds apart; blocks of a second,
 * alternating, put both arms on the same machine.
 */
async function ceilingPair(server: 'sim' | 'bare', blocks: number): Promise<CeilingPair> {
  const start = (): Promise<{ url: string; pid: number; close(): unknown }> =>
    server === 'sim'
      ? startBenchSim({ ttft: '0', itl: '0', jitter: '0', 'output-tokens': '1', 'prefill-per-token': '0', slots: '256', queue: '100000' })
      : startBenchServer(BARE);
  const servers = [await start(), await start()];
  const pools = servers.map((srv) => new Pool(srv.url.replace(/\/v1$/, ''), { connections: 32, pipelining: 1 }));
  try {
    const bodies = [10, 1000].map((tokens) =>
      buildSyntheticPrompts({ input: { kind: 'fixed', n: tokens }, count: 60_000, seed: tokens }).map((p) => JSON.stringify({ model: 'm', max_tokens: 1, messages: p.messages })),
    );
    const next = [0, 0];
    let active = 0;
    let done = 0;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const arm = active;
        const list = bodies[arm] ?? [];
        const body = list[(next[arm] = (next[arm] ?? 0) + 1) % list.length] ?? '';
        const r = await (pools[arm] as Pool).request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await r.body.dump();
        if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}`);
        if (arm === active) done++;
      }
    };
    const running = Promise.all(Array.from({ length: 32 }, worker));
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    /** Per arm, each block's requests and its server's CPU ms. */
    const arms = [0, 1].map((arm) => ({ pid: servers[arm]?.pid ?? -1, requests: [] as number[], cpuMs: [] as number[] }));
    for (const arm of [0, 1]) {
      active = arm;
      await sleep(1500); // warm-up: JIT, the tokenizer's memo, a full prefix cache
    }
    for (let b = 0; b < 2 * blocks; b++) {
      const arm = arms[b % 2] as (typeof arms)[number];
      active = b % 2;
      done = 0;
      const cpu0 = procCpuMs(arm.pid);
      await sleep(BLOCK_MS);
      arm.requests.push(done);
      arm.cpuMs.push(procCpuMs(arm.pid) - cpu0);
    }
    stop = true;
    await running;
    const [short, long] = arms as [(typeof arms)[number], (typeof arms)[number]];
    const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0);
    const perCpu = (requests: number, cpuMs: number): number => (requests / cpuMs) * 1000;
    return {
      short: perCpu(sum(short.requests), sum(short.cpuMs)),
      long: perCpu(sum(long.requests), sum(long.cpuMs)),
      shortRate: sum(short.requests) / (blocks * (BLOCK_MS / 1000)),
      longRate: sum(long.requests) / (blocks * (BLOCK_MS / 1000)),
      ratios: long.requests.map((n, i) => perCpu(n, long.cpuMs[i] ?? Number.NaN) / perCpu(short.requests[i] ?? 0, short.cpuMs[i] ?? Number.NaN)),
    };
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    for (const srv of servers) await srv.close();
  }
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const load0 = machineLoad();
  const build = ONLY.has('build') ? buildTime() : { seconds: [NaN] };
  const drop = ONLY.has('drop') ? prefixDrop() : { without: [NaN], withPrefix: [NaN], cachedPerRequest: [NaN], hitRatio: [NaN] };
  const none: BalancedPair = { ratio: NaN, orderRatios: [NaN, NaN], perCpuSecond: [NaN, NaN], perWallSecond: [NaN, NaN], cpuShare: [NaN, NaN], ratios: [NaN], blocks: 0, blockMs: 0 };
  const thr = ONLY.has('throughput') ? await engineThroughput(2000) : none;
  const thrShort = ONLY.has('throughput') ? await engineThroughput(200) : none;
  const nan: CeilingPair = { short: NaN, long: NaN, shortRate: NaN, longRate: NaN, ratios: [NaN] };
  const simPair = ONLY.has('ceiling') ? await ceilingPair('sim', CEIL_BLOCKS) : nan;
  const barePair = ONLY.has('ceiling') ? await ceilingPair('bare', CEIL_BLOCKS) : nan;
  const buildS = median(build.seconds);
  const measuredDrop = median(drop.without) - median(drop.withPrefix);
  const predictedDrop = median(drop.cachedPerRequest) * PREFILL;
  const dropErr = Math.abs(measuredDrop - predictedDrop) / predictedDrop;
  const spread = (r: number[]): string => `blocks: median ${fmt(median(r) * 100, 1)} %, ${fmt(Math.min(...r) * 100, 0)} to ${fmt(Math.max(...r) * 100, 0)} %`;
  const pairText = (p: BalancedPair): string =>
    `${fmt(p.orderRatios[0], 3)} with the built-in run launched first, ${fmt(p.orderRatios[1], 3)} with it second; ` +
    `${fmtInt(p.perCpuSecond[1])} vs ${fmtInt(p.perCpuSecond[0])} tokens per CPU second over ${p.blocks} blocks of ${fmt(p.blockMs / 1000, 0)} s each ` +
    `(${spread(p.ratios)}; ${fmtInt(p.perWallSecond[1])} vs ${fmtInt(p.perWallSecond[0])} tok/s of wall time while running, on ${fmt(p.cpuShare[1], 2)} and ${fmt(p.cpuShare[0], 2)} of a core)`;
  const ceilRatio = simPair.long / simPair.short;
  const bareRatio = barePair.long / barePair.short;
  // CPU µs a 1,000-token prompt adds to a request, the simulator's and the bare server's.
  const simExtra = 1e6 / simPair.long - 1e6 / simPair.short;
  const bareExtra = 1e6 / barePair.long - 1e6 / barePair.short;
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
      `engine output tokens per CPU second, --input-tokens 1000 vs built-in prompts, 2,000-token answers${PIN ? ' (engines on CPU 0 taking turns, simulators on CPU 1)' : ' (engines taking turns, sharing the CPUs with the simulators: no taskset)'}`,
      'within 5 %',
      `${fmt(thr.ratio, 3)}: ${pairText(thr)}`,
      passFail(thr.ratio >= 0.95),
    ],
    [
      'the same with 200-token answers (more of the simulator\'s cost per prompt: compare the ceiling row)',
      '-',
      `${fmt(thrShort.ratio, 3)}: ${pairText(thrShort)}`,
      '',
    ],
    [
      'simulator req/s ceiling (requests per second of its CPU), unique 1,000-token vs 10-token prompts',
      '>= 75 %',
      `${fmt(ceilRatio * 100, 1)} %: ${fmtInt(simPair.long)} vs ${fmtInt(simPair.short)} req/s (${spread(simPair.ratios)}; ` +
        `served ${fmtInt(simPair.longRate)} vs ${fmtInt(simPair.shortRate)} req/s with the client on the same cores); the prompt adds ${fmt(simExtra, 1)} µs of CPU a request`,
      passFail(ceilRatio >= 0.75),
    ],
    [
      'floor: a bare node:http server that only reads, decodes and JSON-parses the same bodies (bench/bare-json-server.ts)',
      '-',
      `${fmt(bareRatio * 100, 1)} %: ${fmtInt(barePair.long)} vs ${fmtInt(barePair.short)} req/s (${spread(barePair.ratios)}); ` +
        `the body adds ${fmt(bareExtra, 1)} µs of CPU a request, so the simulator's own work on a 1,000-token prompt is ${fmt(simExtra - bareExtra, 1)} µs`,
      '',
    ],
  ];
  const md = [
    '# Workload benchmarks (issue 14)',
    '',
    `\`node --import tsx bench/workload.ts --repeat ${REPEAT} --throughput-blocks ${THR_BLOCKS} --ceiling-blocks ${CEIL_BLOCKS}\`, ${started}; load average at start ${load0}.`,
    '',
    mdTable(['check', 'target', 'measured (median)', ''], rows),
    '',
  ].join('\n');
  if (ONLY.size < 4) {
    process.stdout.write(md);
    return;
  }
  writeFileSync(join(OUT, 'workload.md'), md);
  writeFileSync(join(OUT, 'workload.json'), `${JSON.stringify({ started, repeat: REPEAT, throughputBlocks: THR_BLOCKS, ceilingBlocks: CEIL_BLOCKS, build, drop, thr, thrShort, ceiling: { sim: simPair, bare: barePair } }, null, 2)}\n`);
  process.stdout.write(md);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
