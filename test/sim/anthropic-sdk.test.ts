// Conformance with the official @anthropic-ai/sdk client (1.x): the documented event sequence,
// streamed text equal to the non-streaming message, usage and stop reasons, error classes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { SimServer } from '../../src/sim/server.ts';
import { postJson, readSse, startSim, userMessage, waitFor } from '../helpers/sim-helpers.ts';

describe('@anthropic-ai/sdk against the simulator', () => {
  let sim: SimServer;
  let client: Anthropic;
  before(async () => {
    sim = await startSim({ ttft: '5', itl: '1', 'output-tokens': '40:10', 'api-key': 'ant-test-key', seed: '11' });
    client = new Anthropic({ baseURL: sim.url, apiKey: 'ant-test-key', maxRetries: 0 });
  });
  after(() => sim.close());

  it('streams the documented event sequence; text equals the non-streaming message', async () => {
    const prompt = 'Explain backpressure.';
    const types: string[] = [];
    let text = '';
    const stream = await client.messages.create({ model: 'claude-sim', max_tokens: 1000, messages: userMessage(prompt), stream: true });
    let outputTokens = -1;
    let stopReason: string | null = null;
    for await (const event of stream) {
      if (types[types.length - 1] !== event.type) types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') {
        outputTokens = event.usage.output_tokens;
        stopReason = event.delta.stop_reason;
      }
    }
    // (The SDK drops ping events; the raw sequence is checked below.)
    assert.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    assert.equal(stopReason, 'end_turn');
    const full = await client.messages.create({ model: 'claude-sim', max_tokens: 1000, messages: userMessage(prompt) });
    assert.equal(full.type, 'message');
    assert.equal(full.role, 'assistant');
    assert.match(full.id, /^msg_/);
    const block = full.content[0];
    assert.equal(block?.type, 'text');
    assert.equal(block.type === 'text' ? block.text : '', text);
    assert.equal(full.stop_reason, 'end_turn');
    assert.equal(full.usage.output_tokens, outputTokens);
    assert.ok(full.usage.input_tokens >= 1);
  });

  it('works with the SDK stream helper and reports max_tokens when capped', async () => {
    const final = await client.messages.stream({ model: 'claude-sim', max_tokens: 4, messages: userMessage('cap me') }).finalMessage();
    assert.equal(final.stop_reason, 'max_tokens');
    assert.equal(final.usage.output_tokens, 4);
    const full = await client.messages.create({ model: 'claude-sim', max_tokens: 4, messages: userMessage('cap me') });
    assert.equal(full.stop_reason, 'max_tokens');
    const a = final.content[0];
    const b = full.content[0];
    assert.equal(a?.type === 'text' ? a.text : 'x', b?.type === 'text' ? b.text : 'y');
  });

  it('sends ping after content_block_start on the wire, and accepts x-api-key', async () => {
    const res = await postJson(
      `${sim.url}/v1/messages`,
      { model: 'm', max_tokens: 5, messages: userMessage('raw'), stream: true },
      { 'x-api-key': 'ant-test-key', 'anthropic-version': '2023-06-01' },
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = await readSse(res);
    const names = events.map((e) => e.event);
    assert.deepEqual(names.slice(0, 3), ['message_start', 'content_block_start', 'ping']);
    assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    for (const e of events) assert.equal((JSON.parse(e.data) as { type: string }).type, e.event);
  });

  it('raises AuthenticationError on a wrong key and BadRequestError without max_tokens', async () => {
    const bad = new Anthropic({ baseURL: sim.url, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(bad.messages.create({ model: 'm', max_tokens: 5, messages: userMessage('x') }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.AuthenticationError);
      assert.equal(err.status, 401);
      assert.deepEqual((err.error as { error: { type: string } }).error.type, 'authentication_error');
      return true;
    });
    const res = await postJson(`${sim.url}/v1/messages`, { model: 'm', messages: userMessage('x') }, { 'x-api-key': 'ant-test-key' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });
});

describe('@anthropic-ai/sdk rate limits', () => {
  let sim: SimServer;
  after(() => sim.close());
  it('raises RateLimitError (with retry-after) when the queue is full', async () => {
    sim = await startSim({ ttft: '300', itl: '0', 'output-tokens': '5', slots: '1', queue: '0' });
    const client = new Anthropic({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
    const first = client.messages.create({ model: 'm', max_tokens: 10, messages: userMessage('a') });
    // The second request must find the one slot taken: wait until the first holds it.
    await waitFor(() => sim.stats().running === 1, 5000, 'the first request in its slot');
    await assert.rejects(client.messages.create({ model: 'm', max_tokens: 10, messages: userMessage('b') }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.RateLimitError);
      assert.equal(err.status, 429);
      assert.ok(Number(err.headers?.get('retry-after')) >= 1);
      assert.equal((err.error as { error: { type: string } }).error.type, 'rate_limit_error');
      return true;
    });
    await first;
    assert.equal(sim.stats().rejectedBy.queueFull, 1);
  });
});
