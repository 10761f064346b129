import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseDecoder, type SseEvent } from '../../src/engine/sse.ts';
import { wireFormat, type ContentPiece, type StreamSignal } from '../../src/engine/wire/index.ts';
import type { Api } from '../../src/engine/types.ts';
import { mulberry32 } from './sse-helpers.ts';

/**
 * Every kind of streamed content in both wire formats, decoded from the bytes up: the stream is
 * cut into network chunks at every position (and at random ones), and whatever the cuts, the
 * assembled reasoning, answer, refusal and tool calls must be the same.
 */

interface Assembled {
  reasoning: string;
  answer: string;
  refusal: string;
  /** By index: id, name, joined arguments. */
  tools: Record<number, { id?: string; name?: string; args: string }>;
  /** Kinds in arrival order, consecutive repeats collapsed: the phases a reader saw. */
  order: string[];
  done: boolean;
}

function assemble(api: Api, chunks: readonly Uint8Array[]): { a: Assembled; interp: ReturnType<ReturnType<typeof wireFormat>['createStreamInterpreter']> } {
  const interp = wireFormat(api).createStreamInterpreter();
  const a: Assembled = { reasoning: '', answer: '', refusal: '', tools: {}, order: [], done: false };
  const take = (p: ContentPiece): void => {
    const last = a.order[a.order.length - 1];
    if (last !== p.kind) a.order.push(p.kind);
    if (p.kind === 'tool') {
      const t = (a.tools[p.index] ??= { args: '' });
      if (p.id !== undefined) t.id = p.id;
      if (p.name !== undefined) t.name = p.name;
      t.args += p.args;
    } else a[p.kind] += p.text;
  };
  const onSignal = (s: StreamSignal): void => {
    switch (s.kind) {
      case 'several':
        for (const p of s.pieces) take(p);
        return;
      case 'reasoning':
      case 'answer':
      case 'refusal':
      case 'tool':
        take(s);
        return;
      case 'done':
        a.done = true;
        return;
      case 'error':
        assert.fail(`unexpected error signal: ${s.message}`);
        return;
      default:
        return;
    }
  };
  const dec = new SseDecoder((ev: SseEvent) => onSignal(interp.onEvent(ev)));
  for (const c of chunks) dec.push(Buffer.from(c));
  dec.end();
  return { a, interp };
}

function sse(events: ReadonlyArray<{ event?: string; data: unknown }>): Uint8Array {
  let s = '';
  for (const ev of events) {
    if (ev.event !== undefined) s += `event: ${ev.event}\n`;
    s += `data: ${typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data)}\n\n`;
  }
  return new TextEncoder().encode(s);
}

/** The stream cut in two at every byte, and into random small pieces. */
function* cuts(bytes: Uint8Array, seed: number): Generator<Uint8Array[]> {
  yield [bytes];
  for (let i = 1; i < bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
  const rand = mulberry32(seed);
  for (let round = 0; round < 50; round++) {
    const parts: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length) {
      const n = 1 + Math.floor(rand() * 12);
      parts.push(bytes.subarray(at, at + n));
      at += n;
    }
    yield parts;
  }
}

function checkEveryCut(api: Api, bytes: Uint8Array, want: Assembled, seed: number): void {
  for (const chunks of cuts(bytes, seed)) {
    const { a } = assemble(api, chunks);
    assert.deepEqual(a, want, `cut into ${chunks.map((c) => c.length).join('+')} bytes`);
  }
}

const oa = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }], ...extra },
});

test('OpenAI: reasoning_content, then answer text, with usage reasoning tokens, split anywhere', () => {
  const bytes = sse([
    oa({ role: 'assistant', content: '' }),
    oa({ reasoning_content: 'Let me think' }),
    oa({ reasoning_content: ' about “this” \\n' }),
    oa({ content: 'The answer', reasoning_content: null }),
    oa({ content: ' is 4.' }),
    { data: { id: 'c1', choices: [], usage: { prompt_tokens: 9, completion_tokens: 40, completion_tokens_details: { reasoning_tokens: 30 } } } },
    { data: '[DONE]' },
  ]);
  checkEveryCut('openai', bytes, { reasoning: 'Let me think about “this” \\n', answer: 'The answer is 4.', refusal: '', tools: {}, order: ['reasoning', 'answer'], done: true }, 1);
  const { interp } = assemble('openai', [bytes]);
  assert.equal(interp.outputTokens, 40);
  assert.equal(interp.reasoningTokens, 30);
  assert.equal(interp.inputTokens, 9);
});

