// Throughput of one engine process: SSE events consumed per second from a simulator that writes as
// fast as the client reads (itl 0), 64 streams, while the engine records every event. In the same
// run, the same streams read by a bare undici.request + eventsource-parser loop that records nothing
// (the ceiling for a Node client) and by the Python aiohttp client in vLLM's style.
//
//   node --import tsx bench/engine-throughput.ts [--seconds S] [--repeat N]
//
// Clients run one after another (never together), each in its own process, against one simulator
// process. Writes bench/results/engine-throughput.md and .json.

import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PYTHON, machineLoad, procCpuMs, runChild, runPython, type ChildJob, type ChildResult } from './lib/child.ts';
import { simStats, startBenchSim } from './lib/sim.ts';
import { fmt, fmtInt, median, mdTable, passFail } from './lib/stats.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SECONDS = Math.max(2, Math.min(30, Number(flag('--seconds') ?? 8)));
const REPEAT = Math.max(1, Math.min(5, Number(flag('--repeat') ?? 3)));
const STREAMS = 64;
const TOKENS = 2000;
// Per stream the simulator sends a role chunk, TOKENS content chunks, a finish chunk, the usage
// chunk and [DONE]: four events that are not content.
const NON_CONTENT_EVENTS = 4;
const HAVE_AIOHTTP = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import aiohttp'], { stdio: 'ignore' }).status === 0;

const SIM_FLAGS = { profile: 'fast', ttft: '0', itl: '0', jitter: '0', 'output-tokens': String(TOKENS), slots: String(STREAMS), queue: '1024' };

interface Client {
  name: string;
  kind: 'engine' | 'undici' | 'aiohttp';
  nodeArgs?: string[];
}
const CLIENTS: Client[] = [
  // The CLI runs its engine in a worker thread with a 32 MiB young generation semi-space
  // (src/worker/remote-engine.ts); the same heap setting here, as a node flag.
  { name: 'engine', kind: 'engine', nodeArgs: ['--max-semi-space-size=32', '--no-memory-reducer'] },
  { name: 'engine, default V8 heap', kind: 'engine' },
  { name: 'bare undici + eventsource-parser, records nothing', kind: 'undici' },
  ...(HAVE_AIOHTTP ? [{ name: 'Python aiohttp (vLLM client style)', kind: 'aiohttp' } as Client] : []),
];

