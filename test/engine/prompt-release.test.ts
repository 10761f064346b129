import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Engine } from '../../src/engine/engine.ts';
import type { Prompt } from '../../src/engine/prompts.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { openAiChunk, openAiUsage, sseHeaders, startScriptedServer } from '../helpers/scripted-server.ts';
import { waitFor } from '../helpers/sim-helpers.ts';

// A fresh context sees the flag, so the test needs no --expose-gc of its own.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let release: () => void = () => undefined;
let held = 0;
const server = await startScriptedServer(async (_req, res) => {
  held++;
  await new Promise<void>((r) => {
    const prev = release;
    release = () => {
      prev();
      r();
    };
  });
  sseHeaders(res);
  res.write(openAiChunk('ok'));
  res.write(openAiUsage(1));
  res.end('data: [DONE]\n\n');
});
after(() => server.close());

test('a prompt is released once its request body is bytes, while the request is still in flight', async () => {
  // Each read of the list makes a new prompt, as a packed set does (promptAt decodes its text per
  // request), so nothing but the engine can hold one.
  const sent: WeakRef<object>[] = [];
  const base: Prompt[] = [{ messages: [{ role: 'user', content: 'x' }], chars: 1, inputTokens: 1 }];
  const prompts = new Proxy(base, {
    get(target, key, receiver) {
      if (key === '0') {
        const message = { role: 'user' as const, content: `${'long prompt text '.repeat(300)}${sent.length}` };
        sent.push(new WeakRef(message));
        return { messages: [message], chars: message.content.length, inputTokens: 900 } satisfies Prompt;
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const outcomes: string[] = [];
  const engine = new Engine(testConfig(server.url, { load: { requests: 4, concurrency: 4 }, workload: { prompts } }), { onRecord: (r) => outcomes.push(r.outcome) });
  await engine.start();
  try {
    await waitFor(() => held === 4, 10_000, 'four requests held by the server');
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      gc();
    }
    assert.equal(sent.length, 4);
    const alive = sent.filter((w) => w.deref() !== undefined).length;
    // An async function keeps its parameters through its awaits: a prompt passed to one that
    // awaits the response stays alive (5 KB each at 1,000 tokens, promoted and copied by the GC).
    assert.equal(alive, 0, `${alive} of 4 prompts still held by requests in flight`);
  } finally {
    release();
    await engine.done;
    engine.dispose();
  }
  assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok'], 'the requests whose prompts were released still completed');
});