test('OpenAI: delta.reasoning (newer vLLM, OpenRouter) and a refusal', () => {
  const bytes = sse([oa({ reasoning: 'hmm' }), oa({ reasoning: ', no' }), oa({ refusal: "I can't help" }), oa({ refusal: ' with that.' }), { data: '[DONE]' }]);
  checkEveryCut('openai', bytes, { reasoning: 'hmm, no', answer: '', refusal: "I can't help with that.", tools: {}, order: ['reasoning', 'refusal'], done: true }, 2);
});

test('OpenAI: several tool calls interleaved by index, arguments split mid-token', () => {
  const call = (index: number, fn: Record<string, unknown>, id?: string) => ({ index, ...(id ? { id, type: 'function' } : {}), function: fn });
  const bytes = sse([
    oa({ reasoning_content: 'two lookups' }),
    oa({ tool_calls: [call(0, { name: 'get_weather', arguments: '' }, 'call_a')] }),
    oa({ tool_calls: [call(1, { name: 'get_time', arguments: '' }, 'call_b')] }),
    oa({ tool_calls: [call(0, { arguments: '{"ci' })] }),
    oa({ tool_calls: [call(1, { arguments: '{"tz":"Europe/' })] }),
    // Two calls in one delta (parallel tool calls sent together).
    oa({ tool_calls: [call(0, { arguments: 'ty":"Paris"}' }), call(1, { arguments: 'Paris"}' })] }),
    { data: { id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] } },
    { data: '[DONE]' },
  ]);
  checkEveryCut(
    'openai',
    bytes,
    {
      reasoning: 'two lookups',
      answer: '',
      refusal: '',
      tools: {
        0: { id: 'call_a', name: 'get_weather', args: '{"city":"Paris"}' },
        1: { id: 'call_b', name: 'get_time', args: '{"tz":"Europe/Paris"}' },
      },
      order: ['reasoning', 'tool'],
      done: true,
    },
    3,
  );
  const { interp } = assemble('openai', [bytes]);
  assert.equal(interp.finishReason, 'tool_calls');
});

test('OpenAI: one delta with reasoning and answer is one event of several pieces, in reading order', () => {
  const it = wireFormat('openai').createStreamInterpreter();
  const s = it.onEvent({ event: '', data: JSON.stringify(oa({ content: 'A', reasoning_content: 'R' }).data) });
  assert.deepEqual(s, { kind: 'several', pieces: [{ kind: 'reasoning', text: 'R' }, { kind: 'answer', text: 'A' }] });
});

test('OpenAI non-streaming: message.reasoning / reasoning_content / tool_calls / refusal and reasoning usage', () => {
  const body = (message: Record<string, unknown>) => ({
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 4, completion_tokens: 20, completion_tokens_details: { reasoning_tokens: 12 } },
  });
  const wire = wireFormat('openai');
  assert.deepEqual(wire.parseNonStreamBody(body({ reasoning: 'r', content: 'a' })), {
    ok: true,
    pieces: [{ kind: 'reasoning', text: 'r' }, { kind: 'answer', text: 'a' }],
    outputTokens: 20,
    reasoningTokens: 12,
    inputTokens: 4,
    finishReason: 'stop',
  });
  const r = wire.parseNonStreamBody(
    body({
      reasoning_content: 'r',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
        { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
      ],
    }),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.pieces, [
    { kind: 'reasoning', text: 'r' },
    { kind: 'tool', index: 0, id: 'c1', name: 'f', args: '{"x":1}' },
    { kind: 'tool', index: 1, id: 'c2', name: 'g', args: '{}' },
  ]);
  const refused = wire.parseNonStreamBody(body({ content: null, refusal: 'No.' }));
  assert.ok(refused.ok);
  assert.deepEqual(refused.pieces, [{ kind: 'refusal', text: 'No.' }]);
});

const an = (type: string, rest: Record<string, unknown> = {}) => ({ event: type, data: { type, ...rest } });
const start = (index: number, content_block: Record<string, unknown>) => an('content_block_start', { index, content_block });
const delta = (index: number, d: Record<string, unknown>) => an('content_block_delta', { index, delta: d });
const stop = (index: number) => an('content_block_stop', { index });

