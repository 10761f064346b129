import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import type { Api, RequestRecord } from '../../src/engine/types.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { spawnSim } from '../helpers/sim-helpers.ts';

/**
 * Tool calls end to end: every answer a tool call (--tool-calls 1), a share of them with arguments
 * cut short (tool-args-invalid). Counted per request and as tool_args_invalid, never a failure.
 */
const sim = await spawnSim({ ttft: '20', itl: '2', 'output-tokens': '10', 'tool-calls': '1', faults: 'tool-args-invalid=0.5', seed: '4' });
after(() => sim.close());

for (const api of ['openai', 'anthropic'] as const satisfies readonly Api[]) {
  test(`${api}: tool calls counted and timed; invalid arguments are tool_args_invalid, not failures`, async () => {
    const records: RequestRecord[] = [];
    const baseUrl = api === 'openai' ? `${sim.url}/v1` : sim.url;
    const engine = new Engine(testConfig(baseUrl, { target: { api }, load: { requests: 24, concurrency: 4, streamRatio: 1 } }), {
      onRecord: (r) => records.push(r),
    });
    await engine.start();
    await engine.done;
    const snap = engine.snapshot();
    engine.dispose();
    assert.equal(records.length, 24);
    let invalid = 0;
    for (const r of records) {
      assert.equal(r.outcome, 'ok', r.errorMessage);
      assert.equal(r.toolCalls, 1);
      assert.equal(r.ttftcMs, r.ttfoMs, 'the tool call is the output');
      assert.equal(r.ttftcMs, r.ttftMs);
      assert.equal(r.outputTokens, 10);
      if (r.errorCode === 'tool_args_invalid') invalid++;
      else assert.equal(r.errorCode, undefined);
    }
    assert.ok(invalid > 0 && invalid < 24, `some but not all invalid: ${invalid}`);
    assert.equal(snap.byMode.stream.toolCalls, 24);
    assert.equal(snap.byMode.stream.failed, 0);
    assert.equal(snap.errors.find((e) => e.code === 'tool_args_invalid')?.count, invalid);
  });
}