interface Row {
  client: string;
  run: number;
  eventsPerSec: number;
  tokensPerSec: number;
  simTokensPerSec: number;
  ok: number;
  failed: number;
  cpuShare: number;
  simCpuShare: number;
  gc: ChildResult['gc'];
  rssMiB: number;
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
          client: c.kind === 'engine' ? 'engine' : 'undici',
          baseUrl: sim.url,
          concurrency: STREAMS,
          durationMs: SECONDS * 1000,
          stream: true,
          record: 'none',
          warmup: 64,
        };
        const s0 = await simStats(sim.url);
        const cpu0 = procCpuMs(sim.pid);
        const t0 = performance.now();
        const res = c.kind === 'aiohttp' ? await runPython(job, { timeoutMs: 120_000 }) : await runChild(job, { timeoutMs: 120_000, ...(c.nodeArgs ? { nodeArgs: c.nodeArgs } : {}) });
        const wall = performance.now() - t0;
        const s1 = await simStats(sim.url);
        const simCpu = procCpuMs(sim.pid) - cpu0;
        // Engine: content events counted per request; the others count every SSE event.
        const events = c.kind === 'engine' ? res.events + NON_CONTENT_EVENTS * res.ok : res.events;
        const tokens = c.kind === 'engine' ? res.events : res.events - NON_CONTENT_EVENTS * res.ok;
        const row: Row = {
          client: c.name,
          run,
          eventsPerSec: (events * 1000) / res.wallMs,
          tokensPerSec: (tokens * 1000) / res.wallMs,
          // Server side, over the whole child lifetime (start-up and warm-up included): a floor.
          simTokensPerSec: ((s1.tokensSent - s0.tokensSent) * 1000) / wall,
          ok: res.ok,
          failed: res.failed,
          cpuShare: (res.cpuMs ?? Number.NaN) / res.wallMs,
          simCpuShare: simCpu / wall,
          gc: res.gc,
          rssMiB: res.rssPeakBytes / 2 ** 20,
          load: machineLoad(),
        };
        rows.push(row);
        process.stderr.write(
          `[${((Date.now() - started) / 1000).toFixed(0)}s] run ${run} ${c.name}: ${fmtInt(row.eventsPerSec)} events/s (ok ${row.ok}, failed ${row.failed}, cpu ${fmt(row.cpuShare)}, sim cpu ${fmt(row.simCpuShare)}, gc ${row.gc.count} / ${fmt(row.gc.totalMs, 0)} ms, ${row.load})\n`,
        );
      }
    }
  } finally {
    await sim.close();
  }

  const by = (name: string): Row[] => rows.filter((r) => r.client === name);
  const med = (name: string, f: (r: Row) => number): number => median(by(name).map(f));
  const table = mdTable(
    ['client', 'SSE events/s (median)', 'runs', 'tokens/s', 'client CPU (cores)', 'sim CPU (cores)', 'GCs / GC ms', 'peak RSS MiB'],
    CLIENTS.map((c) => [
      c.name,
      fmtInt(med(c.name, (r) => r.eventsPerSec)),
      by(c.name).map((r) => fmtInt(r.eventsPerSec)).join(', '),
      fmtInt(med(c.name, (r) => r.tokensPerSec)),
      fmt(med(c.name, (r) => r.cpuShare)),
      fmt(med(c.name, (r) => r.simCpuShare)),
      `${fmt(med(c.name, (r) => r.gc.count), 0)} / ${fmt(med(c.name, (r) => r.gc.totalMs), 0)}`,
      fmt(med(c.name, (r) => r.rssMiB), 0),
    ]),
  );
  const engine = med('engine', (r) => r.eventsPerSec);
  const bare = med(CLIENTS[2]?.name ?? '', (r) => r.eventsPerSec);
  // Ratios run by run (same sim, same minute), then the median.
  const ratioPy = HAVE_AIOHTTP
    ? median(Array.from({ length: REPEAT }, (_, i) => {
        const e = rows.find((r) => r.client === 'engine' && r.run === i + 1);
        const p = rows.find((r) => r.client === CLIENTS[3]?.name && r.run === i + 1);
        return e && p ? e.eventsPerSec / p.eventsPerSec : Number.NaN;
      }))
    : Number.NaN;
  const checks = mdTable(
    ['acceptance', 'target', 'measured', ''],
    [
      ['engine SSE events/s, 64 streams, recording every event', '>= 550,000', fmtInt(engine), passFail(engine >= 550_000)],
      HAVE_AIOHTTP
        ? ['engine / Python aiohttp, same run (median of per-run ratios)', '>= 2.5x', `${fmt(ratioPy)}x`, passFail(ratioPy >= 2.5)]
        : ['engine / Python aiohttp, same run', '>= 2.5x', `not measured: ${PYTHON} cannot import aiohttp (apt-get install python3-aiohttp)`, ''],
      ['engine / bare undici loop (reference: the issue has 550k / 640k = 0.86)', '-', `${fmt(engine / bare)}x`, ''],
    ],
  );
  const md = [
    '## Engine throughput: SSE events consumed per second, one process, 64 streams',
    '',
    `Simulator: \`${sim.command}\` (writes as fast as the client reads), in its own process. Each client`,
    `runs alone, in its own process, for ${SECONDS} s after a 64-request warm-up; ${REPEAT} runs, clients interleaved.`,
    `Node ${process.version}; ${rows[0]?.load ?? ''} at the start. ${new Date().toISOString()}.`,
    'Events = content events + role, finish, usage and [DONE] events (the engine counts content events per',
    'request; the other clients count every event). The engine records every event: TTFT, every ITL gap',
    'into HdrHistograms, usage, text.',
    '',
    table,
    '',
    checks,
    '',
    `Command: \`node --import tsx bench/engine-throughput.ts${SECONDS !== 8 ? ` --seconds ${SECONDS}` : ''}${REPEAT !== 3 ? ` --repeat ${REPEAT}` : ''}\``,
    '',
  ].join('\n');
  process.stdout.write(md + '\n');
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  writeFileSync(`${dir}engine-throughput.md`, md);
  writeFileSync(`${dir}engine-throughput.json`, JSON.stringify({ seconds: SECONDS, repeat: REPEAT, rows }, null, 1));
}

main().catch((err: unknown) => {
  process.stderr.write(`engine-throughput: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
