// The simulator's reasoning streams, read by the official clients (openai 6.x, @anthropic-ai/sdk
// 1.x) as any application would: they must parse without error, and what they accumulate must
// equal the non-streaming answer and the simulator's own ground truth (/admin/requests).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { SimServer } from '../../src/sim/server.ts';
import { REQUESTED_REASONING_TOKENS } from '../../src/sim/core.ts';
import { getJson, startSim, userMessage, waitFor } from '../helpers/sim-helpers.ts';

interface Truth {
  completionTokens: number;
  reasoningTokens: number;
  tokensSent: number;
  firstReasoningMs: number | null;
  firstOutputMs: number | null;
  firstToolCallMs: number | null;
  tokenMs: number[] | null;
}

async function truthOf(sim: SimServer, id: string): Promise<Truth> {
  let rec: (Truth & { status: string }) | undefined;
  await waitFor(async () => {
    rec = await getJson<Truth & { status: string }>(`${sim.url}/admin/requests/${encodeURIComponent(id)}`);
    return rec.status === 'completed';
  }, 5000, `record ${id} completed`);
  return rec as Truth;
}

const REASONING = 20;

describe('official SDKs read the simulator’s reasoning', () => {
  let sim: SimServer;
  before(async () => {
    sim = await startSim({ ttft: '5', itl: '1', 'output-tokens': '30:5', 'reasoning-tokens': String(REASONING), seed: '3' });
  });
  after(() => sim.close());

  it('openai: reasoning_content deltas before the content, usage reasoning_tokens, same text as the body', async () => {
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const prompt = 'Why is the sky blue?';
    const stream = await client.chat.completions.create(
      { model: 'm', messages: userMessage(prompt), stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-request-id': 'oa-stream-1' } },
    );
    let reasoning = '';
    let content = '';
    const order: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const delta = chunk.choices[0]?.delta as (OpenAI.Chat.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string }) | undefined;
      if (delta?.reasoning_content) {
        reasoning += delta.reasoning_content;
        if (order[order.length - 1] !== 'reasoning') order.push('reasoning');
      }
      if (delta?.content) {
        content += delta.content;
        if (order[order.length - 1] !== 'content') order.push('content');
      }
    }
    assert.deepEqual(order, ['reasoning', 'content']);
    assert.equal(usage?.completion_tokens_details?.reasoning_tokens, REASONING);
    const full = await client.chat.completions.create({ model: 'm', messages: userMessage(prompt) });
    const msg = full.choices[0]?.message as OpenAI.Chat.ChatCompletionMessage & { reasoning_content?: string };
    assert.equal(msg.reasoning_content, reasoning);
    assert.equal(msg.content, content);
    assert.equal(full.usage?.completion_tokens, usage?.completion_tokens);
    const truth = await truthOf(sim, 'oa-stream-1');
    assert.equal(truth.reasoningTokens, REASONING);
    assert.equal(truth.completionTokens, usage?.completion_tokens);
    assert.ok(truth.firstReasoningMs !== null && truth.firstOutputMs !== null);
    assert.equal(truth.firstReasoningMs, truth.tokenMs?.[0]);
    assert.equal(truth.firstOutputMs, truth.tokenMs?.[REASONING]);
    assert.equal(truth.firstToolCallMs, null);
  });

  it('anthropic: a thinking block with its signature, then the text block; equals the non-streaming message', async () => {
    const client = new Anthropic({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
    const prompt = 'Plan a picnic.';
    const final = await client.messages
      .stream({ model: 'claude-sim', max_tokens: 1000, messages: userMessage(prompt) }, { headers: { 'x-request-id': 'an-stream-1' } })
      .finalMessage();
    assert.deepEqual(
      final.content.map((b) => b.type),
      ['thinking', 'text'],
    );
    const [thinking, text] = final.content;
    assert.ok(thinking?.type === 'thinking' && thinking.thinking.length > 0);
    assert.match(thinking.signature, /^EqQB/);
    const full = await client.messages.create({ model: 'claude-sim', max_tokens: 1000, messages: userMessage(prompt) });
    // The signature is per response (as Anthropic's are); everything generated is the same.
    const generated = (c: typeof full.content) => c.map((b) => (b.type === 'thinking' ? { ...b, signature: 'sig' } : b));
    assert.deepEqual(generated(full.content), generated(final.content), 'streamed and whole messages are the same');
    assert.equal(full.usage.output_tokens, final.usage.output_tokens);
    const truth = await truthOf(sim, 'an-stream-1');
    assert.equal(truth.reasoningTokens, REASONING);
    assert.equal(truth.completionTokens, final.usage.output_tokens, 'output_tokens counts thinking too');
    assert.ok(text?.type === 'text' && text.text.length > 0);
  });

  it('anthropic: max_tokens spent on thinking alone still closes the stream properly', async () => {
    const client = new Anthropic({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
    const final = await client.messages.stream({ model: 'claude-sim', max_tokens: 5, messages: userMessage('tiny') }).finalMessage();
    assert.equal(final.stop_reason, 'max_tokens');
    assert.equal(final.usage.output_tokens, 5);
    assert.deepEqual(
      final.content.map((b) => b.type),
      ['thinking', 'text'],
    );
  });
});

describe('a request that asks for reasoning gets it with the flag off', () => {
  let sim: SimServer;
  before(async () => {
    sim = await startSim({ ttft: '5', itl: '0', 'output-tokens': '10', seed: '5' });
  });
  after(() => sim.close());

  it('anthropic thinking and openai reasoning_effort', async () => {
    const anthropic = new Anthropic({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
    const plain = await anthropic.messages.create({ model: 'c', max_tokens: 1000, messages: userMessage('a') });
    assert.deepEqual(plain.content.map((b) => b.type), ['text']);
    const thought = await anthropic.messages.create({
      model: 'c',
      max_tokens: 1000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: userMessage('a'),
    });
    assert.deepEqual(thought.content.map((b) => b.type), ['thinking', 'text']);
    assert.equal(thought.usage.output_tokens, plain.usage.output_tokens + REQUESTED_REASONING_TOKENS);

    const openai = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const r = await openai.chat.completions.create({ model: 'o', reasoning_effort: 'low', messages: userMessage('a') });
    assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, REQUESTED_REASONING_TOKENS);
    const none = await openai.chat.completions.create({ model: 'o', messages: userMessage('a') });
    assert.equal(none.usage?.completion_tokens_details?.reasoning_tokens, 0);
  });
});

describe('official SDKs read the simulator’s tool calls', () => {
  let sim: SimServer;
  before(async () => {
    sim = await startSim({ ttft: '5', itl: '1', 'output-tokens': '12', 'reasoning-tokens': '6', 'tool-calls': '1', seed: '9' });
  });
  after(() => sim.close());

  it('openai: tool-call deltas accumulate to one call with JSON arguments equal to the body', async () => {
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const prompt = 'Look it up.';
    const stream = await client.chat.completions.create(
      { model: 'm', messages: userMessage(prompt), stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-request-id': 'oa-tool-1' } },
    );
    const calls: { id?: string; name?: string; args: string }[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.finish_reason) finish = choice.finish_reason;
      for (const t of choice?.delta.tool_calls ?? []) {
        const c = (calls[t.index] ??= { args: '' });
        if (t.id) c.id = t.id;
        if (t.function?.name) c.name = t.function.name;
        c.args += t.function?.arguments ?? '';
      }
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.name, 'lookup');
    assert.match(calls[0]?.id ?? '', /^call_/);
    const args = JSON.parse(calls[0]?.args ?? '') as { query: string };
    const full = await client.chat.completions.create({ model: 'm', messages: userMessage(prompt) });
    const call = full.choices[0]?.message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.deepEqual(JSON.parse(call.function.arguments), args);
    const truth = await getJson<{ toolCall: boolean; firstToolCallMs: number | null; firstOutputMs: number | null }>(
      `${sim.url}/admin/requests/oa-tool-1`,
    );
    assert.equal(truth.toolCall, true);
    assert.ok(truth.firstToolCallMs !== null);
    assert.equal(truth.firstToolCallMs, truth.firstOutputMs);
  });

  it('anthropic: thinking, then a tool_use block whose streamed input equals the non-streaming one', async () => {
    const client = new Anthropic({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
    const final = await client.messages.stream({ model: 'c', max_tokens: 1000, messages: userMessage('Find it.') }).finalMessage();
    assert.deepEqual(
      final.content.map((b) => b.type),
      ['thinking', 'tool_use'],
    );
    assert.equal(final.stop_reason, 'tool_use');
    const full = await client.messages.create({ model: 'c', max_tokens: 1000, messages: userMessage('Find it.') });
    const a = final.content[1];
    const b = full.content[1];
    assert.ok(a?.type === 'tool_use' && b?.type === 'tool_use');
    assert.equal(a.name, 'lookup');
    assert.deepEqual(a.input, b.input);
  });
});
