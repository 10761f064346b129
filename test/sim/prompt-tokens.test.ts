import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PromptTokenizer, sampleKey, TokenIds } from '../../src/sim/prompt-tokens.ts';
import { AS_TEXT, loadO200k } from '../../src/shared/o200k.ts';
import { buildSyntheticPrompts } from '../../src/engine/synthetic.ts';
import { CORPUS } from '../../src/engine/corpus.ts';

const enc = loadO200k();
const reference = (t: string): number[] => enc?.encode(t, AS_TEXT) ?? [];

/** Encodes every text three times with one tokenizer: cold, on first memo admission, and from the memo. */
function assertExact(texts: readonly string[]): void {
  const tok = new PromptTokenizer();
  for (let pass = 0; pass < 3; pass++) {
    for (const t of texts) assert.deepEqual(tok.encode(t), reference(t), `pass ${pass}: ${JSON.stringify(t.slice(0, 80))}`);
  }
}

test('o200k is loaded (the other tests compare against it)', () => {
  assert.ok(enc !== null);
});

test('the corpus and synthetic prompts count exactly, cold and from the sentence memo', () => {
  const prompts = buildSyntheticPrompts({ input: { kind: 'uniform', min: 8, max: 2500 }, count: 60, seed: 21 }).map((p) => p.messages[0]?.content ?? '');
  assertExact([CORPUS, CORPUS.replace(/\s+/g, ' '), ...prompts]);
});

test('sentence marks, capitals, line breaks and the ends of texts count exactly', () => {
  assertExact([
    'One. Two! Three? Four.',
    'Ends with a mark and a space. ',
    'A. B. C. D',
    'Wait... Really?! Yes. no. NO. Ok.\nNext line. Tab\tafter. "Quoted." Then',
    '. Leading mark. ',
    'x. Y',
    '?',
    'Dr. Smith met Mr. Jones at 3 p.m. Today. ',
    'Mixed. 日本語のテキスト。 Then English. 한국어 문장입니다. And more.',
    'Accents: café. Élan vital! Ärger? Über alles.',
  ]);
});

test('code, CJK, numbers, emoji and long runs under the forced-cut length count exactly', () => {
  assertExact([
    'function f(x) { return x * 2; } // code  here\n  indented line\n\tif (a) {\n    b();\n  }\n',
    'const re = /^[a-z]+$/i; const s = `template ${x}`; x += 1; y -= 2;',
    '日本語の文章です。これはテストです。中文文本测试，包含标点符号！',
    'Numbers 1234567890 3.14159 1e10 0xFF and dates 2026-12-05.',
    'Emoji 😀👍🏽 and symbols ©®™ → ← ✓. Flags 🇫🇷.',
    ` ${'a'.repeat(400)} b`,
    `${'ab'.repeat(200)}. Next`,
    `spaces${' '.repeat(50)}then words`,
    `lines${'\n'.repeat(30)}After`,
    'base64 QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=QUJDREVGR0hJSktMTU5PUFFS.',
    '=====  ------  ......  !!!!!! ?????',
  ]);
});

test('special-token strings are plain text', () => {
  assertExact(['<|endoftext|> and <|im_start|>user<|im_sep|>Hi<|im_end|>. Then <|fim_prefix|>x<|fim_suffix|>.', 'A sentence. <|endoftext|> Another.']);
});

test('sentences that share a memo key still count exactly (the key is confirmed against the text)', () => {
  const base = 'Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma.';
  // Variants that differ from base only at characters the key does not sample: same key.
  const variants: string[] = [];
  for (let at = 1; at < base.length - 1 && variants.length < 20; at++) {
    const v = `${base.slice(0, at)}${base[at] === 'q' ? 'z' : 'q'}${base.slice(at + 1)}`;
    if (sampleKey(v, 0, v.length) === sampleKey(base, 0, base.length)) variants.push(v);
  }
  assert.ok(variants.length >= 10, `${variants.length} clashing variants`);
  // Each alternates with base (both enter the memo under the one key) and must stay exact.
  assertExact(variants.flatMap((v) => [`Lead words here. ${v} Tail words.`, `Lead words here. ${base} Tail words.`]));
});

test('runs over a remembered text stop where a new text stops matching it, or stops cutting where it cut', () => {
  const sentences = ['Alpha one.', 'Bravo two!', 'Charlie three?', 'Delta four.', 'Echo five.', 'Foxtrot six.', 'Golf seven.', 'Hotel eight.'];
  const whole = sentences.join(' ');
  const variants = [
    whole,
    sentences.slice(2, 6).join(' '),
    // The run must not end where the text goes on without a cut: ".Foxtrot" is one o200k piece.
    whole.replace('Echo five. Foxtrot', 'Echo five.Foxtrot'),
    `${sentences.slice(0, 5).join(' ')}.Xylophone`,
    `${sentences.slice(0, 5).join(' ')} 42 more`,
    `${sentences.slice(0, 6).join(' ')} (aside) and more.`,
    `${sentences.slice(0, 5).join(' ')} delta`,
    whole.replace('Delta four. Echo', 'Delta four. echo'), // no cut there any more: "Delta four. echo five." is one sentence
    whole.replace('Echo five.', 'Echo fiv3.'),
    whole.slice(0, whole.length - 4),
    `Lead. ${whole} Tail words here.`,
    `${whole} ${whole}`,
    whole.replace('Golf seven.', 'Golf seven. '),
    `${sentences.slice(3).join(' ')} ${sentences.slice(0, 3).join(' ')}`,
  ];
  // The first two encodings remember the whole text (second sighting of each sentence); each
  // variant is then encoded three times against it.
  assertExact([whole, whole, ...variants]);
});

test('TokenIds grows past its first capacity and keeps what it held', () => {
  const ids = new TokenIds();
  for (let i = 0; i < 5000; i++) ids.push(i);
  ids.append(Int32Array.from({ length: 10_000 }, (_, i) => 5000 + i));
  ids.appendArray([15_000, 15_001]);
  const v = ids.view();
  assert.equal(v.length, 15_002);
  assert.ok(v.every((x, i) => x === i));
  ids.clear();
  assert.equal(ids.view().length, 0);
  const long = `${CORPUS} ${CORPUS}`;
  const tok = new PromptTokenizer();
  assert.equal(tok.count(long), reference(long).length, 'a text of more than 2,000 tokens');
});
