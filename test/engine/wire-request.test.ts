import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireFormat, type BuildRequestInput } from '../../src/engine/wire/index.ts';
import { anthropicUrl } from '../../src/engine/wire/anthropic.ts';
import { openAiUrl } from '../../src/engine/wire/openai.ts';

const base: BuildRequestInput = {
  baseUrl: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hi' }],
  stream: true,
  apiKey: 'sk-test',
  requestId: 'req-1',
};

test('OpenAI streaming request', () => {
  const r = wireFormat('openai').buildRequest({ ...base, system: 'Be brief', maxTokens: 64 });
  assert.equal(r.url, 'https://api.openai.com/v1/chat/completions');
  assert.deepEqual(r.headers, {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    'accept-encoding': 'identity',
    'x-request-id': 'req-1',
    authorization: 'Bearer sk-test',
  });
  assert.deepEqual(JSON.parse(r.body), {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Be brief' },
      { role: 'user', content: 'Hi' },
    ],
    stream: true,
    max_tokens: 64,
    stream_options: { include_usage: true },
  });
});

test('OpenAI non-streaming request without key or max tokens', () => {
  const { apiKey: _drop, ...noKey } = base;
  const r = wireFormat('openai').buildRequest({ ...noKey, stream: false });
  assert.equal(r.headers.accept, 'application/json');
  assert.equal(r.headers.authorization, undefined);
  const body = JSON.parse(r.body) as Record<string, unknown>;
  assert.equal(body.stream, false);
  assert.equal('stream_options' in body, false);
  assert.equal('max_tokens' in body, false);
});

test('OpenAI URL joining', () => {
  assert.equal(openAiUrl('https://api.openai.com/v1/'), 'https://api.openai.com/v1/chat/completions');
  assert.equal(openAiUrl('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000/v1/chat/completions');
  assert.equal(openAiUrl('http://localhost:8000'), 'http://localhost:8000/v1/chat/completions');
  assert.equal(openAiUrl('https://gw.example/openai/v1'), 'https://gw.example/openai/v1/chat/completions');
  assert.equal(openAiUrl('https://x.example/v1/chat/completions'), 'https://x.example/v1/chat/completions');
  assert.equal(openAiUrl('https://az.example/deploy?api-version=2024-10-21'), 'https://az.example/deploy/chat/completions?api-version=2024-10-21');
  assert.throws(() => openAiUrl('not a url'), /invalid base URL/);
});

test('Anthropic streaming request', () => {
  const r = wireFormat('anthropic').buildRequest({ ...base, baseUrl: 'https://api.anthropic.com', model: 'claude-x', system: 'Sys', apiKey: 'key-1' });
  assert.equal(r.url, 'https://api.anthropic.com/v1/messages');
  assert.deepEqual(r.headers, {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    'accept-encoding': 'identity',
    'anthropic-version': '2023-06-01',
    'x-request-id': 'req-1',
    'x-api-key': 'key-1',
  });
  assert.deepEqual(JSON.parse(r.body), {
    model: 'claude-x',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'Hi' }],
    stream: true,
    system: 'Sys',
  });
});

test('Anthropic: system messages are folded into the top-level system; max_tokens passes through', () => {
  const r = wireFormat('anthropic').buildRequest({
    ...base,
    baseUrl: 'https://api.anthropic.com',
    stream: false,
    maxTokens: 10,
    system: 'A',
    messages: [
      { role: 'system', content: 'B' },
      { role: 'user', content: 'u' },
      { role: 'assistant', content: 'a' },
    ],
  });
  const body = JSON.parse(r.body) as Record<string, unknown>;
  assert.equal(body.system, 'A\n\nB');
  assert.equal(body.max_tokens, 10);
  assert.deepEqual(body.messages, [
    { role: 'user', content: 'u' },
    { role: 'assistant', content: 'a' },
  ]);
  assert.equal(r.headers.accept, 'application/json');
});

