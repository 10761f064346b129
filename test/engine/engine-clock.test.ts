import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { Engine } from '../../src/engine/engine.ts';
import { ManualClock } from '../../src/engine/clock.ts';
import type { EngineConfigPatch } from '../../src/engine/config.ts';
import type { RequestRecord } from '../../src/engine/types.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { openAiChunk, openAiUsage, sseHeaders, startScriptedServer } from '../helpers/scripted-server.ts';
import { waitFor } from '../helpers/sim-helpers.ts';

/**
 * Engine runs on a ManualClock against a real HTTP server whose every response waits until the
 * test releases it. The test alone moves time and decides when each request ends, so arrivals,
 * queue delays, drops, the duration limit and its grace happen at exact clock values: every
 * latency below is an exact number, not a range. Real time is only spent waiting (with a
 * deadline) for requests to reach the server or records to come back.
 */

/** Requests parked at the server, oldest first; a request its client abandoned leaves the list. */
const parked: ServerResponse[] = [];
let received = 0;
let maxParked = 0;
const server = await startScriptedServer(async (_req, res) => {
  received++;
  parked.push(res);
  maxParked = Math.max(maxParked, parked.length);
  res.on('close', () => {
    const i = parked.indexOf(res);
    if (i >= 0) parked.splice(i, 1);
  });
});
after(() => server.close());

/** Answers the oldest parked request: headers, two content events, usage (2 tokens), done. */
function release(): void {
  const res = parked.shift();
  assert.ok(res, 'a request is parked at the server');
  sseHeaders(res);
  res.write(openAiChunk(' a') + openAiChunk(' b') + openAiUsage(2));
  res.end('data: [DONE]\n\n');
}

interface ClockRun {
  clock: ManualClock;
  engine: Engine;
  records: RequestRecord[];
}

async function startRun(over: EngineConfigPatch): Promise<ClockRun> {
  parked.length = 0;
  received = 0;
  maxParked = 0;
  const clock = new ManualClock(0);
  const records: RequestRecord[] = [];
  const engine = new Engine(testConfig(server.url, over), { clock, onRecord: (r) => records.push(r) });
  await engine.start();
  return { clock, engine, records };
}

/** A run that never ends (a wait that misses its wake-up) fails instead of hanging the suite. */
const LIMIT = { timeout: 30_000 };
const parkedCount = (n: number) => waitFor(() => parked.length === n, 5000, `${n} requests parked at the server`);
const recordCount = (rs: RequestRecord[], n: number) => waitFor(() => rs.length === n, 5000, `${n} records`);
/** Lets pending I/O callbacks and immediates run: a request the engine wrongly started would reach the server. */
const settle = () => new Promise((r) => setTimeout(r, 50));

test('open loop: latency counts from the intended start; queue delay is measured; old tickets are dropped', LIMIT, async () => {
  // Arrivals every 100 ms, one slot, tickets older than 150 ms dropped, 4 requests.
  const { clock, engine, records } = await startRun({ load: { rate: 10, concurrency: 1, maxQueueDelayMs: 150, requests: 4 } });
  clock.advance(0); // the first arrival, at 0
  await parkedCount(1);
  clock.advance(200); // arrivals at 100 and 200 wait for the slot
  assert.equal(engine.snapshot().queued, 2);
  release(); // #1 ends at 200; the ticket of 100 (100 ms old) starts
  await recordCount(records, 1);
  await parkedCount(1);
  clock.advance(200); // arrivals at 300 and 400; queue: 200, 300, 400
  release(); // #2 ends at 400: the ticket of 200 is 200 ms old (dropped), the one of 300 starts
  await recordCount(records, 3);
  await parkedCount(1);
  release(); // #4 ends at 400: the budget of 4 is spent (a drop counts), the ticket of 400 never runs
  const outcome = await engine.done;
  await settle();
  assert.equal(received, 3, 'the dropped ticket and the one past the budget never reached the server');
  assert.equal(outcome.stopReason, 'requests');
  assert.equal(outcome.started, 4);
  assert.equal(outcome.dropped, 1);

  const [first, second, dropped, fourth] = records;
  assert.deepEqual(
    records.map((r) => [r.outcome, r.intendedStartMs, r.startMs, r.queueMs, r.ttftMs, r.e2eMs]),
    [
      ['ok', 0, 0, 0, 200, 200],
      ['ok', 100, 200, 100, 300, 300], // written at 200, counted from 100
      ['dropped', 200, 400, 200, undefined, undefined],
      ['ok', 300, 400, 100, 100, 100],
    ],
  );
  assert.equal(second?.ttfbMs, 300, 'TTFB from the intended start too');
  assert.equal(first?.tpotMs, 0);
  assert.equal(dropped?.errorCode, 'queue_dropped');
  assert.match(dropped?.errorMessage ?? '', /waited 200 ms for a slot \(cap 150 ms\)/);
  assert.equal(fourth?.outputTokens, 2);
  const s = engine.snapshot();
  // Queue delay is summarised over the requests that ran; the drop counts as a failure.
  assert.equal(s.byMode.stream.queue.count, 3);
  assert.equal(s.byMode.stream.queue.max, 100);
  assert.equal(s.byMode.stream.failed, 1);
  assert.equal(s.byMode.stream.ttft.max, 300);
  assert.equal(s.errorsTotal, 1);
  engine.dispose();
});

