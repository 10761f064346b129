import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SseEvent } from '../../src/engine/sse.ts';
import { wireFormat, type StreamSignal } from '../../src/engine/wire/index.ts';
import { OpenAiStreamInterpreter } from '../../src/engine/wire/openai.ts';
import { mulberry32 } from './sse-helpers.ts';

const HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":';
const chunk = (delta: string, finish = 'null', usage = 'null') => `${HEAD}${delta},"logprobs":null,"finish_reason":${finish}}],"usage":${usage}}`;
const e = (data: string, event = ''): SseEvent => ({ event, data });

test('a typical OpenAI stream: role, content, finish, usage, [DONE]', () => {
  const it = wireFormat('openai').createStreamInterpreter();
  const sig = (d: string) => it.onEvent(e(d));
  assert.deepEqual(sig(chunk('{"role":"assistant","content":"","refusal":null}')), { kind: 'ignore' });
  assert.deepEqual(sig(chunk('{"content":"Hel"}')), { kind: 'answer', text: 'Hel' });
  assert.deepEqual(sig(chunk('{"content":"lo"}')), { kind: 'answer', text: 'lo' });
  assert.deepEqual(sig(chunk('{"content":""}')), { kind: 'ignore' });
  assert.deepEqual(sig(chunk('{}', '"stop"')), { kind: 'ignore' });
  assert.equal(it.finishReason, 'stop');
  assert.deepEqual(sig('{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}'), {
    kind: 'usage',
    outputTokens: 2,
    inputTokens: 9,
  });
  assert.equal(it.outputTokens, 2);
  assert.equal(it.inputTokens, 9);
  assert.deepEqual(sig('[DONE]'), { kind: 'done' });
});

test('reasoning, refusal and tool-call deltas are content of their kind', () => {
  const it = wireFormat('openai').createStreamInterpreter();
  assert.deepEqual(it.onEvent(e(chunk('{"reasoning_content":"think"}'))), { kind: 'reasoning', text: 'think' });
  assert.deepEqual(it.onEvent(e(chunk('{"reasoning":"more"}'))), { kind: 'reasoning', text: 'more' });
  assert.deepEqual(it.onEvent(e(chunk('{"content":null,"reasoning_content":null}'))), { kind: 'ignore' });
  assert.deepEqual(it.onEvent(e(chunk('{"refusal":"I cannot"}'))), { kind: 'refusal', text: 'I cannot' });
  assert.deepEqual(
    it.onEvent(e(chunk('{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}'))),
    { kind: 'tool', index: 0, id: 'call_1', name: 'f', args: '' },
  );
  assert.deepEqual(it.onEvent(e(chunk('{"tool_calls":[{"index":0,"function":{"arguments":"{\\"a\\":"}}]}'))), {
    kind: 'tool',
    index: 0,
    args: '{"a":',
  });
});

test('a chunk with both content and usage returns content and keeps the usage', () => {
  const it = wireFormat('openai').createStreamInterpreter();
  const s = it.onEvent(e(chunk('{"content":"end"}', '"length"', '{"prompt_tokens":3,"completion_tokens":7}')));
  assert.deepEqual(s, { kind: 'answer', text: 'end' });
  assert.equal(it.outputTokens, 7);
  assert.equal(it.finishReason, 'length');
});

test('errors in the middle of a stream', () => {
  const it = wireFormat('openai').createStreamInterpreter();
  const s1 = it.onEvent(e('{"error":{"message":"The server had an error","type":"server_error","code":null}}'));
  assert.deepEqual(s1, { kind: 'error', code: 'stream_error_event', message: 'server_error: The server had an error' });
  const s2 = it.onEvent(e('{"object":"error","message":"context too long","type":"BadRequestError","code":400}'));
  assert.deepEqual(s2, { kind: 'error', code: 'stream_error_event', message: 'BadRequestError: context too long' });
  const s3 = it.onEvent(e('upstream died', 'error'));
  assert.deepEqual(s3, { kind: 'error', code: 'stream_error_event', message: 'upstream died' });
  const s4 = it.onEvent(e('{"choices":[{"delta":'));
  assert.equal(s4.kind, 'error');
  assert.equal(s4.kind === 'error' && s4.code, 'sse_malformed');
  assert.equal(it.onEvent(e('42')).kind, 'error');
  assert.deepEqual(it.onEvent(e('')), { kind: 'ignore' });
});

function randomContent(rand: () => number): string {
  const pieces = ['a', ' the', '"', '\\', '\n', '\t', 'é', '世界', '🚀', '\u2028', '</s>', 'x'.repeat(20), '\u0001', ''];
  let s = '';
  const n = Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) s += pieces[Math.floor(rand() * pieces.length)] as string;
  return s;
}

