// Memory of one engine process holding 10,000 concurrent paced streams, against a bare
// undici.request + eventsource-parser loop that records nothing, holding the same streams.
//
//   node --import tsx bench/engine-memory.ts [--streams N] [--repeat N]
//
// The simulator (in its own process) paces every stream: ttft 200 ms, itl 200 ms, 150 tokens (30 s),
// so 10,000 streams mean 50,000 tokens/s. Each client process gets `ulimit -n 20000` (10,000 sockets
// need more than the usual 1,024 descriptors; bench/lib/child.ts raises it). Clients reach 10,000
// over 20 s (the engine's --ramp; staggered workers for the baseline), see RAMP_S. RSS is read from
// /proc/PID/status every 250 ms; the figure is the peak while all streams are admitted and past
// their first token, plus the process's lifetime peak.
// Writes bench/results/engine-memory.md and .json.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NOFILE, machineLoad, procCpuMs, procRss, runChild, type ChildJob, type ChildResult } from './lib/child.ts';
import { simStats, startBenchSim } from './lib/sim.ts';
import { fmt, median, mdTable, passFail } from './lib/stats.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const STREAMS = Math.max(100, Math.min(15_000, Number(flag('--streams') ?? 10_000)));
const REPEAT = Math.max(1, Math.min(5, Number(flag('--repeat') ?? 1)));
// The simulator takes new requests at only ~500-700/s on a busy 2-core machine (its accept queue,
// backlog 511, overflows beyond that and SYN retries then stall clients for seconds), so clients
// ramp up over RAMP_S and every stream lasts longer than the ramp: all are streaming at once at the
// end of the ramp.
const RAMP_S = Math.max(2, Math.round(STREAMS / 500));
const MIB = 2 ** 20;

const SIM_FLAGS = {
  ttft: '200', itl: '200', 'output-tokens': String(Math.max(100, Math.ceil((RAMP_S + 10) * 5))), jitter: '0',
  slots: String(STREAMS * 2), queue: String(STREAMS * 2), 'load-factor': '0',
};

interface Client {
  name: string;
  kind: 'engine' | 'undici';
  nodeArgs?: string[];
}
const CLIENTS: Client[] = [
  // First: the engine as the CLI runs it (a worker with a 32 MiB semi-space, src/worker/remote-engine.ts).
  { name: 'engine as the CLI runs it (32 MiB semi-space, maxPanes 0, every event recorded)', kind: 'engine', nodeArgs: ['--max-semi-space-size=32', '--no-memory-reducer'] },
  { name: 'engine, default V8 heap', kind: 'engine' },
  { name: 'bare undici + eventsource-parser, records nothing', kind: 'undici' },
];

interface Row {
  client: string;
  run: number;
  /** Peak RSS while every stream was running at once, MiB. */
  steadyPeakMiB: number;
  /** Most streams running at once on the simulator, and the client's RSS at that moment. */
  maxRunning: number;
  rssAtMaxMiB: number;
  /** When fewer than STREAMS ran at once: RSS before the first stream plus the per-stream slope x STREAMS. */
  estimateMiB: number;
  lifetimePeakMiB: number;
  ok: number;
  failed: number;
  errors: ChildResult['errors'];
  wallMs: number;
  load: string;
}

