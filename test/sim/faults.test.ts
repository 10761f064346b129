// Fault injection (each fault at probability 1, switched through POST /admin/config) and client
// cancellation.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimServer } from '../../src/sim/server.ts';
import { postJson, readSse, startSim, userMessage, waitFor } from '../helpers/sim-helpers.ts';

const chatBody = (stream: boolean, prompt = 'faults') => ({ model: 'm', messages: userMessage(prompt), stream });

describe('faults', () => {
  let sim: SimServer;
  before(async () => {
    sim = await startSim({ ttft: '5', itl: '2', 'output-tokens': '20', 'stall-ms': '250' });
  });
  after(() => sim.close());
  const setFaults = async (spec: string): Promise<void> => {
    const res = await postJson(`${sim.url}/admin/config`, { faults: spec });
    assert.equal(res.status, 200, await res.clone().text());
    await res.text();
  };
  const completions = (): string => `${sim.url}/v1/chat/completions`;

  it('http429 / http500 / http503 answer in the provider shape, with retry-after where due', async () => {
    for (const [fault, status] of [['http429', 429], ['http500', 500], ['http503', 503]] as const) {
      await setFaults(`${fault}=1`);
      const res = await postJson(completions(), chatBody(true));
      assert.equal(res.status, status);
      assert.ok(((await res.json()) as { error: { message: string } }).error.message.length > 0);
      if (status !== 500) assert.equal(res.headers.get('retry-after'), '1');
      const anth = await postJson(`${sim.url}/v1/messages`, { model: 'm', max_tokens: 5, messages: userMessage('x') });
      assert.equal(anth.status, status);
      assert.equal(((await anth.json()) as { type: string }).type, 'error');
    }
    assert.equal(sim.stats().errorsInjected.http500, 2);
  });

  it('disconnect cuts the stream after some tokens, without [DONE]', async () => {
    await setFaults('disconnect=1');
    const res = await postJson(completions(), chatBody(true));
    assert.equal(res.status, 200);
    await assert.rejects(readSse(res));
    assert.equal(sim.stats().disconnected, 1);
    const nonStream = await postJson(completions(), chatBody(false)).then((r) => r.text()).then(() => 'body', () => 'error');
    assert.equal(nonStream, 'error');
  });

  it('stall pauses mid-stream for --stall-ms', async () => {
    await setFaults('stall=1');
    const t0 = performance.now();
    const events = await readSse(await postJson(completions(), chatBody(true), { 'x-request-id': 'stalled' }));
    assert.ok(performance.now() - t0 >= 250);
    assert.equal(events[events.length - 1]?.data, '[DONE]');
    // The server's own write times show the pause (client arrival gaps blur under CPU load).
    const rec = (await (await fetch(`${sim.url}/admin/requests/stalled`)).json()) as { tokenMs: number[]; fault: string };
    assert.equal(rec.fault, 'stall');
    const gaps = rec.tokenMs.slice(1).map((t, i) => t - (rec.tokenMs[i] as number));
    // The token before the stall may itself be written late, shortening the gap (the stall is
    // counted from the schedule). Without a stall the gaps are a few ms; spread over the stream, tens.
    assert.ok(Math.max(...gaps) >= 150, `max gap ${Math.max(...gaps)}`);
  });

  it('malformed writes one invalid JSON data line; non-streaming gets a truncated body', async () => {
    await setFaults('malformed=1');
    const events = await readSse(await postJson(completions(), chatBody(true)));
    const bad = events.filter((e) => e.data !== '[DONE]' && !isJson(e.data));
    assert.equal(bad.length, 1);
    const text = await (await postJson(completions(), chatBody(false))).text();
    assert.equal(isJson(text), false);
  });

  it('slow-headers holds the response headers for --stall-ms', async () => {
    await setFaults('slow-headers=1');
    const t0 = performance.now();
    const res = await postJson(completions(), chatBody(true));
    assert.ok(performance.now() - t0 >= 240);
    await readSse(res);
    await setFaults('none');
  });

  it('a client abort cancels the generation, frees the slot and counts cancelled', async () => {
    await postJson(`${sim.url}/admin/config`, { slots: 1, itl: 50 }).then((r) => r.text());
    const before = sim.stats().cancelled;
    const running = new AbortController();
    const queued = new AbortController();
    const r1 = await postJson(completions(), chatBody(true, 'a'), {}, running.signal);
    const r2 = await postJson(completions(), chatBody(true, 'b'), {}, queued.signal);
    const third = postJson(completions(), chatBody(true, 'c'));
    await waitFor(() => sim.stats().queued === 2, 2000, 'two queued');
    queued.abort();
    await waitFor(() => sim.stats().queued === 1, 2000, 'queued cancel');
    running.abort();
    await waitFor(() => sim.stats().cancelled === before + 2, 2000, 'running cancel');
    // The freed slot goes to the third request at once.
    await waitFor(() => sim.stats().running === 1 && sim.stats().queued === 0, 2000, 'third admitted');
    await Promise.allSettled([r1.text(), r2.text()]);
    await (await third).text();
    await waitFor(() => sim.stats().running === 0, 3000, 'idle');
  });
});

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
