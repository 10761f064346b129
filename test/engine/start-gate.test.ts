import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import type { RequestRecord } from '../../src/engine/types.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { pacedOpenAiStream, startScriptedServer } from '../helpers/scripted-server.ts';
import { waitFor } from '../helpers/sim-helpers.ts';

test('a start gate holds each request (slot taken, nothing sent) until it opens; a stop while held cancels it unsent', async () => {
  const server = await startScriptedServer(pacedOpenAiStream({ ttftMs: 1, gapMs: 1, tokens: 2 }));
  const opens = new Map<number, (go: boolean) => void>();
  const records: RequestRecord[] = [];
  const engine = new Engine(testConfig(server.url, { load: { concurrency: 2, requests: 4 } }), {
    startGate: (id) => new Promise((resolve) => opens.set(id, resolve)),
    onRecord: (r) => records.push(r),
  });
  try {
    await engine.start();
    await waitFor(() => opens.size === 2, 5000, 'two requests at the gate');
    assert.equal(server.requests, 0, 'nothing is written while the gate is shut');
    assert.equal(engine.snapshot().inFlight, 2);
    opens.get(1)?.(true);
    await waitFor(() => records.length === 1 && opens.has(3), 5000, 'request 1 done, 3 at the gate');
    assert.equal(server.requests, 1);
    assert.equal(records[0]?.outcome, 'ok');
    // Told not to send: recorded as cancelled, never written.
    opens.get(2)?.(false);
    await waitFor(() => records.length === 2, 5000, 'request 2 recorded');
    assert.equal(records[1]?.outcome, 'cancelled');
    assert.equal(server.requests, 1);
    // Stopped while held: the wait ends, the request is cancelled unsent.
    await engine.stop();
    const last = records.find((r) => r.id === 3);
    assert.equal(last?.outcome, 'cancelled');
    assert.equal(server.requests, 1);
  } finally {
    engine.dispose();
    await server.close();
  }
});
