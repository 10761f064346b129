// Issue 13, item 4: autotune measures each pool long enough for the latencies it sees and counts
// completions in the step, so it lands where a sweep of the same server finds the best goodput.
//
// The server is a model of the built-in simulator's default profile (16 slots, a FIFO queue,
// TTFT 250 ms, 25 ms a token slowing by half at full slots, 120 +- 40 tokens, 20 % jitter), and
// time is node:test's mocked clock, so minutes of tuning run in well under a second.

import { test, mock, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createAutoTuner, type AutoTuneHost, type AutoTuneResult } from '../../src/experiments/autotune.ts';
import { Prng } from '../../src/engine/prng.ts';
import type { RequestRecord } from '../../src/engine/types.ts';
import { defaultSloFor, meetsSlo, parseSlo } from '../../src/report/slo.ts';

afterEach(() => mock.timers.reset());

interface Profile {
  slots: number;
  ttftMs: number;
  itlMs: number;
  tokens: { mean: number; sd: number };
  loadFactor: number;
  jitter: number;
}

const DEFAULT_PROFILE: Profile = { slots: 16, ttftMs: 250, itlMs: 25, tokens: { mean: 120, sd: 40 }, loadFactor: 0.5, jitter: 0.2 };

/** A closed-loop client against a slots + FIFO server, on mocked timers. */
class ModelRun implements AutoTuneHost {
  pool: number;
  inFlight = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly listeners = new Set<(r: RequestRecord) => void>();
  private readonly prng: Prng;
  private nextId = 0;
  readonly flashes: { atMs: number; text: string }[] = [];

  constructor(
    private readonly p: Profile,
    pool: number,
    seed: number,
  ) {
    this.pool = pool;
    this.prng = new Prng(seed);
  }

