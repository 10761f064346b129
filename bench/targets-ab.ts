// What measuring two targets at once costs each of them (issue 16's acceptance: "measuring two
// targets at 64 streams each changes neither one's TTFT p50 by more than 2 ms against measuring it
// alone"). A/B/A per round: A, target a alone; B, a and b as two targets of one run; A again, so a
// drift of the machine over time shows as a difference between the two A runs rather than as a
// cost of B.
//
//   node --import tsx bench/targets-ab.ts [--rounds N] [--seconds S]
//   node --import tsx bench/targets-ab.ts --smoke      # 1 round of 3 s runs: checks it works, proves nothing
//
// Each run is the real CLI (dist/, as users run it: `npm run build` first), headless, against
// built-in simulators with a fixed time to first token (the fast profile, jitter 0, no prefill
// cost): a, and in B also b, each in its own simulator process, 64 streams each, --stream-ratio 1.
// a and b are the same simulator, so "b alone" is measured by every A run. TTFT p50 of each target
// from the run's --json report (HdrHistogram, 3 significant digits: 0.1 ms at 80 ms), warm-up left out.
// Writes bench/results/targets-ab.md (not in --smoke).

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLoad } from './lib/child.ts';
import { fmt, mdTable, mean, passFail } from './lib/stats.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SMOKE = args.includes('--smoke');
const ROUNDS = Math.max(1, Math.min(10, Number(flag('--rounds') ?? (SMOKE ? 1 : 3))));
const SECONDS = Math.max(2, Math.min(600, Number(flag('--seconds') ?? (SMOKE ? 3 : 30))));
const STREAMS = 64;
/** The first requests of each target are the engine's warm-up (JIT, connections), as --warmup is for. */
const WARMUP = 2 * STREAMS;
/** The acceptance bound on the change of either target's TTFT p50, ms. */
const BOUND_MS = 2;
const BIN = fileURLToPath(new URL('../bin/streamtop.js', import.meta.url));
/** Every simulator: the fast profile (TTFT 80 ms, 64 slots) with its TTFT fixed. */
const SIM_FLAGS = ['--sim-jitter', '0', '--sim-prefill-per-token', '0'];
const COMMON = ['--headless', '-c', String(STREAMS), '-d', `${SECONDS}s`, '--warmup', String(WARMUP), '--stream-ratio', '1', '--seed', '1', ...SIM_FLAGS];
const ALONE = ['--sim-profile', 'fast'];
const PAIR = ['--target', 'a=sim:fast', '--target', 'b=sim:fast'];

interface TargetFigures {
  p50: number;
  p99: number;
  requests: number;
}

interface ModeSummary {
  count: number;
  p50: number;
  p99: number;
}
interface RunReport {
  byMode: { stream: { ttftMs: ModeSummary } };
  targets?: { name: string; byMode: { stream: { ttftMs: ModeSummary } } }[];
}

function figures(s: ModeSummary): TargetFigures {
  return { p50: s.p50, p99: s.p99, requests: s.count };
}

/** One run of the CLI; a's figures, and b's in a pair run. */
async function run(phase: 'A' | 'B', dir: string, n: number): Promise<{ a: TargetFigures; b?: TargetFigures }> {
  const json = join(dir, `run-${n}.json`);
  const cliArgs = [BIN, ...COMMON, ...(phase === 'A' ? ALONE : PAIR), '--json', json];
  const child = spawn(process.execPath, cliArgs, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), SECONDS * 1000 + 120_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`run ${n} (${phase}) exited ${code}: ${stderr}`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
  if (phase === 'A') return { a: figures(report.byMode.stream.ttftMs) };
  const of = (name: string): TargetFigures => {
    const t = report.targets?.find((x) => x.name === name);
    if (t === undefined) throw new Error(`run ${n}: the report has no target ${name}`);
    return figures(t.byMode.stream.ttftMs);
  };
  return { a: of('a'), b: of('b') };
}

interface Round {
  a1: TargetFigures;
  pair: { a: TargetFigures; b: TargetFigures };
  a3: TargetFigures;
}

