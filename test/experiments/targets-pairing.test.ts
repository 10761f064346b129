import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import { builtinPrompts } from '../../src/engine/prompts.ts';
import { comparePaired, PairLog, sampleOf } from '../../src/report/paired.ts';
import { openAiJson, pacedOpenAiStream, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.ts';
import { testConfig } from '../helpers/engine-config.ts';

/** What a server saw as the k-th request: its prompt and whether it streamed. */
type Seen = Map<number, { prompt: string; stream: boolean }>;

async function recordingServer(ttftMs: number): Promise<{ server: ScriptedServer; seen: Seen }> {
  const seen: Seen = new Map();
  const stream = pacedOpenAiStream({ ttftMs, gapMs: 1, tokens: 3 });
  const server = await startScriptedServer(async (req, res, body) => {
    const parsed = JSON.parse(body) as { stream?: boolean; messages: { content: string }[] };
    const k = Number(/-(\d+)$/.exec(String(req.headers['x-request-id']))?.[1]);
    seen.set(k, { prompt: parsed.messages.map((m) => m.content).join('\n'), stream: parsed.stream === true });
    if (parsed.stream === true) return stream(req, res, body);
    await new Promise((r) => setTimeout(r, ttftMs));
    res.writeHead(200, { 'content-type': 'application/json' }).end(openAiJson('a b c', 3));
  });
  return { server, seen };
}

test('targets with the same seed get the same prompt and mode as their k-th request, whatever their pace and pool', async () => {
  const fast = await recordingServer(2);
  const slow = await recordingServer(15);
  const n = 40;
  const prompts = builtinPrompts();
  const logs = [new PairLog(), new PairLog()];
  const engines = [
    new Engine(testConfig(fast.server.url, { load: { concurrency: 2, requests: n, streamRatio: 0.5, seed: 11 }, workload: { prompts } }), {
      onRecord: (r) => logs[0]?.add(r.id, sampleOf(r)),
    }),
    new Engine(testConfig(slow.server.url, { load: { concurrency: 5, requests: n, streamRatio: 0.5, seed: 11 }, workload: { prompts } }), {
      onRecord: (r) => logs[1]?.add(r.id, sampleOf(r)),
    }),
  ];
  try {
    await Promise.all(engines.map((e) => e.start()));
    await Promise.all(engines.map((e) => e.done));
    assert.equal(fast.seen.size, n);
    assert.equal(slow.seen.size, n);
    const modes = new Set<boolean>();
    const distinctPrompts = new Set<string>();
    for (let k = 1; k <= n; k++) {
      const a = fast.seen.get(k);
      const b = slow.seen.get(k);
      assert.ok(a && b, `request ${k} reached both`);
      assert.deepEqual(b, a, `request ${k}`);
      modes.add(a.stream);
      distinctPrompts.add(a.prompt);
    }
    // The draw really varies, so agreement means something.
    assert.equal(modes.size, 2);
    assert.ok(distinctPrompts.size > 3, `${distinctPrompts.size} distinct prompts`);

    const c = comparePaired(['fast', 'slow'], logs, { seed: 1, iterations: 200 });
    const ttft = c.rows.find((r) => r.metric === 'ttft' && r.mode === 'stream');
    const streams = [...fast.seen.values()].filter((s) => s.stream).length;
    assert.equal(ttft?.pairs, streams);
    // 13 ms more to the first token, seen through the pairs.
    assert.ok(ttft !== undefined && (ttft.diff.p50?.diff ?? 0) > 5, JSON.stringify(ttft?.diff));
    assert.equal(ttft?.withinNoise, false);
    const errors = c.rows.filter((r) => r.metric === 'errorRate');
    assert.deepEqual(errors.map((r) => r.pairs).reduce((a, b) => a + b, 0), n);
  } finally {
    for (const e of engines) e.dispose();
    await fast.server.close();
    await slow.server.close();
  }
});

test('the comparison is seeded: the same logs and seed give the same verdict', () => {
  const logs = [new PairLog(), new PairLog()];
  for (let k = 1; k <= 60; k++) {
    logs[0]?.add(k, { mode: 'stream', failed: false, ttftMs: 100 + (k % 7), e2eMs: 500 + k, tokensPerSec: 50 });
    logs[1]?.add(k, { mode: 'stream', failed: k % 20 === 0, ttftMs: 104 + (k % 5), e2eMs: 500 + k, tokensPerSec: 51 });
  }
  const a = comparePaired(['x', 'y'], logs, { seed: 5, iterations: 300 });
  assert.deepEqual(comparePaired(['x', 'y'], logs, { seed: 5, iterations: 300 }), a);
  assert.equal(a.reference, 'x');
  const err = a.rows.find((r) => r.metric === 'errorRate');
  assert.equal(err?.value.rate, 0.05);
});

test('requests the reference lacks, or cancelled at stop, are not paired', () => {
  const logs = [new PairLog(), new PairLog()];
  for (let k = 1; k <= 20; k++) logs[0]?.add(k, { mode: 'stream', failed: false, ttftMs: 10 });
  for (let k = 5; k <= 30; k++) logs[1]?.add(k, { mode: 'stream', failed: false, ttftMs: 12 });
  const ttft = comparePaired(['a', 'b'], logs, { seed: 1, iterations: 100 }).rows.find((r) => r.metric === 'ttft');
  assert.equal(ttft?.pairs, 16);
  assert.equal(sampleOf({ id: 1, requestId: 'x', mode: 'stream', outcome: 'cancelled', attempts: 1, segment: 0, warmup: false, intendedStartMs: 0, startMs: 0, queueMs: 0, contentEvents: 0, itlMs: [], outputTokens: 0, tokenSource: 'usage', bytesReceived: 0 }), undefined);
});
