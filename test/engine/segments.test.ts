// Issue 13, item 3: a load change opens its segment before the new requests start, and a
// segment's req/s is what completed while it was in force over its duration.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Engine } from '../../src/engine/engine.ts';
import type { RequestRecord } from '../../src/engine/types.ts';
import { buildReport } from '../../src/report/report.ts';
import { MODES } from '../../src/engine/types.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { pacedOpenAiStream, startScriptedServer } from '../helpers/scripted-server.ts';
import { postJson, spawnSim, waitFor } from '../helpers/sim-helpers.ts';

/** The segment in force at `ms`: the last one that began at or before it. */
function segmentAt(engine: Engine, ms: number): number {
  let index = 0;
  for (const p of engine.stats.segments) if (p.info.startMs <= ms) index = p.info.index;
  return index;
}

test('issue 13 item 3: the requests a pool change starts carry the new segment', async () => {
  const server = await startScriptedServer(pacedOpenAiStream({ ttftMs: 20, gapMs: 5, tokens: 6 }));
  after(() => server.close());
  const records: RequestRecord[] = [];
  const engine = new Engine(testConfig(server.url, { load: { concurrency: 2 } }), { onRecord: (r) => records.push(r) });
  await engine.start();
  try {
    await waitFor(() => records.length >= 6, 10_000, 'six requests at c=2');
    engine.setConcurrency(6);
    await waitFor(() => records.length >= 30, 10_000, 'thirty requests');
    engine.setConcurrency(3);
    await waitFor(() => records.length >= 45, 10_000, 'forty-five requests');
  } finally {
    await engine.stop();
  }
  const change = engine.stats.segments[1]?.info.startMs;
  assert.ok(change !== undefined, 'the pool change opened a segment');
  const after1 = records.filter((r) => r.startMs >= change);
  assert.ok(after1.length >= 20, `requests started after the change: ${after1.length}`);
  // Every request carries the segment in force when it was written, on both sides of each change.
  const wrong = records.filter((r) => r.segment !== segmentAt(engine, r.startMs));
  assert.deepEqual(
    wrong.map((r) => `#${r.id} started ${r.startMs.toFixed(1)} ms in segment ${r.segment}`),
    [],
    `segments begin at ${engine.stats.segments.map((p) => p.info.startMs.toFixed(1)).join(', ')} ms`,
  );
  const counts = engine.stats.segments.map((p) => p.info.concurrency);
  assert.deepEqual(counts, [2, 6, 3]);
  engine.dispose();
});

interface SimRecord {
  id: string;
  status: string;
  endMs: number | null;
}

test("issue 13 item 3: a segment's req/s is its completions over its duration, within 10 % of the simulator's", async () => {
  // ~0.45 s per request, no jitter, room for every request (no queueing): c=2 then c=8.
  const sim = await spawnSim({ ttft: '40', itl: '10', 'output-tokens': '40', slots: '64', 'load-factor': '0', 'prefill-per-token': '0' });
  after(() => sim.close());
  const records: RequestRecord[] = [];
  const engine = new Engine(testConfig(`${sim.url}/v1`, { load: { concurrency: 2, streamRatio: 0.5 } }), {
    onRecord: (r) => records.push(r),
  });
  await engine.start();
  // The engine's clock is performance.now(); this puts its run start on the shared wall clock.
  const runStartEpoch = performance.timeOrigin + performance.now() - engine.elapsedMs();
  const ok = (): number => records.filter((r) => r.outcome === 'ok').length;
  try {
    await waitFor(() => ok() >= 16, 20_000, 'sixteen completions at c=2');
    engine.setConcurrency(8);
    await waitFor(() => ok() >= 16 + 48, 20_000, 'forty-eight more at c=8');
  } finally {
    await engine.stop();
  }
  const outcome = await engine.done;
  const report = buildReport({
    version: 'test',
    target: { baseUrl: sim.url, api: 'openai', model: 'test-model', simulated: true },
    settings: {},
    outcome,
    engine,
  });
  engine.dispose();

  const res = await postJson(`${sim.url}/admin/requests/lookup`, { ids: records.map((r) => r.requestId) });
  const truth = (await res.json()) as { timeOrigin: number; records: SimRecord[]; missing: string[] };
  // A request aborted by stop() may never have reached the server; every other one must be known.
  const cancelled = new Set(records.filter((r) => r.outcome === 'cancelled').map((r) => r.requestId));
  assert.deepEqual(truth.missing.filter((id) => !cancelled.has(id)), [], 'the simulator knows every request it answered');
  // Server completion times on the client's run clock.
  const doneAt = truth.records
    .filter((r) => r.status === 'completed' && r.endMs !== null)
    .map((r) => truth.timeOrigin + (r.endMs ?? 0) - runStartEpoch);

  assert.equal(report.segments.length, 2);
  for (const p of report.segments) {
    const end = p.endMs ?? report.durationMs;
    const serverRate = (doneAt.filter((t) => t >= p.startMs && t < end).length * 1000) / p.durationMs;
    // What the segment reports, per mode and in total, is one number.
    const perMode = MODES.reduce((a, m) => a + p.byMode[m].requestsPerSec, 0);
    assert.ok(
      Math.abs(perMode - serverRate) <= 0.1 * serverRate,
      `segment ${p.index} (c=${p.concurrency}, ${(p.durationMs / 1000).toFixed(2)} s): reports ${perMode.toFixed(2)} req/s, the simulator completed ${serverRate.toFixed(2)} req/s`,
    );
    assert.ok(Math.abs(perMode - (p.requestsPerSec ?? NaN)) < 1e-9, `segment ${p.index}: modes add up (${perMode} vs ${p.requestsPerSec})`);
  }
});
