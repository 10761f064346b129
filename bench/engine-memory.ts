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
import { NOFILE, machineLoad, procRss, runChild, type ChildJob, type ChildResult } from './lib/child.ts';
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
  { name: 'engine (maxPanes 0, every event recorded)', kind: 'engine' },
  { name: 'bare undici + eventsource-parser, records nothing', kind: 'undici' },
];

interface Row {
  client: string;
  run: number;
  /** Peak RSS while every stream was running at once, MiB. */
  steadyPeakMiB: number;
  /** Most streams running at once on the simulator. */
  maxRunning: number;
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
          rampSeconds: RAMP_S,
          stream: true,
          record: 'none',
          warmup: 0,
        };
        let pid = -1;
        let steadyPeak = 0;
        let lifetimePeak = 0;
        let maxRunning = 0;
        let allInSince: number | undefined;
        let polling = false;
        const base = await simStats(sim.url);
        const timer = setInterval(() => {
          if (pid < 0 || polling) return;
          polling = true;
          const mem = procRss(pid);
          simStats(sim.url)
            .then((s) => {
              if (mem !== undefined) lifetimePeak = Math.max(lifetimePeak, mem.hwm);
              maxRunning = Math.max(maxRunning, s.running);
              if (process.env.BENCH_VERBOSE) process.stderr.write(`  running ${s.running} received ${s.received - base.received} tokens ${s.tokensSent} rss ${fmt((mem?.rss ?? 0) / MIB, 0)} MiB\n`);
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
            ` (max running ${maxRunning}), lifetime ${fmt(row.lifetimePeakMiB, 0)} MiB, ok ${res.ok} failed ${res.failed} ${JSON.stringify(res.errors)}, wall ${fmt(res.wallMs / 1000, 1)} s, ${row.load}\n`,
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
  const table = mdTable(
    ['client', `peak RSS, all ${STREAMS} streaming (MiB, median)`, 'runs', 'lifetime peak RSS (MiB)', 'most running at once', 'ok / failed'],
    CLIENTS.map((c) => [
      c.name,
      fmt(med(c.name, (r) => r.steadyPeakMiB), 0),
      by(c.name).map((r) => fmt(r.steadyPeakMiB, 0)).join(', '),
      fmt(med(c.name, (r) => r.lifetimePeakMiB), 0),
      fmt(med(c.name, (r) => r.maxRunning), 0),
      `${fmt(med(c.name, (r) => r.ok), 0)} / ${fmt(med(c.name, (r) => r.failed), 0)}`,
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
    mdTable(['acceptance', 'target', 'measured', ''], [[`engine RSS with ${STREAMS} streams`, '< 450 MiB', `${fmt(engine, 0)} MiB`, passFail(engine > 0 && engine < 450)]]),
    '',
    `Command: \`node --import tsx bench/engine-memory.ts${STREAMS !== 10_000 ? ` --streams ${STREAMS}` : ''}${REPEAT !== 2 ? ` --repeat ${REPEAT}` : ''}\``,
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
