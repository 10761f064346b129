// Conformance with the official openai client (v6): streaming and not, usage, finish reasons,
// error classes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { SimServer } from '../../src/sim/server.ts';
import { startSim, userMessage } from '../helpers/sim-helpers.ts';

describe('openai SDK against the simulator', () => {
  let sim: SimServer;
  let client: OpenAI;
  before(async () => {
    sim = await startSim({ ttft: '5', itl: '1', 'output-tokens': '40:10', 'api-key': 'sk-test-key', seed: '7' });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-test-key', maxRetries: 0 });
  });
  after(() => sim.close());

  async function streamed(prompt: string, extra: { max_tokens?: number } = {}) {
    const stream = await client.chat.completions.create({
      model: 'gpt-sim', messages: userMessage(prompt), stream: true, stream_options: { include_usage: true }, ...extra,
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    let first = true;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.match(chunk.id, /^chatcmpl-/);
      assert.equal(chunk.model, 'gpt-sim');
      if (first) {
        assert.equal(chunk.choices[0]?.delta.role, 'assistant');
        first = false;
      }
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        chunks += 1;
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) {
        assert.equal(chunk.choices.length, 0, 'the usage chunk has empty choices');
        usage = chunk.usage;
      } else {
        assert.equal(chunk.usage, null, 'with include_usage the other chunks carry usage: null');
      }
    }
    return { text, finish, usage, chunks };
  }

  it('streams text equal to the non-streaming text, with usage and finish_reason stop', async () => {
    const prompt = 'Tell me about queueing.';
    const s = await streamed(prompt);
    const full = await client.chat.completions.create({ model: 'gpt-sim', messages: userMessage(prompt) });
    assert.equal(full.object, 'chat.completion');
    const message = full.choices[0]?.message;
    assert.equal(message?.role, 'assistant');
    assert.equal(message?.content, s.text);
    assert.ok(s.text.length > 0);
    assert.equal(s.finish, 'stop');
    assert.equal(full.choices[0]?.finish_reason, 'stop');
    assert.ok(s.usage);
    assert.equal(s.usage.completion_tokens, s.chunks, 'one token per content chunk');
    assert.deepEqual(
      { p: full.usage?.prompt_tokens, c: full.usage?.completion_tokens, t: full.usage?.total_tokens },
      { p: s.usage.prompt_tokens, c: s.usage.completion_tokens, t: s.usage.prompt_tokens + s.usage.completion_tokens },
    );
  });

  it('caps at max_tokens / max_completion_tokens with finish_reason length', async () => {
    const prompt = 'A long answer please.';
    const s = await streamed(prompt, { max_tokens: 3 });
    assert.equal(s.finish, 'length');
    assert.equal(s.usage?.completion_tokens, 3);
    assert.equal(s.chunks, 3);
    const full = await client.chat.completions.create({ model: 'gpt-sim', messages: userMessage(prompt), max_completion_tokens: 3 });
    assert.equal(full.choices[0]?.finish_reason, 'length');
    assert.equal(full.usage?.completion_tokens, 3);
    assert.equal(full.choices[0]?.message.content, s.text);
    // A capped answer is a prefix of the uncapped one.
    const uncapped = await client.chat.completions.create({ model: 'gpt-sim', messages: userMessage(prompt) });
    assert.ok(uncapped.choices[0]?.message.content?.startsWith(s.text));
  });

  it('gives different prompts different text, and the same prompt the same text', async () => {
    const a = await client.chat.completions.create({ model: 'gpt-sim', messages: userMessage('one') });
    const b = await client.chat.completions.create({ model: 'gpt-sim', messages: userMessage('two') });
    const a2 = await client.chat.completions.create({ model: 'gpt-sim', messages: userMessage('one') });
    assert.notEqual(a.choices[0]?.message.content, b.choices[0]?.message.content);
    assert.equal(a.choices[0]?.message.content, a2.choices[0]?.message.content);
  });

  it('raises AuthenticationError on a wrong key, with the OpenAI error shape', async () => {
    const bad = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: 'gpt-sim', messages: userMessage('x') }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.AuthenticationError);
      assert.equal(err.status, 401);
      assert.equal(err.code, 'invalid_api_key');
      assert.ok(!err.message.includes('sk-test-key'), 'never echo the key');
      return true;
    });
  });

  it('lists models', async () => {
    const page = await client.models.list();
    assert.ok(page.data.length >= 1);
    assert.equal(page.data[0]?.object, 'model');
  });
});

describe('openai SDK rate limits', () => {
  let sim: SimServer;
  after(() => sim.close());
  it('raises RateLimitError with retry-after when over --rpm', async () => {
    sim = await startSim({ ttft: '1', itl: '0', 'output-tokens': '5', rpm: '2' });
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'none', maxRetries: 0 });
    await client.chat.completions.create({ model: 'm', messages: userMessage('a') });
    await client.chat.completions.create({ model: 'm', messages: userMessage('b') });
    await assert.rejects(client.chat.completions.create({ model: 'm', messages: userMessage('c') }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.equal(err.status, 429);
      assert.equal(err.code, 'rate_limit_exceeded');
      const retryAfter = Number(err.headers?.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 30, `retry-after ${retryAfter}`);
      return true;
    });
    assert.equal(sim.stats().rejectedBy.rateLimit, 1);
  });
});