test('warm-up requests are recorded (marked) but kept out of the statistics', LIMIT, async () => {
  const { clock, engine, records } = await startRun({ load: { concurrency: 1, warmup: 2, requests: 3 } });
  // Warm-ups are slow (1000 ms), measured requests fast (10 ms): any warm-up in the statistics shows.
  for (let i = 0; i < 5; i++) {
    await parkedCount(1);
    clock.advance(i < 2 ? 1000 : 10);
    release();
    await recordCount(records, i + 1);
  }
  const outcome = await engine.done;
  assert.deepEqual(records.map((r) => r.warmup), [true, true, false, false, false]);
  assert.deepEqual(records.map((r) => r.ttftMs), [1000, 1000, 10, 10, 10]);
  assert.equal(outcome.warmupStarted, 2);
  assert.equal(outcome.started, 3);
  const s = engine.snapshot();
  assert.equal(s.byMode.stream.succeeded, 3, 'only measured requests count');
  assert.equal(s.byMode.stream.ttft.count, 3);
  assert.equal(s.byMode.stream.ttft.max, 10, 'no warm-up latency in the distribution');
  assert.equal(s.completed, 3);
  engine.dispose();
});

test('--duration with grace: requests in flight may finish during the grace, the rest are cancelled at its end', LIMIT, async () => {
  const { clock, engine, records } = await startRun({ load: { concurrency: 2, durationMs: 1000, graceMs: 500 } });
  await parkedCount(2);
  clock.advance(999);
  assert.equal(engine.snapshot().state, 'running');
  clock.advance(1); // the duration limit
  assert.equal(engine.snapshot().state, 'stopping');
  release(); // finishes inside the grace: recorded as a success, and its slot is not refilled
  await recordCount(records, 1);
  await settle();
  assert.equal(received, 2, 'no request starts after the duration limit');
  assert.equal(records[0]?.outcome, 'ok');
  clock.advance(499);
  await settle();
  assert.equal(records.length, 1, 'still inside the grace');
  clock.advance(1); // the grace ends: the other request is cancelled
  const outcome = await engine.done;
  assert.equal(outcome.stopReason, 'duration');
  assert.equal(outcome.durationMs, 1500);
  assert.equal(outcome.cancelled, 1);
  assert.deepEqual(records.map((r) => r.outcome), ['ok', 'cancelled']);
  engine.dispose();
});

test('--duration: the run ends as soon as the last request finishes inside the grace, without waiting it out', LIMIT, async () => {
  const { clock, engine, records } = await startRun({ load: { concurrency: 2, durationMs: 1000, graceMs: 30_000 } });
  await parkedCount(2);
  clock.advance(1000);
  release();
  release();
  // The clock stays at 1000: only the requests' ends can finish the run.
  const outcome = await engine.done;
  assert.equal(outcome.durationMs, 1000);
  assert.deepEqual(records.map((r) => r.outcome), ['ok', 'ok']);
  engine.dispose();
});

test('--duration without grace cancels every request in flight at the limit', LIMIT, async () => {
  const { clock, engine, records } = await startRun({ load: { concurrency: 3, durationMs: 1000, graceMs: 0 } });
  await parkedCount(3);
  clock.advance(1000);
  const outcome = await engine.done;
  assert.equal(outcome.durationMs, 1000);
  assert.equal(outcome.cancelled, 3);
  assert.deepEqual(records.map((r) => r.outcome), ['cancelled', 'cancelled', 'cancelled']);
  engine.dispose();
});

test('a live pool resize: raising starts requests at once; lowering lets requests finish and refills only below the new size', LIMIT, async () => {
  const { engine, records } = await startRun({ load: { concurrency: 2 } });
  await parkedCount(2);
  engine.setConcurrency(4);
  await parkedCount(4);
  assert.equal(engine.snapshot().concurrency, 4);
  assert.equal(engine.snapshot().inFlight, 4);
  engine.setConcurrency(1);
  await settle();
  assert.equal(engine.snapshot().inFlight, 4, 'lowering aborts nothing');
  for (let i = 1; i <= 3; i++) {
    release();
    await recordCount(records, i);
  }
  await settle();
  assert.equal(received, 4, 'no new request while the pool is above its new size');
  release(); // the last of the four: now below the size, one new request starts
  await recordCount(records, 4);
  await parkedCount(1);
  await settle();
  assert.equal(received, 5);
  assert.equal(maxParked, 4, 'never more in flight than the largest pool size');
  await engine.stop();
  assert.deepEqual(records.map((r) => r.outcome), ['ok', 'ok', 'ok', 'ok', 'cancelled']);
  engine.dispose();
});