test('Anthropic URL joining tolerates /v1 and never doubles it', () => {
  assert.equal(anthropicUrl('https://api.anthropic.com/'), 'https://api.anthropic.com/v1/messages');
  assert.equal(anthropicUrl('https://api.anthropic.com/v1'), 'https://api.anthropic.com/v1/messages');
  assert.equal(anthropicUrl('https://api.anthropic.com/v1/'), 'https://api.anthropic.com/v1/messages');
  assert.equal(anthropicUrl('http://127.0.0.1:9/v1/messages'), 'http://127.0.0.1:9/v1/messages');
  assert.equal(anthropicUrl('https://gw.example/anthropic'), 'https://gw.example/anthropic/v1/messages');
});

test('extra headers override ours case-insensitively, without duplicates', () => {
  const r = wireFormat('anthropic').buildRequest({
    ...base,
    baseUrl: 'https://api.anthropic.com',
    extraHeaders: { 'Anthropic-Version': '2024-01-01', 'X-Custom': 'v' },
  });
  assert.equal(r.headers['anthropic-version'], '2024-01-01');
  assert.equal(r.headers['x-custom'], 'v');
  assert.equal(Object.keys(r.headers).filter((k) => k.toLowerCase() === 'anthropic-version').length, 1);
});

test('item 14: per-request body fields from a --prompts line are sent, and override --max-tokens', () => {
  const o = JSON.parse(wireFormat('openai').buildRequest({ ...base, maxTokens: 64, extraBody: { temperature: 0.2, max_tokens: 8 } }).body) as Record<string, unknown>;
  assert.equal(o.temperature, 0.2);
  assert.equal(o.max_tokens, 8);
  assert.equal(o.model, 'gpt-4o-mini');
  assert.deepEqual(o.stream_options, { include_usage: true });
  const a = JSON.parse(wireFormat('anthropic').buildRequest({ ...base, baseUrl: 'https://api.anthropic.com', extraBody: { temperature: 1, max_tokens: 32 } }).body) as Record<string, unknown>;
  assert.equal(a.temperature, 1);
  assert.equal(a.max_tokens, 32);
});

test('item 14: a base URL with a query string keeps it (Azure api-version), in both formats', () => {
  const azure = 'https://res.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21';
  const o = wireFormat('openai').buildRequest({ ...base, baseUrl: azure });
  assert.equal(o.url, 'https://res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21');
  assert.equal(openAiUrl('https://h/v1/?a=1&b=2'), 'https://h/v1/chat/completions?a=1&b=2');
  assert.equal(anthropicUrl('https://gw.example/anthropic?tenant=t1'), 'https://gw.example/anthropic/v1/messages?tenant=t1');
  const a = wireFormat('anthropic').buildRequest({ ...base, baseUrl: 'https://gw.example/anthropic/v1?tenant=t1' });
  assert.equal(a.url, 'https://gw.example/anthropic/v1/messages?tenant=t1');
});

test('item 14: extra headers replace ours by name (any case); extra body fields are merged', () => {
  const r = wireFormat('openai').buildRequest({
    ...base,
    extraHeaders: { 'api-key': 'k', Authorization: 'Custom x', 'HTTP-Referer': 'https://example.com' },
    extraBody: { temperature: 0, reasoning_effort: 'low' },
  });
  assert.equal(r.headers.authorization, 'Custom x');
  assert.equal(r.headers['api-key'], 'k');
  assert.equal(r.headers['http-referer'], 'https://example.com');
  const body = JSON.parse(r.body) as Record<string, unknown>;
  assert.equal(body.temperature, 0);
  assert.equal(body.reasoning_effort, 'low');
  assert.equal(body.model, 'gpt-4o-mini');
});

test('item 14: a shared prefix is sent to Anthropic as a cache_control text block; OpenAI gets plain text', () => {
  const messages = [{ role: 'user' as const, content: 'PREFIX TEXT rest of it', cachePrefixChars: 11 }];
  const a = JSON.parse(wireFormat('anthropic').buildRequest({ ...base, baseUrl: 'https://api.anthropic.com', messages }).body) as { messages: unknown[] };
  assert.deepEqual(a.messages[0], {
    role: 'user',
    content: [
      { type: 'text', text: 'PREFIX TEXT', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: ' rest of it' },
    ],
  });
  const o = JSON.parse(wireFormat('openai').buildRequest({ ...base, messages }).body) as { messages: unknown[] };
  assert.deepEqual(o.messages[0], { role: 'user', content: 'PREFIX TEXT rest of it' });
});
