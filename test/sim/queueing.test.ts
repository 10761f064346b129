// The serving model: slots + FIFO queue, and decode slowing with load (--load-factor).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, readSse, spawnSim, userMessage } from '../helpers/sim-helpers.ts';

type Sim = Awaited<ReturnType<typeof spawnSim>>;

interface Rec {
  receivedMs: number;
  admittedMs: number;
  firstTokenMs: number;
  /** When the first token was due: later tokens are due on a schedule counted from it. */
  firstTokenDueMs: number;
  lastTokenMs: number;
  endMs: number;
  tokenMs: number[];
}

async function streamOnce(sim: Sim, id: string, prompt: string): Promise<{ ttft: number; gaps: number[] }> {
  const t0 = performance.now();
  const res = await postJson(`${sim.url}/v1/chat/completions`, { model: 'm', messages: userMessage(prompt), stream: true }, { 'x-request-id': id });
  const events = await readSse(res);
  const content = events.filter((e) => e.data.includes('"content":"') && !e.data.includes('"content":""'));
  const first = content[0];
  assert.ok(first);
  return { ttft: first.at - t0, gaps: content.slice(1).map((e, i) => e.at - (content[i] as { at: number }).at) };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

// One simulator in a child process for both suites (reconfigured through /admin/config), so the
// timings are the server's, not this test process's event loop.
describe('serving model', () => {
  let sim: Sim;
  before(async () => {
    sim = await spawnSim({ ttft: '60', itl: '10', 'output-tokens': '10', slots: '4', 'prefill-per-token': '0', 'load-factor': '0' });
  });
  after(() => sim.close());

  it('with --slots 4 and 8 concurrent requests, the second four wait one generation time', async () => {
    // Generation time = ttft + (n - 1) * itl = 60 + 9 * 10 = 150 ms.
    // Warm up (JIT, lazily loaded modules, connection pool): the first rounds in a fresh process
    // stall the shared event loop for tens of ms, which would spread the arrivals.
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => streamOnce(sim, `warm-${round}-${i}`, 'warm')));
    }
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => streamOnce(sim, `q-${i}`, `prompt ${i}`)));
    const lookup = await postJson(`${sim.url}/admin/requests/lookup`, { ids: results.map((_, i) => `q-${i}`) });
    const { records } = (await lookup.json()) as { records: Rec[] };
    const t0 = Math.min(...records.map((r) => r.receivedMs));
    const detail = records.map((r) => `${(r.receivedMs - t0).toFixed(1)}+${(r.admittedMs - r.receivedMs).toFixed(1)}`).join(' ');
    // Server side, the ground truth: the simulator's own record of when each request arrived, got a
    // slot and ended. On a busy machine the eight arrivals spread over tens of ms, so each request is
    // judged by what the server held when it arrived: with a slot free it is admitted on arrival;
    // with all four busy it waits and gets the slot the moment one frees (the release admits
    // synchronously). A wrong queueing model is off by a whole generation (150 ms).
    const byArrival = [...records].sort((a, b) => a.receivedMs - b.receivedMs);
    const ends = records.map((r) => r.endMs);
    let waited = 0;
    for (const r of byArrival) {
      const busy = records.filter((o) => o !== r && o.admittedMs <= r.receivedMs && r.receivedMs < o.endMs).length;
      if (busy < 4) {
        assert.ok(r.admittedMs - r.receivedMs < 75, `admitted on arrival with ${busy} running (${detail})`);
      } else {
        waited++;
        const freed = ends.some((e) => Math.abs(r.admittedMs - e) < 10);
        assert.ok(freed, `with four running, admitted when a slot freed (${detail})`);
      }
      // Tokens are never early (the lower side is exact) but a busy machine writes the last one late.
      const gen = r.lastTokenMs - r.admittedMs;
      assert.ok(gen > 140 && gen < 250, `generation time ${(r.lastTokenMs - r.admittedMs).toFixed(1)} (${detail})`);
    }
    assert.ok(waited >= 1, `eight at once on four slots: some must wait (${detail})`);
    // Never more than four generating at once.
    for (const r of records) {
      const running = records.filter((o) => o.admittedMs <= r.admittedMs && r.admittedMs < o.endMs).length;
      assert.ok(running <= 4, `${running} running when one was admitted (${detail})`);
    }
    // Client side: whoever waited for a slot sees it in TTFT.
    const ttfts = results.map((r) => r.ttft).sort((a, b) => a - b);
    assert.ok((ttfts[0] as number) >= 55, `TTFT at least the configured 60 ms (${ttfts[0]})`);
    // Half a generation of the 150 ms wait: one client stall can inflate the smallest TTFT.
    assert.ok((ttfts[ttfts.length - 1] as number) - (ttfts[0] as number) > 75, `the last TTFT includes a wait for a slot (${ttfts.map((t) => t.toFixed(0)).join(' ')})`);
    const stats = await getJson<{ completed: number }>(`${sim.url}/admin/stats`);
    assert.equal(stats.completed, 32);
  });

  it('ITL grows with running sequences: itl * (1 + K * running / slots)', async () => {
    const changed = await postJson(`${sim.url}/admin/config`, { ttft: 5, itl: 10, outputTokens: 25, slots: 8, 'load-factor': 1 });
    assert.equal(changed.status, 200);
    await Promise.all(Array.from({ length: 4 }, (_, i) => streamOnce(sim, `warm-${i}`, 'warm')));
    const alone = await streamOnce(sim, 'alone', 'solo');
    const crowd = await Promise.all(Array.from({ length: 8 }, (_, i) => streamOnce(sim, `crowd-${i}`, `crowd ${i}`)));
    // Server's own record of when each token was written.
    const rec = await getJson<Rec>(`${sim.url}/admin/requests/alone`);
    const serverGaps = rec.tokenMs.slice(1).map((t, i) => t - (rec.tokenMs[i] as number));
    const crowdRec = await getJson<Rec>(`${sim.url}/admin/requests/crowd-3`);
    const crowdGaps = crowdRec.tokenMs.slice(1).map((t, i) => t - (crowdRec.tokenMs[i] as number));
    // Alone: 10 * (1 + 1/8) = 11.25 ms; eight running: 10 * (1 + 8/8) = 20 ms. The simulator keeps
    // tokens on a schedule counted from the first token's due time, so a late timer is followed by
    // a short gap: single gaps (and their median) wander on a busy machine, and so does a mean
    // counted from a late first token (CI). Counted from the due time, the mean can only be late,
    // by the last token's delay spread over 24 gaps: hence room above, and none below (without the
    // load factor it would be 10).
    const scheduled = ((rec.tokenMs.at(-1) as number) - rec.firstTokenDueMs) / (rec.tokenMs.length - 1);
    assert.ok(scheduled > 11 && scheduled < 14.5, `alone ITL on the schedule ${scheduled.toFixed(2)} (gaps: mean ${mean(serverGaps).toFixed(2)}, median ${median(serverGaps).toFixed(2)})`);
    // The median, not the mean: on a busy machine the eight requests reach the server a little
    // apart, so the first and last gaps of a stream run with fewer than eight (a mean of 17.75 ms
    // was seen in CI); the middle of the stream runs with all eight.
    assert.ok(Math.abs(median(crowdGaps) - 20) < 3, `loaded ITL median ${median(crowdGaps).toFixed(2)} (mean ${mean(crowdGaps).toFixed(2)})`);
    // 1.78x expected (a crowd mean of 17.75 ms was seen in CI, so 1.58x); without the load factor, 1x.
    assert.ok(mean(crowd.flatMap((c) => c.gaps)) > 1.3 * mean(alone.gaps), 'clients see it too');
  });
});