test('Anthropic: thinking (with signature), text and tool_use blocks, split anywhere', () => {
  const bytes = sse([
    an('message_start', { message: { id: 'msg', usage: { input_tokens: 10, output_tokens: 1 } } }),
    start(0, { type: 'thinking', thinking: '', signature: '' }),
    delta(0, { type: 'thinking_delta', thinking: 'The user wants ' }),
    an('ping'),
    delta(0, { type: 'thinking_delta', thinking: 'the weather.' }),
    delta(0, { type: 'signature_delta', signature: 'EqQBCkgIARABGAIiQL' }),
    stop(0),
    start(1, { type: 'text', text: '' }),
    delta(1, { type: 'text_delta', text: 'Checking ' }),
    delta(1, { type: 'text_delta', text: 'now.' }),
    stop(1),
    start(2, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }),
    delta(2, { type: 'input_json_delta', partial_json: '' }),
    delta(2, { type: 'input_json_delta', partial_json: '{"location": "San' }),
    delta(2, { type: 'input_json_delta', partial_json: ' Francisco"}' }),
    stop(2),
    an('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 90 } }),
    an('message_stop'),
  ]);
  checkEveryCut(
    'anthropic',
    bytes,
    {
      reasoning: 'The user wants the weather.',
      answer: 'Checking now.',
      refusal: '',
      tools: { 2: { id: 'toolu_1', name: 'get_weather', args: '{"location": "San Francisco"}' } },
      order: ['reasoning', 'answer', 'tool'],
      done: true,
    },
    4,
  );
  const { interp } = assemble('anthropic', [bytes]);
  assert.equal(interp.outputTokens, 90);
  assert.equal(interp.reasoningTokens, undefined, 'Anthropic reports no reasoning count');
  assert.equal(interp.finishReason, 'tool_use');
});

test('Anthropic: unusual orders: text first, redacted thinking, interleaved thinking between tool calls', () => {
  const bytes = sse([
    an('message_start', { message: { id: 'msg', usage: { input_tokens: 1 } } }),
    start(0, { type: 'text', text: '' }),
    delta(0, { type: 'text_delta', text: 'Sure.' }),
    stop(0),
    start(1, { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }),
    stop(1),
    start(2, { type: 'tool_use', id: 'toolu_a', name: 'search', input: {} }),
    delta(2, { type: 'input_json_delta', partial_json: '{"q":"a"}' }),
    stop(2),
    start(3, { type: 'thinking', thinking: '' }),
    delta(3, { type: 'thinking_delta', thinking: 'now b' }),
    delta(3, { type: 'signature_delta', signature: 'sig' }),
    stop(3),
    start(4, { type: 'tool_use', id: 'toolu_b', name: 'search', input: {} }),
    delta(4, { type: 'input_json_delta', partial_json: '{"q":' }),
    delta(4, { type: 'input_json_delta', partial_json: '"b"}' }),
    stop(4),
    an('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 50 } }),
    an('message_stop'),
  ]);
  checkEveryCut(
    'anthropic',
    bytes,
    {
      reasoning: 'now b',
      answer: 'Sure.',
      refusal: '',
      tools: { 2: { id: 'toolu_a', name: 'search', args: '{"q":"a"}' }, 4: { id: 'toolu_b', name: 'search', args: '{"q":"b"}' } },
      order: ['answer', 'reasoning', 'tool', 'reasoning', 'tool'],
      done: true,
    },
    5,
  );
});

test('Anthropic: redacted thinking is reasoning without text; an unknown delta takes its block kind', () => {
  const it = wireFormat('anthropic').createStreamInterpreter();
  const on = (ev: { event: string; data: unknown }) => it.onEvent({ event: ev.event, data: JSON.stringify(ev.data) });
  assert.deepEqual(on(start(0, { type: 'redacted_thinking', data: 'xx' })), { kind: 'reasoning', text: '' });
  assert.deepEqual(on(start(1, { type: 'thinking', thinking: '' })), { kind: 'ignore' });
  assert.deepEqual(on(delta(1, { type: 'future_thinking_delta' })), { kind: 'reasoning', text: '' });
  assert.deepEqual(on(start(2, { type: 'tool_use', id: 't', name: 'n', input: {} })), { kind: 'tool', index: 2, id: 't', name: 'n', args: '' });
  assert.deepEqual(on(delta(2, { type: 'future_json_delta' })), { kind: 'tool', index: 2, args: '' });
});

test('Anthropic non-streaming: thinking, redacted thinking, text and tool_use blocks in order', () => {
  const r = wireFormat('anthropic').parseNonStreamBody({
    type: 'message',
    content: [
      { type: 'text', text: 'First' },
      { type: 'thinking', thinking: 'then think', signature: 's' },
      { type: 'redacted_thinking', data: 'x' },
      { type: 'tool_use', id: 'a', name: 'f', input: { k: [1, 2] } },
      { type: 'tool_use', id: 'b', name: 'g', input: {} },
    ],
    usage: { input_tokens: 3, output_tokens: 30 },
    stop_reason: 'tool_use',
  });
  assert.ok(r.ok);
  assert.deepEqual(r.pieces, [
    { kind: 'answer', text: 'First' },
    { kind: 'reasoning', text: 'then think' },
    { kind: 'reasoning', text: '' },
    { kind: 'tool', index: 3, id: 'a', name: 'f', args: '{"k":[1,2]}' },
    { kind: 'tool', index: 4, id: 'b', name: 'g', args: '{}' },
  ]);
  assert.equal(r.outputTokens, 30);
});