  elapsedMs(): number {
    return Date.now();
  }
  flash(text: string): void {
    this.flashes.push({ atMs: Date.now(), text });
  }
  addRecordListener(fn: (r: RequestRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  setConcurrency(n: number): void {
    this.pool = n;
    this.fill();
  }

  fill(): void {
    while (this.inFlight < this.pool) this.launch();
  }

  private normal(): number {
    // Box-Muller on the seeded generator.
    const u = 1 - this.prng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.prng.next());
  }

  private jitter(): number {
    return Math.exp(this.p.jitter * this.normal());
  }

  private launch(): void {
    this.inFlight++;
    const id = ++this.nextId;
    const startMs = Date.now();
    const admit = (): void => {
      this.running++;
      const tokens = Math.max(1, Math.round(this.p.tokens.mean + this.p.tokens.sd * this.normal()));
      const itl = this.p.itlMs * (1 + (this.p.loadFactor * this.running) / this.p.slots) * this.jitter();
      const first = this.p.ttftMs * this.jitter();
      const ttftMs = Date.now() - startMs + first;
      const serviceMs = first + (tokens - 1) * itl;
      setTimeout(() => {
        this.running--;
        this.waiting.shift()?.();
        this.inFlight--;
        const e2eMs = Date.now() - startMs;
        const rec: RequestRecord = {
          id, requestId: `m-${id}`, mode: 'stream', outcome: 'ok', attempts: 1, segment: 0, warmup: false,
          intendedStartMs: startMs, startMs, queueMs: 0, ttftMs, e2eMs, tpotMs: (e2eMs - ttftMs) / Math.max(1, tokens - 1),
          contentEvents: tokens, itlMs: [], outputTokens: tokens, tokenSource: 'usage', bytesReceived: 0,
        };
        for (const l of this.listeners) l(rec);
        this.fill();
      }, serviceMs);
    };
    if (this.running < this.p.slots) admit();
    else this.waiting.push(admit);
  }
}

function mockTimers(): void {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
}

/** Moves mocked time in small steps until `done()` or the limit. */
function runUntil(done: () => boolean, limitMs: number): void {
  while (!done() && Date.now() < limitMs) mock.timers.tick(50);
}

/**
 * What `streamtop sweep` would find on the model: each pool on a fresh run, goodput over a long
 * steady stretch, the objective set by the unloaded (pool 1) median TTFT as the sweep sets it.
 */
function sweepBest(profile: Profile, pools: readonly number[]): { best: number; goodput: Map<number, number>; slo: string } {
  const goodput = new Map<number, number>();
  let slo: string | undefined;
  for (const pool of pools) {
    mockTimers();
    const run = new ModelRun(profile, pool, 7 + pool);
    const records: RequestRecord[] = [];
    run.addRecordListener((r) => {
      if (Date.now() >= 30_000) records.push(r);
    });
    run.fill();
    runUntil(() => false, 330_000);
    if (slo === undefined) {
      const ttfts = records.map((r) => r.ttftMs ?? 0).sort((a, b) => a - b);
      slo = defaultSloFor(ttfts[Math.floor(ttfts.length / 2)]);
    }
    const rules = parseSlo('--slo', slo);
    goodput.set(pool, (records.filter((r) => meetsSlo(r, rules)).length * 1000) / 300_000);
    mock.timers.reset();
  }
  const best = [...goodput.entries()].reduce((a, b) => (b[1] > a[1] ? b : a));
  return { best: best[0], goodput, slo: slo ?? '' };
}

function autotune(profile: Profile, startPool: number, slo?: string): { run: ModelRun; result: AutoTuneResult | undefined; tookMs: number } {
  mockTimers();
  const run = new ModelRun(profile, startPool, 3);
  run.fill();
  // Five seconds at the starting pool, as in the dashboard before the key press.
  runUntil(() => false, 5000);
  let result: AutoTuneResult | undefined;
  const tuner = createAutoTuner(run, slo, (r) => (result = r));
  const from = Date.now();
  tuner.start();
  runUntil(() => !tuner.running, from + 15 * 60_000);
  const tookMs = Date.now() - from;
  tuner.stop();
  mock.timers.reset();
  return { run, result, tookMs };
}

const POOLS = [1, 2, 4, 8, 16, 32, 64];

test('issue 13 item 4: autotune from -c 8 lands on the pool where a sweep finds the best goodput (or next to it)', () => {
  const sweep = sweepBest(DEFAULT_PROFILE, POOLS);
  assert.equal(sweep.best, 16, `the model's best pool: ${[...sweep.goodput].map(([p, g]) => `${p}:${g.toFixed(2)}`).join(' ')}`);
  const { run, result, tookMs } = autotune(DEFAULT_PROFILE, 8);
  const i = POOLS.indexOf(sweep.best);
  const adjacent = POOLS.slice(Math.max(0, i - 1), i + 2);
  assert.ok(
    adjacent.includes(run.pool),
    `autotune set pool ${run.pool}; sweep best ${sweep.best} (${sweep.slo}); steps ${result?.steps.map((s) => `${s.pool}:${s.goodput.toFixed(2)}`).join(' ')}; ` +
      `last notice: ${run.flashes.at(-1)?.text}`,
  );
  assert.ok(result !== undefined, 'autotune reported its result');
  // The same default objective as the sweep: 3x the unloaded median TTFT, from its own samples.
  const limit = (slo: string): number => Number(/ttft<(\d+)ms/.exec(slo)?.[1]);
  assert.ok(Math.abs(limit(result.slo) - limit(sweep.slo)) <= 0.15 * limit(sweep.slo), `${result.slo} vs the sweep's ${sweep.slo}`);
  // Each step saw several answers: with ~4 s answers, a step cannot be a 3 s window.
  for (const s of result.steps) assert.ok(s.completed >= 4 && s.measuredMs >= 2 * 3000, `step ${s.pool}: ${s.completed} in ${s.measuredMs} ms`);
  // Goodput is measured, not zero: the best step's figure is near the steady state a sweep sees.
  const truth = sweep.goodput.get(result.best.pool) ?? 0;
  assert.ok(Math.abs(result.best.goodput - truth) <= 0.3 * truth, `pool ${result.best.pool}: ${result.best.goodput.toFixed(2)} vs ${truth.toFixed(2)}`);
  // A reasonable total time, with progress on screen the whole way (a notice at least every second).
  assert.ok(tookMs <= 4 * 60_000, `autotune took ${(tookMs / 1000).toFixed(0)} s`);
  const during = run.flashes.filter((f) => f.atMs >= 5000);
  for (let k = 1; k < during.length; k++) {
    const gap = (during[k]?.atMs ?? 0) - (during[k - 1]?.atMs ?? 0);
    assert.ok(gap <= 1000, `no progress shown for ${gap} ms before "${during[k]?.text}"`);
  }
  assert.match(during.at(-1)?.text ?? '', /autotune: pool \d+, [\d.]+ good req\/s \(ttft<\d+ms\)/);
});

test('issue 13 item 4: with --slo, the objective is the user\'s and the search stops once goodput collapses', () => {
  // 8 slots: above 8 requests queue and TTFT under 1 s is out of reach for most of them.
  const profile: Profile = { ...DEFAULT_PROFILE, slots: 8 };
  const sweep = sweepBest(profile, POOLS);
  const rules = parseSlo('--slo', 'ttft<1s');
  const { run, result } = autotune(profile, 4, 'ttft<1s');
  assert.ok(result !== undefined);
  assert.equal(result.slo, 'ttft<1s');
  assert.ok(rules.length === 1);
  const i = POOLS.indexOf(sweep.best);
  assert.ok(POOLS.slice(Math.max(0, i - 1), i + 2).includes(run.pool), `autotune ${run.pool}, sweep best ${sweep.best}`);
  // Not every pool up to the cap: it stops a step or two past the best.
  assert.ok((result.steps.at(-1)?.pool ?? Infinity) <= 4 * run.pool, `last step tried ${result.steps.at(-1)?.pool}`);
});
