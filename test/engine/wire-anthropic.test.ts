import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SseEvent } from '../../src/engine/sse.ts';
import { wireFormat } from '../../src/engine/wire/index.ts';

const e = (event: string, data: unknown): SseEvent => ({ event, data: typeof data === 'string' ? data : JSON.stringify(data) });
const typed = (type: string, rest: Record<string, unknown> = {}): SseEvent => e(type, { type, ...rest });

test('a typical Anthropic stream', () => {
  const it = wireFormat('anthropic').createStreamInterpreter();
  const seq: Array<[SseEvent, unknown]> = [
    [typed('message_start', { message: { id: 'msg_1', usage: { input_tokens: 25, output_tokens: 1 } } }), { kind: 'ignore' }],
    [typed('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }), { kind: 'ignore' }],
    [typed('ping'), { kind: 'ignore' }],
    [typed('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello' } }), { kind: 'answer', text: 'Hello' }],
    [typed('content_block_delta', { index: 0, delta: { type: 'text_delta', text: '' } }), { kind: 'ignore' }],
    [typed('content_block_stop', { index: 0 }), { kind: 'ignore' }],
    [typed('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } }), { kind: 'usage', outputTokens: 15 }],
    [typed('message_stop'), { kind: 'done' }],
  ];
  for (const [ev, want] of seq) assert.deepEqual(it.onEvent(ev), want, ev.data);
  assert.equal(it.inputTokens, 25);
  assert.equal(it.outputTokens, 15);
  assert.equal(it.finishReason, 'end_turn');
});

test('thinking, tool input and other deltas', () => {
  const it = wireFormat('anthropic').createStreamInterpreter();
  const d = (delta: Record<string, unknown>) => it.onEvent(typed('content_block_delta', { index: 0, delta }));
  assert.deepEqual(d({ type: 'thinking_delta', thinking: 'Let me' }), { kind: 'reasoning', text: 'Let me' });
  assert.deepEqual(d({ type: 'signature_delta', signature: 'EqQB' }), { kind: 'ignore' });
  assert.deepEqual(d({ type: 'input_json_delta', partial_json: '{"loc' }), { kind: 'tool', index: 0, args: '{"loc' });
  assert.deepEqual(d({ type: 'input_json_delta', partial_json: '' }), { kind: 'ignore' });
  assert.deepEqual(d({ type: 'citations_delta', citation: {} }), { kind: 'ignore' });
  assert.deepEqual(d({ type: 'some_future_delta' }), { kind: 'answer', text: '' });
});

test('the JSON type wins; the event name is the fallback', () => {
  const it = wireFormat('anthropic').createStreamInterpreter();
  assert.deepEqual(it.onEvent(e('', { type: 'content_block_delta', delta: { type: 'text_delta', text: 'x' } })), { kind: 'answer', text: 'x' });
  assert.deepEqual(it.onEvent(e('message_stop', {})), { kind: 'done' });
  assert.deepEqual(it.onEvent(typed('some_new_event')), { kind: 'ignore' });
});

test('errors in the middle of an Anthropic stream', () => {
  const it = wireFormat('anthropic').createStreamInterpreter();
  assert.deepEqual(it.onEvent(e('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })), {
    kind: 'error',
    code: 'stream_error_event',
    message: 'overloaded_error: Overloaded',
  });
  assert.deepEqual(it.onEvent(e('error', 'not json')), { kind: 'error', code: 'stream_error_event', message: 'not json' });
  const bad = it.onEvent(e('content_block_delta', '{"type":"content_block_delta","delta":'));
  assert.equal(bad.kind === 'error' && bad.code, 'sse_malformed');
  assert.deepEqual(it.onEvent(e('', { error: { message: 'gateway says no' } })).kind, 'error');
});

test('non-streaming Anthropic bodies', () => {
  const ok = wireFormat('anthropic').parseNonStreamBody({
    type: 'message',
    content: [
      { type: 'thinking', thinking: 'hm. ' },
      { type: 'text', text: 'Hi' },
      { type: 'text', text: ' there' },
      { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } },
    ],
    stop_reason: 'end_turn',
    usage: { input_tokens: 10, output_tokens: 4 },
  });
  assert.deepEqual(ok, {
    ok: true,
    pieces: [
      { kind: 'reasoning', text: 'hm. ' },
      { kind: 'answer', text: 'Hi' },
      { kind: 'answer', text: ' there' },
      { kind: 'tool', index: 3, id: 't', name: 'f', args: '{"a":1}' },
    ],
    outputTokens: 4,
    inputTokens: 10,
    finishReason: 'end_turn',
  });
  assert.deepEqual(wireFormat('anthropic').parseNonStreamBody({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }), {
    ok: false,
    code: 'stream_error_event',
    message: 'rate_limit_error: slow down',
  });
  assert.equal(wireFormat('anthropic').parseNonStreamBody({ type: 'message' }).ok, false);
  assert.equal(wireFormat('anthropic').parseNonStreamBody([]).ok, false);
});
