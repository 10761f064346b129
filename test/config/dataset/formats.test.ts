import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, loadDatasetSessions } from '../../../src/config/dataset/index.ts';
import { detectFormat } from '../../../src/config/dataset/detect.ts';
import { TraceText } from '../../../src/config/dataset/mooncake.ts';
import { UsageError } from '../../../src/shared/usage-error.ts';
import { countTokens } from '../../../src/engine/wire/tokens.ts';

/** Issue 14 item 3: the three dataset formats, read from the samples shipped in examples/. */

const JSONL = 'examples/dataset-streamtop.jsonl';
const SHAREGPT = 'examples/dataset-sharegpt.json';
const TRACE = 'examples/trace-mooncake.jsonl';

const dir = mkdtempSync(join(tmpdir(), 'streamtop-dataset-'));
let n = 0;
function file(text: string, ext = 'jsonl'): string {
  const p = join(dir, `d${++n}.${ext}`);
  writeFileSync(p, text);
  return p;
}

function usage(fn: () => unknown, re: RegExp, what: string): void {
  assert.throws(fn, (e: unknown) => e instanceof UsageError && re.test(e.message), what);
}

test('auto detection tells each sample by its content', () => {
  assert.equal(detectFormat(JSONL), 'jsonl');
  assert.equal(detectFormat(SHAREGPT), 'sharegpt');
  assert.equal(detectFormat(TRACE), 'mooncake');
  assert.equal(detectFormat(file('{"conversations": [{"from": "human", "value": "hi"}]}\n')), 'sharegpt', 'ShareGPT one conversation per line');
  assert.equal(detectFormat(file('\uFEFF  {"messages": [{"role": "user", "content": "x"}]}\n')), 'jsonl');
  usage(() => detectFormat(file('{"text": "x", "id": 3}\n')), /:1: cannot tell the format from the first line \(its keys are "text", "id"\).*--dataset-format/, 'unknown keys');
  usage(() => detectFormat(file('')), /the file is empty/, 'empty');
  usage(() => detectFormat(file('hello\n')), /:1: neither a JSON array/, 'not JSON');
});

test('streamtop JSONL: prompts, output_tokens, timestamps; session and turn are not sent, other fields are', () => {
  const d = loadDataset(JSONL, { format: 'auto', seed: 1 });
  assert.equal(d.format, 'jsonl');
  assert.equal(d.lines, 15);
  assert.equal(d.prompts.length, 15);
  assert.deepEqual(d.prompts[0]?.messages, [{ role: 'user', content: 'What is the capital of Australia?' }]);
  assert.equal(d.prompts[0]?.outputTokens, 40);
  assert.equal(d.prompts[0]?.body, undefined, 'timestamp and output_tokens stay out of the body');
  assert.deepEqual(d.prompts[2]?.body, { temperature: 0 });
  assert.equal(d.prompts[2]?.messages[0]?.role, 'system');
  assert.equal(d.prompts[4]?.body, undefined, 'session and turn stay out of the body');
  assert.equal(d.sendAtMs, undefined, 'no send times without --replay');
  const r = loadDataset(JSONL, { format: 'jsonl', seed: 1, replay: { speed: 2 } });
  assert.deepEqual(r.sendAtMs?.slice(0, 3), [0, 60, 125], 'timestamps halved at speed 2');
});

test('ShareGPT: the first human turn is the prompt, the next gpt turn its output length (o200k); empty conversations skipped', () => {
  const d = loadDataset(SHAREGPT, { format: 'auto', seed: 1, system: 'Be brief.' });
  assert.equal(d.format, 'sharegpt');
  assert.equal(d.lines, 11);
  assert.equal(d.skipped, 1, 'the conversation where only the model speaks');
  assert.deepEqual(d.prompts[0]?.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is the capital of Australia?' },
  ]);
  const answer = 'The capital of Australia is Canberra. It was chosen as a compromise between Sydney and Melbourne and purpose-built as the seat of government.';
  assert.equal(d.prompts[0]?.outputTokens, countTokens(answer));
  assert.equal(d.prompts[1]?.messages[0]?.content, 'You are a concise assistant for a bicycle shop.', "the conversation's own system turn wins over --system");
  assert.equal(d.prompts[1]?.messages.length, 2);
  // The same conversations, one per line, read the same.
  const lines = file(
    '{"conversations": [{"from": "user", "value": "A?"}, {"from": "assistant", "value": "B."}]}\n{"conversations": [{"from": "human", "value": "C?"}]}\n',
  );
  const j = loadDataset(lines, { format: 'auto', seed: 1 });
  assert.equal(j.format, 'sharegpt');
  assert.deepEqual(j.prompts.map((p) => [p.messages[0]?.content, p.outputTokens]), [['A?', countTokens('B.')], ['C?', undefined]]);
});

