// What serving --prometheus costs the measurement: TTFT p50 of 64 streams with /metrics scraped
// every 100 ms, against the same run without --prometheus, in A/B/A order (A: no exporter, B:
// exporter + scrapes, A again) so that a drift of the machine over time shows as a difference
// between the two A runs rather than as a cost of B.
//
//   node --import tsx bench/prometheus-scrape.ts [--rounds N] [--seconds S] [--interval MS]
//
// Each run is the real CLI (dist/, as users run it: the engine in its worker) headless against a
// simulator in its own process; the scraper is this process, as Prometheus would be another.
// TTFT comes from the run's --ndjson records (exact, not the report's histogram), warm-up left out.
// Writes bench/results/prometheus-scrape.md.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLoad } from './lib/child.ts';
import { startBenchSim, type BenchSim } from './lib/sim.ts';
import { fmt, mdTable, mean, passFail, percentile } from './lib/stats.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Math.max(1, Math.min(10, Number(flag('--rounds') ?? 2)));
const SECONDS = Math.max(5, Math.min(600, Number(flag('--seconds') ?? 30)));
/** 0: B serves /metrics but nobody scrapes it (the exporter's own cost, for attribution). */
const INTERVAL_MS = Math.max(0, Number(flag('--interval') ?? 100));
const STREAMS = 64;
/** The first requests of each run are the engine's warm-up (JIT, connections), as --warmup is for. */
const WARMUP = 2 * STREAMS;
const BIN = fileURLToPath(new URL('../bin/streamtop.js', import.meta.url));
const SIM_FLAGS = { ttft: '200', itl: '20', 'output-tokens': '50', jitter: '0', slots: '1000', queue: '1000' } as const;

interface RunResult {
  arm: 'A' | 'B';
  ttftP50: number;
  ttftP99: number;
  requests: number;
  scrapes: number;
  scrapeMsP50: number;
  scrapeBytes: number;
}

async function run(sim: BenchSim, arm: 'A' | 'B', dir: string, n: number): Promise<RunResult> {
  const nd = join(dir, `run-${n}.ndjson`);
  const cliArgs = [BIN, '--url', sim.url, '--headless', '-c', String(STREAMS), '-d', `${SECONDS}s`, '--warmup', String(WARMUP), '--stream-ratio', '1', '--ndjson', nd];
  if (arm === 'B') cliArgs.push('--prometheus', '127.0.0.1:0');
  const child = spawn(process.execPath, cliArgs, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const scrapeMs: number[] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  child.stderr.on('data', (s: string) => {
    stderr += s;
    const url = /metrics at (http:\S+)/.exec(stderr)?.[1];
    if (url === undefined || timer !== undefined || INTERVAL_MS === 0) return;
    // One scrape at a time, every INTERVAL_MS, as a Prometheus with a 100 ms scrape interval.
    timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const t0 = performance.now();
      fetch(url)
        .then((r) => r.text())
        .then(
          (text) => {
            scrapeMs.push(performance.now() - t0);
            bytes = text.length;
          },
          () => undefined,
        )
        .finally(() => (busy = false));
    }, INTERVAL_MS);
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (timer !== undefined) clearInterval(timer);
  if (code !== 0) throw new Error(`run ${n} (${arm}) exited ${code}: ${stderr.slice(-2000)}`);
  if (arm === 'B' && INTERVAL_MS > 0 && scrapeMs.length === 0) throw new Error(`run ${n}: no scrape succeeded: ${stderr.slice(-2000)}`);
  const ttft: number[] = [];
  for (const line of readFileSync(nd, 'utf8').split('\n')) {
    if (line === '') continue;
    const r = JSON.parse(line) as { warmup: boolean; outcome: string; ttftMs?: number };
    if (!r.warmup && r.outcome === 'ok' && r.ttftMs !== undefined) ttft.push(r.ttftMs);
  }
  return {
    arm,
    ttftP50: percentile(ttft, 50),
    ttftP99: percentile(ttft, 99),
    requests: ttft.length,
    scrapes: scrapeMs.length,
    scrapeMsP50: percentile(scrapeMs, 50),
    scrapeBytes: bytes,
  };
}

const sim = await startBenchSim(SIM_FLAGS);
const dir = mkdtempSync(join(tmpdir(), 'streamtop-bench-prom-'));
const results: RunResult[] = [];
const deltas: number[] = [];
/** Per round, how far the two A runs are apart: the machine's own drift, the floor of what can be seen. */
const noise: number[] = [];
try {
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const trio: RunResult[] = [];
    for (const arm of ['A', 'B', 'A'] as const) {
      const r = await run(sim, arm, dir, n++);
      process.stderr.write(`round ${round + 1} ${arm}: TTFT p50 ${fmt(r.ttftP50, 3)} ms over ${r.requests} requests, ${r.scrapes} scrapes\n`);
      trio.push(r);
      results.push(r);
    }
    const [a1, b, a2] = trio;
    if (a1 && b && a2) {
      deltas.push(b.ttftP50 - (a1.ttftP50 + a2.ttftP50) / 2);
      noise.push(Math.abs(a1.ttftP50 - a2.ttftP50));
    }
  }
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}