const dir = mkdtempSync(join(tmpdir(), 'streamtop-bench-targets-'));
const rounds: Round[] = [];
try {
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const a1 = (await run('A', dir, n++)).a;
    process.stderr.write(`round ${round + 1} A1 (a alone): TTFT p50 ${fmt(a1.p50, 2)} ms over ${a1.requests} streams\n`);
    const pair = await run('B', dir, n++);
    if (pair.b === undefined) throw new Error('a pair run without b');
    process.stderr.write(`round ${round + 1} B (a + b): a p50 ${fmt(pair.a.p50, 2)} ms over ${pair.a.requests}, b p50 ${fmt(pair.b.p50, 2)} ms over ${pair.b.requests}\n`);
    const a3 = (await run('A', dir, n++)).a;
    process.stderr.write(`round ${round + 1} A3 (a alone): TTFT p50 ${fmt(a3.p50, 2)} ms over ${a3.requests} streams\n`);
    rounds.push({ a1, pair: { a: pair.a, b: pair.b }, a3 });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Per round: each target's p50 in B minus the mean of the two "alone" p50s (a and b are the same
// simulator, so the A runs measure either one alone); |A1 - A3| is the machine's own drift.
const alone = (r: Round): number => (r.a1.p50 + r.a3.p50) / 2;
const deltaA = rounds.map((r) => r.pair.a.p50 - alone(r));
const deltaB = rounds.map((r) => r.pair.b.p50 - alone(r));
const drift = rounds.map((r) => Math.abs(r.a1.p50 - r.a3.p50));
const meanA = mean(deltaA);
const meanB = mean(deltaB);
const meanDrift = mean(drift);
const weak = meanDrift >= BOUND_MS ? ' (weak: the two A runs themselves differ by as much as the bound)' : '';

const phaseRows = rounds.flatMap((r, i) => [
  [String(i + 1), 'A1: a alone', String(r.a1.requests), fmt(r.a1.p50, 2), fmt(r.a1.p99, 2), '-', '-', '-'],
  [String(i + 1), 'B: a + b', String(r.pair.a.requests), fmt(r.pair.a.p50, 2), fmt(r.pair.a.p99, 2), String(r.pair.b.requests), fmt(r.pair.b.p50, 2), fmt(r.pair.b.p99, 2)],
  [String(i + 1), 'A3: a alone', String(r.a3.requests), fmt(r.a3.p50, 2), fmt(r.a3.p99, 2), '-', '-', '-'],
]);
const title = SMOKE ? 'SMOKE RUN (a check that the script works; its figures prove nothing)' : `${ROUNDS} rounds of ${SECONDS} s runs`;
const out = [
  `## Two targets at once: TTFT p50 of each against measuring it alone (A/B/A, ${STREAMS} streams each; ${title})`,
  '',
  `Simulators: the fast profile (\`sim:fast\`: TTFT 80 ms, ITL 6 ms, 64 slots) with \`${SIM_FLAGS.join(' ')}\`, each in its own process.` +
    ` A: \`streamtop ${[...COMMON, ...ALONE].join(' ')} --json FILE\`; B: the same with \`${PAIR.join(' ')}\` instead of \`${ALONE.join(' ')}\`.` +
    ' a and b are the same simulator, so every A run is either one alone. TTFT p50 and p99 (ms) from the --json report, warm-up excluded.',
  `Node ${process.version}; ${machineLoad()}. ${new Date().toISOString()}.`,
  '',
  mdTable(['round', 'run', 'a streams', 'a TTFT p50', 'a TTFT p99', 'b streams', 'b TTFT p50', 'b TTFT p99'], phaseRows),
  '',
  mdTable(
    ['round', 'a: B p50 - mean(A1, A3) (ms)', 'b: B p50 - mean(A1, A3) (ms)', 'A-A drift: abs(A1 p50 - A3 p50) (ms)'],
    rounds.map((_, i) => [String(i + 1), fmt(deltaA[i] ?? NaN, 2), fmt(deltaB[i] ?? NaN, 2), fmt(drift[i] ?? NaN, 2)]),
  ),
  '',
  mdTable(
    ['acceptance', 'target', 'measured', ''],
    [
      [`a's TTFT p50 change when measured with b`, `<= ${BOUND_MS} ms`, `${fmt(meanA, 2)} ms (mean of ${rounds.length} rounds; A-A drift ${fmt(meanDrift, 2)} ms)`, passFail(Math.abs(meanA) <= BOUND_MS) + weak],
      [`b's TTFT p50 change when measured with a`, `<= ${BOUND_MS} ms`, `${fmt(meanB, 2)} ms`, passFail(Math.abs(meanB) <= BOUND_MS) + weak],
    ],
  ),
  '',
  `Command: \`node --import tsx bench/targets-ab.ts ${SMOKE ? '--smoke' : `--rounds ${ROUNDS} --seconds ${SECONDS}`}\``,
  '',
].join('\n');
process.stdout.write(out);
if (!SMOKE) writeFileSync(fileURLToPath(new URL('./results/targets-ab.md', import.meta.url)), out);