async function main(): Promise<void> {
  const sim = await startBenchSim(SIM_FLAGS);
  const rows: Row[] = [];
  const started = Date.now();
  try {
    for (let run = 1; run <= REPEAT; run++) {
      for (const c of CLIENTS) {
        const job: Omit<ChildJob, 'out'> = {
          client: c.kind,
          baseUrl: sim.url,
          concurrency: STREAMS,
          requests: STREAMS,
          // Ramp, then 12 s with (ideally) every stream running; streams still open are then cut.
          durationMs: (RAMP_S + 12) * 1000,
          rampSeconds: RAMP_S,
          stream: true,
          record: 'none',
          warmup: 0,
        };
        let pid = -1;
        let steadyPeak = 0;
        let lifetimePeak = 0;
        let maxRunning = 0;
        let rssAtMax = 0;
        let baseRss = 0;
        let allInSince: number | undefined;
        let polling = false;
        let lastCpu = { t: performance.now(), c: 0, s: procCpuMs(sim.pid) };
        const base = await simStats(sim.url);
        const timer = setInterval(() => {
          if (pid < 0 || polling) return;
          polling = true;
          const mem = procRss(pid);
          simStats(sim.url)
            .then((s) => {
              if (mem !== undefined) lifetimePeak = Math.max(lifetimePeak, mem.hwm);
              if (s.running > maxRunning && mem !== undefined) {
                maxRunning = s.running;
                rssAtMax = mem.rss;
              }
              // The client's footprint before its first stream: the intercept of the estimate.
              if (s.received - base.received === 0 && mem !== undefined) baseRss = mem.rss;
              if (process.env.BENCH_VERBOSE) {
                const now = performance.now();
                const cc = procCpuMs(pid);
                const sc = procCpuMs(sim.pid);
                process.stderr.write(
                  `  running ${s.running} received ${s.received - base.received} tokens ${s.tokensSent} rss ${fmt((mem?.rss ?? 0) / MIB, 0)} MiB` +
                    ` cpu client ${fmt((cc - lastCpu.c) / (now - lastCpu.t))} sim ${fmt((sc - lastCpu.s) / (now - lastCpu.t))}\n`,
                );
                lastCpu = { t: now, c: cc, s: sc };
              }
              const received = s.received - base.received;
              // All admitted, and the last one admitted is past its first token (ttft 200 ms).
              if (received >= STREAMS && s.running >= STREAMS) allInSince ??= performance.now();
              else if (s.running < STREAMS) allInSince = undefined;
              if (allInSince !== undefined && performance.now() - allInSince >= 300 && mem !== undefined) {
                steadyPeak = Math.max(steadyPeak, mem.rss);
              }
            })
            .catch(() => undefined)
            .finally(() => {
              polling = false;
            });
        }, 250);
        let res: ChildResult;
        try {
          res = await runChild(job, {
            timeoutMs: 120_000,
            onSpawn: (p) => (pid = p),
            ...(c.nodeArgs ? { nodeArgs: c.nodeArgs } : {}),
          });
        } finally {
          clearInterval(timer);
        }
        const row: Row = {
          client: c.name,
          run,
          steadyPeakMiB: steadyPeak / MIB,
          maxRunning,
          rssAtMaxMiB: rssAtMax / MIB,
          estimateMiB: maxRunning > 0 ? (baseRss + ((rssAtMax - baseRss) * STREAMS) / maxRunning) / MIB : Number.NaN,
          lifetimePeakMiB: Math.max(lifetimePeak, res.rssPeakBytes) / MIB,
          ok: res.ok,
          failed: res.failed,
          errors: res.errors,
          wallMs: res.wallMs,
          load: machineLoad(),
        };
        rows.push(row);
        process.stderr.write(
          `[${((Date.now() - started) / 1000).toFixed(0)}s] run ${run} ${c.name}: peak RSS with all ${STREAMS} streaming ${fmt(row.steadyPeakMiB, 0)} MiB` +
            ` (max running ${maxRunning} at ${fmt(row.rssAtMaxMiB, 0)} MiB, linear estimate for ${STREAMS}: ${fmt(row.estimateMiB, 0)} MiB), lifetime ${fmt(row.lifetimePeakMiB, 0)} MiB, ok ${res.ok} failed ${res.failed} ${JSON.stringify(res.errors)}, wall ${fmt(res.wallMs / 1000, 1)} s, ${row.load}\n`,
        );
      }
    }
  } finally {
    await sim.close();
  }
  const by = (name: string): Row[] => rows.filter((r) => r.client === name);
  const med = (name: string, f: (r: Row) => number): number => median(by(name).map(f));
  const engineName = (CLIENTS[0] as Client).name;
  const engine = med(engineName, (r) => r.steadyPeakMiB);
  const engineEst = med(engineName, (r) => r.estimateMiB);
  const reached = engine > 0;
  const table = mdTable(
    ['client', `peak RSS, all ${STREAMS} streaming (MiB)`, 'most streams at once', 'RSS then (MiB)', `linear estimate for ${STREAMS} (MiB)`, 'lifetime peak RSS (MiB)', 'runs (estimate)'],
    CLIENTS.map((c) => [
      c.name,
      med(c.name, (r) => r.steadyPeakMiB) > 0 ? fmt(med(c.name, (r) => r.steadyPeakMiB), 0) : 'not reached',
      fmt(med(c.name, (r) => r.maxRunning), 0),
      fmt(med(c.name, (r) => r.rssAtMaxMiB), 0),
      fmt(med(c.name, (r) => r.estimateMiB), 0),
      fmt(med(c.name, (r) => r.lifetimePeakMiB), 0),
      by(c.name).map((r) => fmt(r.estimateMiB, 0)).join(', '),
    ]),
  );
  const md = [
    `## Engine memory: ${STREAMS.toLocaleString('en-US')} concurrent paced streams in one process`,
    '',
    `Simulator: \`${sim.command}\`, in its own process. Clients reach ${STREAMS} streams over ${RAMP_S} s,`,
    `each in its own process started with \`ulimit -n ${NOFILE}\`; RSS from /proc every 250 ms. ${REPEAT} runs, medians.`,
    `Node ${process.version}; ${rows[0]?.load ?? ''}. ${new Date().toISOString()}.`,
    '',
    table,
    '',
    mdTable(['acceptance', 'target', 'measured', ''], [
      reached
        ? [`engine RSS with ${STREAMS} streams`, '< 450 MiB', `${fmt(engine, 0)} MiB`, passFail(engine < 450)]
        : [`engine RSS with ${STREAMS} streams (not all running at once here: linear estimate)`, '< 450 MiB', `~${fmt(engineEst, 0)} MiB`, `${passFail(engineEst < 450)} (estimate)`],
    ]),
    '',
    `Command: \`node --import tsx bench/engine-memory.ts${STREAMS !== 10_000 ? ` --streams ${STREAMS}` : ''}${REPEAT !== 1 ? ` --repeat ${REPEAT}` : ''}\``,
    '',
  ].join('\n');
  process.stdout.write(md + '\n');
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  writeFileSync(`${dir}engine-memory.md`, md);
  writeFileSync(`${dir}engine-memory.json`, JSON.stringify({ streams: STREAMS, repeat: REPEAT, rows }, null, 1));
}

main().catch((err: unknown) => {
  process.stderr.write(`engine-memory: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