// The A/B/A mean cancels a linear drift; the verdict is on the mean over rounds. When the two A
// runs of a round differ by as much as the bound, the machine is too loaded for a strong verdict,
// and the table says so.
const meanDelta = mean(deltas);
const meanNoise = mean(noise);
const verdict = passFail(Math.abs(meanDelta) < 1) + (meanNoise >= 1 ? ' (weak: the A runs themselves differ by as much as the bound)' : '');
const rows = results.map((r, i) => [
  String(Math.floor(i / 3) + 1),
  r.arm === 'A' ? 'A: no --prometheus' : `B: --prometheus, scraped every ${INTERVAL_MS} ms`,
  String(r.requests),
  fmt(r.ttftP50, 3),
  fmt(r.ttftP99, 3),
  r.arm === 'B' ? String(r.scrapes) : '-',
  r.arm === 'B' ? fmt(r.scrapeMsP50, 2) : '-',
  r.arm === 'B' ? String(r.scrapeBytes) : '-',
]);
const out = [
  `## --prometheus: TTFT p50 with /metrics scraped every ${INTERVAL_MS} ms (A/B/A, ${STREAMS} streams)`,
  '',
  `Simulator: \`${sim.command}\`, in its own process. Each run: \`streamtop --url SIM --headless -c ${STREAMS} -d ${SECONDS}s --warmup ${WARMUP} --stream-ratio 1 --ndjson FILE\`` +
    ` (B adds \`--prometheus 127.0.0.1:0\` and this process scrapes it, one scrape at a time). TTFT p50 and p99 of the measured requests, exact, from --ndjson.`,
  `Node ${process.version}; ${machineLoad()}. ${new Date().toISOString()}.`,
  '',
  mdTable(['round', 'run', 'requests', 'TTFT p50 (ms)', 'TTFT p99 (ms)', 'scrapes', 'scrape p50 (ms)', '/metrics bytes'], rows),
  '',
  mdTable(
    ['round', 'B p50 - mean of the two A p50 (ms)', '|A1 p50 - A2 p50| (ms)'],
    deltas.map((d, i) => [String(i + 1), fmt(d, 3), fmt(noise[i] ?? NaN, 3)]),
  ),
  '',
  mdTable(
    ['acceptance', 'target', 'measured', ''],
    [[`TTFT p50 change with /metrics scraped every ${INTERVAL_MS} ms`, '< 1 ms', `${fmt(meanDelta, 3)} ms (mean of ${deltas.length} rounds; A-A drift ${fmt(meanNoise, 3)} ms)`, verdict]],
  ),
  '',
  `Command: \`node --import tsx bench/prometheus-scrape.ts --rounds ${ROUNDS} --seconds ${SECONDS}\``,
  '',
].join('\n');
process.stdout.write(out);
writeFileSync(fileURLToPath(new URL('./results/prometheus-scrape.md', import.meta.url)), out);
