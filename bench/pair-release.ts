/**
 * How far apart the two requests of a pair are released, by where the pair gate lives:
 *   1. one thread (the dashboard's engine worker, and the headless run): PairGate resolves the
 *      pair's waits in one microtask run;
 *   2. an engine per worker, the gate on the main thread: a postMessage to each worker, idle;
 *   3. the same with both workers busy (2 ms of work every 5 ms, like streams being parsed).
 * Prints the gap between the two releases (p50, p99, max, microseconds) for each.
 *
 *   node --import tsx bench/pair-release.ts [--pairs 2000]
 */
import { Worker } from 'node:worker_threads';
import { PairGate } from '../src/experiments/pair-gate.ts';

const args = process.argv.slice(2);
const i = args.indexOf('--pairs');
const PAIRS = i >= 0 ? Number(args[i + 1]) : 2000;

function summary(name: string, gapsMs: number[]): string {
  const s = [...gapsMs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const us = (ms: number): string => `${(ms * 1000).toFixed(1)}`.padStart(9);
  return `${name.padEnd(44)} ${us(q(0.5))} ${us(q(0.99))} ${us(s[s.length - 1] ?? NaN)}`;
}

async function oneThread(): Promise<number[]> {
  const gate = new PairGate(2, 1);
  const gaps: number[] = [];
  for (let k = 1; k <= PAIRS; k++) {
    const at: number[] = [];
    const a = gate.wait(0, k).then(() => at.push(performance.now()));
    const b = gate.wait(1, k).then(() => at.push(performance.now()));
    await Promise.all([a, b]);
    gaps.push(Math.abs((at[0] ?? 0) - (at[1] ?? 0)));
    await new Promise((r) => setTimeout(r, 1));
  }
  return gaps;
}

// Each worker answers "go" with the moment it saw it, on the clock every thread shares
// (timeOrigin + now); when busy it also runs 2 ms of work every 5 ms.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.busy) setInterval(() => { const end = performance.now() + 2; while (performance.now() < end); }, 5);
parentPort.on('message', (m) => {
  if (m === 'go') parentPort.postMessage(performance.timeOrigin + performance.now());
  else process.exit(0);
});
`;

async function twoWorkers(busy: boolean): Promise<number[]> {
  const workers = [0, 1].map(() => new Worker(WORKER, { eval: true, workerData: { busy } }));
  const next = (w: Worker): Promise<number> => new Promise((resolve) => w.once('message', (t: number) => resolve(t)));
  const gaps: number[] = [];
  try {
    // Let both start (and the busy loops run) before measuring.
    await new Promise((r) => setTimeout(r, 200));
    for (let k = 0; k < PAIRS; k++) {
      const seen = workers.map(next);
      for (const w of workers) w.postMessage('go');
      const [a, b] = await Promise.all(seen);
      gaps.push(Math.abs((a ?? 0) - (b ?? 0)));
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    for (const w of workers) await w.terminate();
  }
  return gaps;
}

console.log(`pairs: ${PAIRS}; gap between the two releases of a pair, microseconds`);
console.log(`${'where the gate is'.padEnd(44)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}`);
console.log(summary('one thread (PairGate, microtasks)', await oneThread()));
console.log(summary('a worker per target, gate on main, idle', await twoWorkers(false)));
console.log(summary('a worker per target, gate on main, busy', await twoWorkers(true)));