test('the fast path returns exactly what a full parse does', () => {
  const rand = mulberry32(11);
  const variants = [
    (c: string) => chunk(`{"content":${JSON.stringify(c)}}`),
    (c: string) => chunk(`{"content":${JSON.stringify(c)}}`, '"stop"'),
    (c: string) => chunk(`{"content":${JSON.stringify(c)}}`, 'null', '{"completion_tokens":5}'),
    (c: string) => chunk(`{"content":${JSON.stringify(c)},"reasoning_content":"r"}`),
    (c: string) => chunk(`{"role":"assistant","content":${JSON.stringify(c)}}`),
    (c: string) => `{"id":"other","choices":[{"index":0,"delta":{"content":${JSON.stringify(c)}},"finish_reason":null}]}`,
    (c: string) => `{"error":{"message":"x"},"choices":[{"index":0,"delta":{"content":${JSON.stringify(c)}},"finish_reason":null}]}`,
    (c: string) => `${HEAD}{"content":${JSON.stringify(c)}},"finish_reason":null},{"index":1,"delta":{"content":"b"},"finish_reason":null}]}`,
    // Corrupted template text around a valid literal, and broken literals.
    (c: string) => chunk(`{"content":${JSON.stringify(c)}}`).replace('"usage":null', '"usage":{"completion_tokens":1}'),
    () => chunk('{"content":"a"b"}'),
    () => chunk('{"content":"bad \\x escape"}'),
    () => chunk('{"content":"unterminated}'),
  ];
  for (let round = 0; round < 20; round++) {
    const fast = new OpenAiStreamInterpreter();
    const slow = new OpenAiStreamInterpreter({ fastPath: false });
    for (let k = 0; k < 300; k++) {
      const c = randomContent(rand);
      // Mostly plain chunks (the template path), with the other variants mixed in.
      const pick = rand() < 0.6 ? 0 : Math.floor(rand() * variants.length);
      const data = (variants[pick] as (c: string) => string)(c);
      const a: StreamSignal = fast.onEvent(e(data));
      const b: StreamSignal = slow.onEvent(e(data));
      assert.deepEqual(a, b, `variant ${pick}: ${data}`);
      assert.equal(fast.outputTokens, slow.outputTokens);
      assert.equal(fast.finishReason, slow.finishReason);
    }
  }
});

test('non-streaming OpenAI bodies', () => {
  const ok = wireFormat('openai').parseNonStreamBody({
    id: 'x',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', reasoning_content: 'hmm ' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 3 },
  });
  assert.deepEqual(ok, {
    ok: true,
    pieces: [
      { kind: 'reasoning', text: 'hmm ' },
      { kind: 'answer', text: 'Hello' },
    ],
    outputTokens: 3,
    inputTokens: 5,
    finishReason: 'stop',
  });
  const tools = wireFormat('openai').parseNonStreamBody({
    choices: [{ message: { content: null, tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }] } }],
  });
  assert.deepEqual(tools, { ok: true, pieces: [{ kind: 'tool', index: 0, name: 'f', args: '{"a":1}' }] });
  assert.deepEqual(wireFormat('openai').parseNonStreamBody({ error: { message: 'nope', type: 'invalid_request_error' } }), {
    ok: false,
    code: 'stream_error_event',
    message: 'invalid_request_error: nope',
  });
  assert.equal(wireFormat('openai').parseNonStreamBody({ choices: [] }).ok, false);
  assert.equal(wireFormat('openai').parseNonStreamBody('text').ok, false);
  assert.equal(wireFormat('openai').parseNonStreamBody(null).ok, false);
  const r = wireFormat('openai').parseNonStreamBody({ choices: [{ message: {} }] });
  assert.deepEqual(r, { ok: true, pieces: [] });
});

test('after one full parse, plain content chunks of the same stream skip JSON.parse', () => {
  const it = new OpenAiStreamInterpreter();
  it.onEvent(e(chunk('{"content":"first"}')));
  const original = JSON.parse;
  let calls = 0;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    calls++;
    return original(text, reviver);
  }) as typeof JSON.parse;
  try {
    for (const w of [' a', ' b', 'é', ' token']) assert.deepEqual(it.onEvent(e(chunk(`{"content":${JSON.stringify(w)}}`))), { kind: 'answer', text: w });
    assert.equal(calls, 0);
    // Escapes and long content go through JSON.parse of the literal only.
    assert.deepEqual(it.onEvent(e(chunk('{"content":"a\\nb"}'))), { kind: 'answer', text: 'a\nb' });
    assert.equal(calls, 1);
  } finally {
    JSON.parse = original;
  }
});
