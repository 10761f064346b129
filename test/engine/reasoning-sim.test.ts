import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import type { Api, RequestRecord } from '../../src/engine/types.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { spawnSim } from '../helpers/sim-helpers.ts';

/**
 * The reasoning metrics end to end, against the simulator in its own process (so its work does not
 * show up as client latency): --ttft 200 --reasoning-tokens 50 --itl 10 at c=10 gives TTFT ≈ 200 ms
 * and TTFO ≈ 200 + 50 × 10 ms, 50 reasoning tokens per request, output tokens without them, in
 * both wire formats and for non-streaming requests alike. Bounds are generous (a shared CI
 * machine), but the TTFO - TTFT difference, which no start-up cost enters, is held tight.
 */
const sim = await spawnSim({ ttft: '200', itl: '10', 'reasoning-tokens': '50', 'output-tokens': '20', 'load-factor': '0', slots: '64', seed: '7' });
after(() => sim.close());

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
}

for (const api of ['openai', 'anthropic'] as const satisfies readonly Api[]) {
  test(`${api}: TTFT ≈ 200 ms, TTFO ≈ 700 ms, 50 reasoning tokens, output tokens exclude them`, async () => {
    const records: RequestRecord[] = [];
    const baseUrl = api === 'openai' ? `${sim.url}/v1` : sim.url;
    const engine = new Engine(testConfig(baseUrl, { target: { api }, load: { requests: 30, concurrency: 10, streamRatio: 0.5 } }), {
      onRecord: (r) => records.push(r),
    });
    await engine.start();
    await engine.done;
    engine.dispose();
    assert.equal(records.length, 30);
    const streams = records.filter((r) => r.mode === 'stream');
    const bodies = records.filter((r) => r.mode === 'nonstream');
    assert.ok(streams.length > 0 && bodies.length > 0, 'both modes drawn');
    for (const r of records) {
      assert.equal(r.outcome, 'ok', r.errorMessage);
      assert.equal(r.reasoningTokens, 50);
      assert.equal(r.outputTokens, 20, 'output tokens exclude the reasoning');
      assert.equal(r.tokenSource, 'usage');
      assert.equal(r.errorCode, undefined);
    }
    // OpenAI reports reasoning tokens; Anthropic does not, so they are counted over the thinking.
    for (const r of records) assert.equal(r.reasoningTokenSource, api === 'openai' ? 'usage' : 'tokenizer');
    const ttft = median(streams.map((r) => r.ttftMs ?? NaN));
    const ttfo = median(streams.map((r) => r.ttfoMs ?? NaN));
    // Absolute times shift with a busy machine (a late first token moves both); their difference,
    // the 50 reasoning tokens at 10 ms, does not, since the simulator paces against its schedule.
    assert.ok(ttft >= 199 && ttft < 450, `TTFT p50 ${ttft}`);
    assert.ok(ttfo >= 699 && ttfo < 950, `TTFO p50 ${ttfo}`);
    // The server thinks for 50 tokens at 10 ms on a schedule from its first token's due time, so
    // token 50 is due 500 ms after it and never early. The client's TTFO - TTFT is checked against
    // the server's own write times of tokens 0 and 50: a late write of token 0 shortens both alike
    // (a busy machine did that to whole waves of streams), while a client that stamps either
    // event wrongly is off.
    const res = await fetch(`${sim.url}/admin/requests/lookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: streams.map((r) => r.requestId) }),
    });
    const { records: truth } = (await res.json()) as { records: { id: string; firstTokenDueMs: number; firstReasoningMs: number; firstOutputMs: number }[] };
    assert.equal(truth.length, streams.length);
    const byId = new Map(truth.map((t) => [t.id, t]));
    const due = median(truth.map((t) => t.firstOutputMs - t.firstTokenDueMs));
    assert.ok(due >= 499 && due < 600, `server: token 50 written ${due} ms after token 0 was due (50 reasoning tokens at 10 ms)`);
    const off = median(
      streams.map((r) => {
        const t = byId.get(r.requestId ?? '');
        return (r.ttfoMs ?? NaN) - (r.ttftMs ?? NaN) - ((t?.firstOutputMs ?? NaN) - (t?.firstReasoningMs ?? NaN));
      }),
    );
    assert.ok(Math.abs(off) <= 20, `client TTFO - TTFT against the server's write times of tokens 0 and 50: off by ${off} ms (p50)`);
    for (const r of streams) {
      assert.equal(r.ttfrMs, r.ttftMs, 'the first token is a reasoning token');
      assert.equal(r.reasoningItlMs?.length, 49);
      assert.equal(r.outputItlMs?.length, 19);
    }
    for (const r of bodies) {
      assert.equal(r.ttfoMs, r.ttftMs, 'a body: everything arrives at once');
      assert.ok((r.ttftMs ?? 0) >= 200 + 69 * 10 - 1, `body after every token: ${r.ttftMs}`);
    }
  });
}
