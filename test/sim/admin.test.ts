// Control and ground truth: /admin/stats, /admin/requests, /admin/config (with revertAfterMs), --timestamps.

import assert from 'node:assert/strict';
import { FAULT_NAMES } from '../../src/sim/faults.ts';
import { after, before, describe, it } from 'node:test';
import type { SimServer } from '../../src/sim/server.ts';
import { getJson, postJson, readSse, startSim, userMessage, waitFor } from '../helpers/sim-helpers.ts';

describe('admin API', () => {
  let sim: SimServer;
  before(async () => {
    sim = await startSim({ ttft: '10', itl: '3', 'output-tokens': '12', timestamps: true });
  });
  after(() => sim.close());

  it('records the server times of a request, by x-request-id', async () => {
    const res = await postJson(`${sim.url}/v1/chat/completions`, { model: 'm', messages: userMessage('rec'), stream: true }, { 'x-request-id': 'rec-1' });
    assert.equal(res.headers.get('x-request-id'), 'rec-1');
    const events = await readSse(res);
    const rec = await getJson<Record<string, unknown> & { tokenMs: number[]; timeOrigin: number; firstTokenMs: number; lastTokenMs: number; receivedMs: number }>(`${sim.url}/admin/requests/rec-1`);
    assert.equal(rec.status, 'completed');
    assert.equal(rec.tokensSent, 12);
    assert.equal(rec.tokenMs.length, 12);
    assert.equal(rec.firstTokenMs, rec.tokenMs[0]);
    assert.equal(rec.lastTokenMs, rec.tokenMs[11]);
    assert.ok(rec.receivedMs < rec.firstTokenMs);
    assert.equal(rec.timeOrigin, performance.timeOrigin, 'in-process: same origin');
    // --timestamps: each JSON chunk carries sim_ts = timeOrigin + write time (epoch ms).
    const content = events.filter((e) => e.data.includes('"content":"') && !e.data.includes('"content":""'));
    content.forEach((e, i) => {
      const ts = (JSON.parse(e.data) as { sim_ts: number }).sim_ts;
      assert.ok(Math.abs(ts - (rec.timeOrigin + (rec.tokenMs[i] as number))) < 0.01);
    });
    const arrival = content[0] as { at: number };
    const sent = (JSON.parse(content[0]?.data ?? '{}') as { sim_ts: number }).sim_ts - performance.timeOrigin;
    assert.ok(arrival.at >= sent - 0.01, 'arrives after it was sent');
  });

  it('looks up many records at once (GET ?ids= and POST lookup)', async () => {
    await Promise.all(['b1', 'b2'].map(async (id) => (await postJson(`${sim.url}/v1/messages`, { model: 'm', max_tokens: 3, messages: userMessage(id) }, { 'x-request-id': id })).text()));
    const viaGet = await getJson<{ records: { id: string }[]; missing: string[]; timeOrigin: number }>(`${sim.url}/admin/requests?ids=b1,b2,zz`);
    assert.deepEqual(viaGet.records.map((r) => r.id).sort(), ['b1', 'b2']);
    assert.deepEqual(viaGet.missing, ['zz']);
    const viaPost = (await (await postJson(`${sim.url}/admin/requests/lookup`, { ids: ['b2'] })).json()) as { records: { id: string; stream: boolean; tokenMs: null }[] };
    assert.equal(viaPost.records[0]?.stream, false);
    assert.equal(viaPost.records[0]?.tokenMs, null);
    assert.equal((await fetch(`${sim.url}/admin/requests/nope`)).status, 404);
  });

  it('reports stats with summaries', async () => {
    const s = await getJson<Record<string, unknown>>(`${sim.url}/admin/stats`);
    for (const k of ['received', 'running', 'queued', 'completed', 'cancelled', 'rejected', 'errorsInjected', 'ttftMs', 'itlMs', 'e2eMs', 'latenessMs', 'timeOrigin']) {
      assert.ok(k in s, k);
    }
    const ttft = s.ttftMs as { count: number; mean: number; p50: number; p95: number; p99: number; max: number };
    assert.ok(ttft.count >= 3, `count ${ttft.count}`);
    assert.ok(ttft.p50 >= 9.9 && ttft.max >= ttft.p99, JSON.stringify(ttft));
    assert.deepEqual(Object.keys(s.errorsInjected as object), [...FAULT_NAMES]);
    const reset = (await (await postJson(`${sim.url}/admin/stats/reset`, {})).json()) as { received: number };
    assert.equal(reset.received, 0);
  });

  it('changes knobs live and reverts them after revertAfterMs', async () => {
    let res = await postJson(`${sim.url}/admin/config`, { ttft: 1500, revertAfterMs: 150 });
    assert.equal(res.status, 200);
    let body = (await res.json()) as { config: { ttftMs: number; apiKey: unknown }; pendingReverts: string[] };
    assert.equal(body.config.ttftMs, 1500);
    assert.deepEqual(body.pendingReverts, ['ttftMs']);
    // A second overlapping spike extends the first and still reverts to the original value.
    await postJson(`${sim.url}/admin/config`, { ttft: 2000, revertAfterMs: 200 }).then((r) => r.text());
    res = await postJson(`${sim.url}/admin/config`, { faults: { http500: 0.3, disconnect: 0.2 }, revertAfterMs: 150 });
    body = (await res.json()) as typeof body;
    assert.equal(sim.config.faults.http500, 0.3);
    await waitFor(() => sim.config.ttftMs === 10 && sim.config.faults.http500 === 0 && sim.config.faults.disconnect === 0, 2000, 'revert');
    assert.equal(sim.config.ttftMs, 10);
  });

  it('rejects invalid changes with 400 and a reason', async () => {
    for (const body of [{ ttft: -1 }, { port: 80 }, { faults: { nope: 1 } }, { faults: { http500: 0.7, http503: 0.7 } }, { revertAfterMs: 'soon', ttft: 1 }]) {
      const res = await postJson(`${sim.url}/admin/config`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(((await res.json()) as { error: { message: string } }).error.message.length > 0);
    }
    assert.equal(sim.config.faults.http500, 0);
  });
});