test('Mooncake trace: lengths exact in o200k, output_length the target, timestamps kept', () => {
  const d = loadDataset(TRACE, { format: 'auto', seed: 1, replay: { speed: 1 } });
  assert.equal(d.format, 'mooncake');
  assert.equal(d.lines, 20);
  assert.deepEqual(d.sendAtMs?.slice(0, 4), [0, 40, 95, 150]);
  assert.equal(d.prompts[0]?.outputTokens, 80);
  for (const [i, p] of d.prompts.entries()) {
    const user = p.messages[p.messages.length - 1]?.content ?? '';
    assert.equal(countTokens(user), p.inputTokens, `line ${i + 1}: ${p.inputTokens} tokens asked`);
  }
});

test('Mooncake trace: the same hash_ids give the same text, a block is 512 o200k tokens, different ids differ', () => {
  const trace = file(
    [
      '{"timestamp": 0, "input_length": 1100, "output_length": 5, "hash_ids": [7, 8]}',
      '{"timestamp": 1, "input_length": 1600, "output_length": 5, "hash_ids": [7, 8, 9]}',
      '{"timestamp": 2, "input_length": 1100, "output_length": 5, "hash_ids": [7, 8]}',
      '{"timestamp": 3, "input_length": 600, "output_length": 5, "hash_ids": [9]}',
    ].join('\n'),
  );
  const text = loadDataset(trace, { format: 'mooncake', seed: 3 }).prompts.map((p) => p.messages[0]?.content ?? '');
  const [a, b, c, d] = text as [string, string, string, string];
  const blocks = new TraceText(3);
  const [b7, b8, b9] = [blocks.block(7, 512), blocks.block(8, 512), blocks.block(9, 512)];
  for (const blk of [b7, b8, b9]) assert.equal(countTokens(blk), 512, 'one hash block is exactly 512 o200k tokens');
  assert.ok(a.startsWith(b7 + b8) && b.startsWith(b7 + b8 + b9) && c.startsWith(b7 + b8), 'the same ids give the same text, in order');
  assert.ok(d.startsWith(b9), 'block 9 is the same text wherever it appears');
  assert.notEqual(b7, b8);
  assert.equal(countTokens(b.slice(0, (b7 + b8 + b9).length)), 1536, 'blocks join without merging tokens');
  // A prompt shorter than its blocks cuts the last one: the same id, a shorter text.
  const short = blocks.block(9, 100);
  assert.equal(countTokens(short), 100);
  assert.ok(b9.startsWith(short.slice(0, short.length - 20)), 'a cut block opens like the whole one');
  assert.notEqual(a, c, 'equal hash_ids and lengths still get text of their own after the blocks');
  assert.equal(a.slice(0, 2000), c.slice(0, 2000));
  // The text follows the seed: another run's blocks do not hit this run's cache.
  const seeded = loadDataset(trace, { format: 'mooncake', seed: 4 }).prompts[0]?.messages[0]?.content;
  assert.notEqual(seeded?.slice(0, 100), a.slice(0, 100));
});

test('bad lines are named with the file, line and reason', () => {
  const cases: [string, string, RegExp][] = [
    ['jsonl', '{"prompt": "a"}\n{"prompt": "b", "output_tokens": 0}\n', /:2: "output_tokens" is 0; expected a whole number from 1 to/],
    ['jsonl', '{"prompt": "a"}\n\n{"prompt": "b", "timestamp": -5}\n', /:3: "timestamp" is -5; expected milliseconds from the start/],
    ['jsonl', '{"prompt": "a", "turn": 2}\n', /:1: "turn" needs a "session"/],
    ['jsonl', '{"prompt": "a", "model": "x"}\n', /:1: "model" is set by streamtop/],
    ['jsonl', '{"prompt": "a"}\n{not json\n', /:2: not valid JSON/],
    ['mooncake', '{"timestamp": 0, "input_length": 100, "hash_ids": [1]}\n{"timestamp": 5, "input_length": 3000000}\n', /:2: "input_length" is 3000000; expected a whole number from 1 to 2,000,000/],
    ['mooncake', '{"timestamp": 0, "input_length": 600, "hash_ids": [1, 2, 3]}\n', /:1: "hash_ids" lists 3 blocks, but input_length 600 holds 2 blocks of 512 tokens/],
    ['mooncake', '{"timestamp": 0, "input_length": 600, "hash_ids": [1.5]}\n', /:1: hash_ids\[0\] is 1.5; expected a whole number/],
    ['mooncake', '{"timestamp": 0, "output_length": 6}\n', /:1: needs "input_length"/],
    ['sharegpt', '[\n{"conversations": [{"from": "human", "value": "a"}]},\n{"conversations": [{"from": "robot", "value": "b"}]}\n]\n', /:3 \(conversation 2\): conversations\[0\] is from "robot"/],
    ['sharegpt', '[\n{"conversations": [{"from": "human", "value": "a"}]},\n{"conversations": "x"}\n]', /:3 \(conversation 2\): expected an object with a "conversations" array/],
    ['sharegpt', '[\n{"conversations": [{"from": "human", "value": "a"}]},\n{"conversations": [}\n]', /:3 \(conversation 2\): not valid JSON/],
    ['sharegpt', '[\n{"conversations": [{"from": "human", "value": "a"}]}\n', /:3: not a JSON array: the array is not closed \(no "\]" at the end\)/],
  ];
  for (const [format, text, re] of cases) {
    const f = file(text, format === 'sharegpt' ? 'json' : 'jsonl');
    usage(() => loadDataset(f, { format: format as 'jsonl', seed: 1 }), new RegExp(`--dataset ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${re.source}`), `${format}: ${text}`);
  }
});

