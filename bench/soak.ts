/**
 * Soak: the real CLI, headless, at concurrency 256 against the built-in simulator with 5 % of
 * requests hit by injected faults, for 200,000 requests (or --requests N). Samples the CLI
 * process's RSS and open file descriptors every 5 s from /proc, then checks:
 *   - RSS after warm-up grows by less than 10 % to the end;
 *   - open file descriptors stay flat;
 *   - every request is accounted for: succeeded + failed + early-stopped = requests started.
 *
 *   node --import tsx bench/soak.ts [--requests 200000] [--concurrency 256]
 *
 * Loopback only; bounded by the request count and a 30-minute wall-clock cap.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/streamtop.js', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const REQUESTS = arg('requests', 200_000);
const CONCURRENCY = arg('concurrency', 256);
const dir = mkdtempSync(join(tmpdir(), 'streamtop-soak-'));
const json = join(dir, 'soak.json');

const faults = 'http500=0.01,http429=0.01,disconnect=0.01,malformed=0.01,stall=0.01';
const cliArgs = [
  BIN, '--headless', '-n', String(REQUESTS), '-c', String(CONCURRENCY), '--stream-ratio', '0.8',
  '--sim-ttft', '5', '--sim-itl', '1', '--sim-jitter', '0.2', '--sim-output-tokens', '20:5', '--sim-slots', '100000',
  '--sim-queue', '100000', '--sim-load-factor', '0', '--sim-faults', faults, '--sim-stall-ms', '3000',
  '--idle-timeout', '1s', '--json', json,
];

interface Sample {
  t: number;
  rssMiB: number;
  fds: number;
}
const samples: Sample[] = [];
const started = Date.now();
const child = spawn(process.execPath, cliArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
let stdout = '';
child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
child.stderr.on('data', () => undefined);
const sampler = setInterval(() => {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    const fds = readdirSync(`/proc/${child.pid}/fd`).length;
    samples.push({ t: (Date.now() - started) / 1000, rssMiB: rss, fds });
  } catch {
    // The process just exited.
  }
}, 5000);
const cap = setTimeout(() => child.kill('SIGINT'), 30 * 60_000);
const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
clearInterval(sampler);
clearTimeout(cap);

const report = JSON.parse(readFileSync(json, 'utf8')) as {
  durationMs: number;
  totals: { requests: number; succeeded: number; failed: number; earlyStopped: number; cancelled: number; requestsPerSec: number };
  errors: Record<string, number>;
};
const t = report.totals;
// Warm-up: the first 20 % of the run (pools, JIT, histogram growth). After it, RSS is a sawtooth
// (a 64 MiB young generation fills and empties), so growth is judged on the trend: the mean of the
// last third of the samples against the mean of the first third.
const warm = samples.filter((s) => s.t >= samples[samples.length - 1]!.t * 0.2);
const third = Math.max(1, Math.floor(warm.length / 3));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const firstMean = mean(warm.slice(0, third).map((s) => s.rssMiB));
const lastMean = mean(warm.slice(-third).map((s) => s.rssMiB));
const maxRss = Math.max(...warm.map((s) => s.rssMiB));
const minRss = Math.min(...warm.map((s) => s.rssMiB));
const growth = ((lastMean - firstMean) / firstMean) * 100;
const fdMin = Math.min(...warm.map((s) => s.fds));
const fdMax = Math.max(...warm.map((s) => s.fds));
const accounted = t.succeeded + t.failed + t.earlyStopped;
const lines = [
  `Soak: ${REQUESTS} requests headless at concurrency ${CONCURRENCY}, 5 % injected faults (${faults}), exit code ${code}.`,
  '',
  `| duration | requests | succeeded | failed | accounted | req/s | RSS mean, first third after warm-up | last third | trend | RSS min..max after warm-up | fds (min..max after warm-up) |`,
  `|---|---|---|---|---|---|---|---|---|---|---|`,
  `| ${(report.durationMs / 1000).toFixed(0)} s | ${t.requests} | ${t.succeeded} | ${t.failed} | ${accounted === t.requests ? 'all' : `${accounted} of ${t.requests}`} | ${t.requestsPerSec.toFixed(0)} | ${firstMean.toFixed(0)} MiB | ${lastMean.toFixed(0)} MiB | ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % | ${minRss.toFixed(0)}..${maxRss.toFixed(0)} MiB | ${fdMin}..${fdMax} |`,
  '',
  `errors by code: ${Object.entries(report.errors).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  '',
  `RSS samples (MiB, every 5 s): ${samples.map((s) => s.rssMiB.toFixed(0)).join(' ')}`,
  `fd samples: ${samples.map((s) => s.fds).join(' ')}`,
];
const out = lines.join('\n');
console.log(out);
const outDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'soak.md'), `${out}\n`);
void stdout;
