import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordOf, type RecordInput } from '../../src/engine/record.ts';
import { Measurement } from '../../src/engine/runner.ts';
import { PaneTail } from '../../src/engine/pane-tail.ts';
import { SecretScrubber } from '../../src/engine/secrets.ts';
import { ModeAccumulator } from '../../src/engine/accumulator.ts';
import { countTokens } from '../../src/engine/wire/tokens.ts';
import type { Mode } from '../../src/engine/types.ts';

/**
 * The reasoning and tool-call metrics (DESIGN.md, "Reasoning and tool calls") from what the
 * runner measured: t0 at 1000, content events stamped by Measurement.addContent.
 */
const T0 = 1000;

function written(mode: Mode = 'stream', tail?: PaneTail): Measurement {
  const m = new Measurement(1, mode, tail);
  m.attempts = 1;
  m.firstT0 = T0;
  m.attemptT0 = T0;
  m.headersAt = T0 + 5;
  m.sawDone = true;
  return m;
}

function rec(m: Measurement, over: Partial<RecordInput> = {}) {
  return recordOf({ id: 1, m, intendedMs: T0, segment: 0, warmup: false, outcome: 'ok', openLoop: false, runStartMs: 0, nowMs: T0 + 5000, ...over });
}

/** Reasoning events at +200, +210, +220; answer events at +230, +240. */
function reasoned(m: Measurement): Measurement {
  m.addContent(T0 + 200, { kind: 'reasoning', text: 'Let me' });
  m.addContent(T0 + 210, { kind: 'reasoning', text: ' think' });
  m.addContent(T0 + 220, { kind: 'reasoning', text: ' hard.' });
  m.addContent(T0 + 230, { kind: 'answer', text: 'Four' });
  m.addContent(T0 + 240, { kind: 'answer', text: '.' });
  return m;
}

test('TTFT is the first token of any kind; TTFR the first reasoning token; TTFO the first answer token', () => {
  const r = rec(reasoned(written()));
  assert.equal(r.ttftMs, 200);
  assert.equal(r.ttfrMs, 200);
  assert.equal(r.ttfoMs, 230);
  assert.equal(r.reasoningMs, 20, 'last reasoning token - first reasoning token');
  assert.equal(r.e2eMs, 240);
  assert.deepEqual(r.itlMs, [10, 10, 10, 10], 'overall ITL: every gap');
  assert.deepEqual(r.reasoningItlMs, [10, 10]);
  assert.deepEqual(r.outputItlMs, [10]);
  assert.equal(r.ttftcMs, undefined);
  assert.equal(r.toolCalls, undefined);
});

test('a model that does not reason: TTFO = TTFT, no reasoning fields, no second copy of the gaps', () => {
  const m = written();
  m.addContent(T0 + 100, { kind: 'answer', text: 'a' });
  m.addContent(T0 + 130, { kind: 'answer', text: 'b' });
  const r = rec(m);
  assert.equal(r.ttfoMs, r.ttftMs);
  assert.equal(r.ttfrMs, undefined);
  assert.equal(r.reasoningMs, undefined);
  assert.equal(r.reasoningTokens, undefined);
  assert.equal(r.reasoningItlMs, undefined);
  assert.equal(r.outputItlMs, undefined);
});

test('usage with reasoning_tokens 0 (OpenAI sends it for every model) is no reasoning: the run says nothing about reasoning', () => {
  const m = written();
  m.addContent(T0 + 100, { kind: 'answer', text: 'a' });
  m.usageOutputTokens = 12;
  m.usageReasoningTokens = 0;
  const r = rec(m);
  assert.equal(r.reasoningTokens, undefined);
  assert.equal(r.outputTokens, 12);
  const acc = new ModeAccumulator();
  acc.add(r);
  assert.equal(acc.n.reasoningRequests, 0);
  acc.dispose();
});

test('reasoning tokens from usage; output tokens exclude them; TPOT divides by every generated token', () => {
  const m = reasoned(written());
  m.usageOutputTokens = 50; // OpenAI completion_tokens: reasoning included
  m.usageReasoningTokens = 30;
  const r = rec(m);
  assert.equal(r.reasoningTokens, 30);
  assert.equal(r.reasoningTokenSource, 'usage');
  assert.equal(r.outputTokens, 20);
  assert.equal(r.tokenSource, 'usage');
  assert.equal(r.tpotMs, (240 - 200) / 49);
});

test('without a server reasoning count, reasoning is counted over its text and taken off usage', () => {
  const m = reasoned(written());
  m.usageOutputTokens = 50; // Anthropic output_tokens: thinking included, never split out
  const r = rec(m);
  const counted = countTokens('Let me think hard.');
  assert.equal(r.reasoningTokens, counted);
  assert.equal(r.reasoningTokenSource, 'tokenizer');
  assert.equal(r.outputTokens, 50 - counted);
});

test('without any usage, the tokenizer counts output and reasoning text apart', () => {
  const r = rec(reasoned(written()));
  assert.equal(r.outputTokens, countTokens('Four.'));
  assert.equal(r.tokenSource, 'tokenizer');
  assert.equal(r.reasoningTokens, countTokens('Let me think hard.'));
});

test('tool calls: count, time to first tool-call token, TTFO, arguments interleaved by index', () => {
  const m = written();
  m.addContent(T0 + 100, { kind: 'reasoning', text: 'need tools' });
  m.addContent(T0 + 150, { kind: 'tool', index: 0, id: 'a', name: 'f', args: '' });
  m.addContent(T0 + 160, { kind: 'tool', index: 1, id: 'b', name: 'g', args: '{"y":' });
  m.addContent(T0 + 170, { pieces: [{ kind: 'tool', index: 0, args: '{"x":1}' }, { kind: 'tool', index: 1, args: '2}' }] });
  const r = rec(m);
  assert.equal(r.toolCalls, 2);
  assert.equal(r.ttftcMs, 150);
  assert.equal(r.ttfoMs, 150, 'a tool call is output');
  assert.equal(r.errorCode, undefined, 'both calls have JSON arguments');
  assert.equal(r.outcome, 'ok');
  assert.equal(r.outputTokens, countTokens('{"x":1}{"y":2}'));
});