test('an empty or unusable dataset is refused up front; a trace over the token budget says how to cut it', () => {
  usage(() => loadDataset(file('\n\n'), { format: 'jsonl', seed: 1 }), /the file has no lines to send/, 'blank lines only');
  usage(() => loadDataset(file('[]', 'json'), { format: 'sharegpt', seed: 1 }), /the file has no lines to send/, 'empty array');
  usage(
    () => loadDataset(file('[{"conversations": []}, {"conversations": [{"from": "gpt", "value": "hi"}]}]', 'json'), { format: 'auto', seed: 1 }),
    /none of its 2 conversations has a user turn to send/,
    'no usable conversation',
  );
  usage(() => loadDataset(SHAREGPT, { format: 'auto', seed: 1, replay: { speed: 1 } }), /--replay needs send times, and a ShareGPT file has none/, 'replay of ShareGPT');
  usage(() => loadDataset(file('{"prompt": "a", "timestamp": 0}\n{"prompt": "b"}\n'), { format: 'auto', seed: 1, replay: { speed: 1 } }), /:2: no "timestamp"; --replay sends each line/, 'missing timestamp');
  usage(
    () => loadDataset(file('{"prompt": "a", "timestamp": 500}\n{"prompt": "b", "timestamp": 200}\n'), { format: 'auto', seed: 1, replay: { speed: 1 } }),
    /:2: timestamp 200 is earlier than 500 on line 1; a trace is replayed in the order it was recorded.*sort the file by timestamp/,
    'unsorted',
  );
  const big = file(Array.from({ length: 11 }, (_, i) => `{"timestamp": ${i * 1000}, "input_length": 2000000}`).join('\n'));
  usage(() => loadDataset(big, { format: 'mooncake', seed: 1, replay: { speed: 1 } }), /ask for 22,000,000 prompt tokens, over the 20,000,000 one run builds.*--duration TIME/, 'budget');
  // Only the lines a run sends are built: the first two seconds of the same trace fit.
  const part = loadDataset(big, { format: 'mooncake', seed: 1, replay: { speed: 1, untilMs: 2000 } });
  assert.deepEqual([part.lines, part.prompts.length, part.sendAtMs], [11, 2, [0, 1000]]);
  assert.equal(loadDataset(big, { format: 'mooncake', seed: 1, maxLines: 3 }).prompts.length, 3);
});

test('loadDatasetSessions: ShareGPT conversations with their turns, JSONL lines grouped by session in turn order', () => {
  const s = loadDatasetSessions(SHAREGPT, { format: 'auto' });
  assert.equal(s.format, 'sharegpt');
  assert.equal(s.sessions.length, 11);
  const bike = s.sessions[1];
  assert.equal(bike?.system, 'You are a concise assistant for a bicycle shop.');
  assert.deepEqual(bike?.turns.map((t) => t.user), ['How often should I replace my chain?', 'And the cassette?']);
  assert.match(bike?.turns[1]?.datasetReply ?? '', /^A cassette usually lasts/);
  assert.equal(bike?.turns[1]?.outputTokens, countTokens(bike?.turns[1]?.datasetReply ?? ''));
  assert.equal(s.sessions[5]?.turns.length, 3, 'the translation conversation has three turns');

  const j = loadDatasetSessions(JSONL, { format: 'auto', system: 'Be kind.' });
  assert.equal(j.sessions.length, 13, '12 single lines and one session of three');
  const trip = j.sessions.find((x) => x.id === 'trip');
  assert.deepEqual(trip?.turns.map((t) => [t.user.slice(0, 20), t.outputTokens]), [
    ['I am planning a trip', 120],
    ['And where should I e', 100],
    ['Is a day trip to Sin', 90],
  ]);
  assert.equal(trip?.system, 'Be kind.');
  assert.equal(j.sessions[2]?.system, 'You answer in one word.', "a line's own system message wins over --system");
  assert.deepEqual(j.sessions[5]?.turns[0]?.body, { temperature: 0.2 });
  // Turns out of file order are put in order; a turn given twice is refused with both lines.
  const shuffled = file('{"prompt": "two", "session": 1, "turn": 2}\n{"prompt": "one", "session": 1, "turn": 1}\n');
  assert.deepEqual(loadDatasetSessions(shuffled, { format: 'jsonl' }).sessions[0]?.turns.map((t) => t.user), ['one', 'two']);
  usage(() => loadDatasetSessions(file('{"prompt": "a", "session": "s", "turn": 1}\n{"prompt": "b", "session": "s", "turn": 1}\n'), { format: 'jsonl' }), /:2: session "s" already has turn 1 \(line 1\)/, 'duplicate turn');
  usage(() => loadDatasetSessions(TRACE, { format: 'auto' }), /a Mooncake trace records single requests, not conversations/, 'trace');
});
