import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import type { RequestRecord } from '../../src/engine/types.ts';
import { parseEarlyStop } from '../../src/config/early-stop.ts';
import { resolveSimConfig } from '../../src/sim/config.ts';
import { startSimulator } from '../../src/sim/server.ts';
import { spawnSimulator } from '../../src/sim/spawn.ts';
import { testConfig } from '../helpers/engine-config.ts';

/**
 * Early stop aborts the stream, and the server sees it: the simulator counts the cancelled
 * generations. The simulator runs in its own process, as in real use: in this one it would
 * share the event loop with the client and write tokens late, in bursts.
 */
// Long answers (2000 tokens, 10 s each): even a starved client aborts long before one could end.
const sim = await spawnSimulator(resolveSimConfig({ ttft: '5', itl: '5', jitter: '0', 'output-tokens': '2000', slots: '64' }));
after(() => sim.close());

interface Stats {
  cancelled: number;
  completed: number;
  tokensSent: number;
}
async function simStats(): Promise<Stats> {
  const res = await fetch(`${sim.url}/admin/stats`);
  return (await res.json()) as Stats;
}

test('early stop: streams end at the rule, the simulator counts the cancellations, the tokens not sent are saved', async () => {
  const records: RequestRecord[] = [];
  const rule = parseEarlyStop('--early-stop', 'max-tokens=20');
  const engine = new Engine(testConfig(`${sim.url}/v1`, { load: { requests: 10, concurrency: 5 }, resilience: { earlyStop: rule, earlyStopEnabled: true }, target: { simulated: true } }), {
    onRecord: (r) => records.push(r),
  });
  await engine.start();
  await engine.done;
  engine.dispose();
  assert.equal(records.length, 10);
  for (const r of records) {
    assert.equal(r.outcome, 'early_stopped', r.errorMessage);
    assert.equal(r.contentEvents, 20);
  }
  // The server notices the closed connection and stops generating.
  const until = Date.now() + 3000;
  while ((await simStats()).cancelled < 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const stats = await simStats();
  assert.equal(stats.cancelled, 10, JSON.stringify(stats));
  assert.ok(stats.tokensSent < 10 * 2000 * 0.2, `the server stopped sending: ${stats.tokensSent} tokens`);
});

test('the simulator with injected faults: every request accounted for, each failure by code', async () => {
  const faulty = await startSimulator(resolveSimConfig({ ttft: '2', itl: '1', 'output-tokens': '10', faults: 'http500=0.1,http429=0.1,disconnect=0.1,malformed=0.1', 'stall-ms': '300' }));
  try {
    const records: RequestRecord[] = [];
    const engine = new Engine(testConfig(`${faulty.url}/v1`, { load: { requests: 200, concurrency: 16, streamRatio: 0.7 } }), { onRecord: (r) => records.push(r) });
    await engine.start();
    await engine.done;
    const snap = engine.snapshot();
    engine.dispose();
    assert.equal(records.length, 200);
    const failed = records.filter((r) => r.outcome === 'failed');
    assert.ok(failed.length > 20 && failed.length < 130, `failed ${failed.length}`);
    const codes = new Set(failed.map((r) => r.errorCode));
    for (const c of ['http_500', 'http_429']) assert.ok(codes.has(c as never), [...codes].join(','));
    assert.equal(snap.byMode.stream.succeeded + snap.byMode.nonstream.succeeded, 200 - failed.length);
    assert.equal(snap.errorsTotal, failed.length);
  } finally {
    await faulty.close();
  }
});