test('tool arguments that do not parse: tool_args_invalid, counted, the request still ok', () => {
  const m = written();
  m.addContent(T0 + 100, { kind: 'tool', index: 0, id: 'a', name: 'lookup', args: '{"q": "unterminated' });
  const r = rec(m);
  assert.equal(r.outcome, 'ok');
  assert.equal(r.errorCode, 'tool_args_invalid');
  assert.match(r.errorMessage ?? '', /tool call "lookup" has arguments that are not JSON/);
  assert.doesNotMatch(r.errorMessage ?? '', /unterminated/, 'the arguments themselves stay out of messages');
  const acc = new ModeAccumulator();
  acc.add(r);
  assert.equal(acc.n.toolArgsInvalid, 1);
  assert.equal(acc.n.succeeded, 1);
  assert.equal(acc.n.toolCalls, 1);
  acc.dispose();
  // A failed request keeps its own error; its tool arguments are not judged.
  const failed = rec(m, { outcome: 'failed', error: { code: 'stream_disconnected', message: 'cut' } });
  assert.equal(failed.errorCode, 'stream_disconnected');
});

test('a non-streaming body: one content event, TTFT = TTFO = body time, no ITL of either phase', () => {
  const m = written('nonstream');
  m.addContent(T0 + 900, { pieces: [{ kind: 'reasoning', text: 'hm' }, { kind: 'answer', text: 'yes' }] });
  m.usageOutputTokens = 10;
  m.usageReasoningTokens = 6;
  const r = rec(m);
  assert.equal(r.ttftMs, 900);
  assert.equal(r.ttfrMs, 900);
  assert.equal(r.ttfoMs, 900);
  assert.equal(r.reasoningMs, 0);
  assert.equal(r.reasoningTokens, 6);
  assert.equal(r.outputTokens, 4);
  assert.equal(r.reasoningItlMs, undefined);
});

test('the accumulator: reasoning histograms and counters per mode', () => {
  const acc = new ModeAccumulator();
  const m = reasoned(written());
  m.usageOutputTokens = 50;
  m.usageReasoningTokens = 30;
  acc.add(rec(m));
  const plain = written();
  plain.addContent(T0 + 100, { kind: 'answer', text: 'a' });
  plain.addContent(T0 + 120, { kind: 'answer', text: 'b' });
  acc.add(rec(plain));
  const s = acc.toStats(1000);
  assert.equal(s.reasoningRequests, 1);
  assert.equal(s.reasoningTokens, 30);
  assert.equal(s.ttfo.count, 2);
  assert.equal(s.ttfr.count, 1);
  assert.equal(s.reasoning.p50, 20);
  assert.equal(acc.h.ritl.count, 2);
  assert.equal(acc.h.oitl.count, 2, 'the reasoning request gap of its answer and the plain request gap');
  const back = ModeAccumulator.decode(acc.encode());
  assert.equal(back.h.ttfo.count, 2);
  assert.equal(back.n.reasoningTokens, 30);
  back.dispose();
  acc.dispose();
});

test('the pane: state thinking while reasoning, reasoning tail apart, tool calls as ⚙ name(args', () => {
  const scrubber = new SecretScrubber([]);
  const m = written('stream', new PaneTail(600, scrubber));
  m.addContent(T0 + 100, { kind: 'reasoning', text: 'pondering' });
  assert.equal(m.state, 'thinking');
  assert.equal(m.reasoningTail?.text, 'pondering');
  assert.equal(m.tail?.text, '');
  m.addContent(T0 + 110, { kind: 'answer', text: 'Calling.' });
  assert.equal(m.state, 'streaming');
  m.addContent(T0 + 120, { kind: 'tool', index: 0, name: 'get_weather', args: '' });
  m.addContent(T0 + 130, { kind: 'tool', index: 0, args: '{"city":"Oslo"}' });
  m.addContent(T0 + 140, { kind: 'tool', index: 1, name: 'get_time', args: '{}' });
  assert.equal(m.tail?.text, 'Calling.\n⚙ get_weather({"city":"Oslo"})\n⚙ get_time({}');
});

test('the statistics collector: output-phase gaps through the pending path, like ITL, in run and segment', async () => {
  const { StatsCollector } = await import('../../src/engine/stats.ts');
  const stats = new StatsCollector({ windowSeconds: 5 });
  stats.beginSegment({ startMs: 0, concurrency: 1, streamRatio: 1, reason: 'start' });
  const m = reasoned(written());
  m.usageOutputTokens = 50;
  m.usageReasoningTokens = 30;
  stats.record(rec(m));
  const plain = written();
  plain.addContent(T0 + 100, { kind: 'answer', text: 'a' });
  plain.addContent(T0 + 120, { kind: 'answer', text: 'b' });
  plain.addContent(T0 + 150, { kind: 'answer', text: 'c' });
  stats.record(rec(plain));
  stats.flush();
  for (const acc of [stats.cumulative.stream, stats.segments[0]?.modes.stream]) {
    assert.ok(acc);
    assert.equal(acc.h.itl.count, 4 + 2);
    assert.equal(acc.h.oitl.count, 1 + 2, 'the answer gap of the reasoning request, both gaps of the plain one');
    assert.equal(acc.h.oitl.maxMs, 30);
    assert.equal(acc.h.ritl.count, 2);
  }
  stats.dispose();
});
