import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { encodeRequest, isJsonPlain } from '../../src/engine/request-body.ts';
import { packPrompts, promptAt } from '../../src/engine/packed-prompts.ts';
import { buildSyntheticPacked } from '../../src/engine/synthetic.ts';
import { wireFormat } from '../../src/engine/wire/index.ts';
import type { BuildRequestInput, WireFormat } from '../../src/engine/wire/index.ts';

const base = (api: 'openai' | 'anthropic'): Omit<BuildRequestInput, 'messages'> => ({
  baseUrl: api === 'openai' ? 'http://127.0.0.1:1/v1' : 'http://127.0.0.1:1',
  model: 'm',
  stream: true,
  requestId: 'st-x-1',
  maxTokens: 64,
  extraBody: { temperature: 0 },
});

/** The wire format, noting the last message's text of every body it builds: placeholders mean the splice was taken. */
function watched(api: 'openai' | 'anthropic'): { wire: WireFormat; spliced: () => number } {
  const wire = wireFormat(api);
  let n = 0;
  return {
    wire: {
      ...wire,
      buildRequest(input) {
        if (input.messages.at(-1)?.content.startsWith('\u0000streamtop-') === true) n++;
        return wire.buildRequest(input);
      },
    },
    spliced: () => n,
  };
}

for (const api of ['openai', 'anthropic'] as const) {
  test(`${api}: a packed prompt's bytes spliced into the body give the same bytes as encoding its text (with and without a shared prefix)`, () => {
    const plainWire = wireFormat(api);
    const { wire, spliced } = watched(api);
    const packed = buildSyntheticPacked({
      input: { kind: 'uniform', min: 100, max: 600 },
      prefix: { tokens: 60, groups: 2, ratio: 0.5 },
      system: 'Be brief.',
      count: 40,
      seed: 4,
    });
    let marked = 0;
    for (let i = 0; i < 40; i++) {
      const p = promptAt(packed, i);
      assert.ok(p.lastText !== undefined, 'corpus text needs no escaping');
      const input = { ...base(api), messages: p.messages };
      const plain = encodeRequest(plainWire, input);
      const fast = encodeRequest(wire, input, p.lastText);
      assert.equal(fast.body.toString('utf8'), plain.body.toString('utf8'), `prompt ${i}`);
      assert.deepEqual(fast.headers, plain.headers);
      assert.equal(fast.url.href, plain.url.href);
      if (p.messages.at(-1)?.cachePrefixChars !== undefined) marked++;
    }
    assert.ok(marked > 5 && marked < 35, `some prompts carry the shared prefix (${marked})`);
    assert.equal(spliced(), 40, 'every prompt, with a prefix or without, took the splice');
  });

  test(`${api}: a cache-marked prompt with non-ASCII text splits at the prefix's byte offset; a mark over the whole text is encoded from the text`, () => {
    const plainWire = wireFormat(api);
    const { wire, spliced } = watched(api);
    const content = 'préfixe partagé · then the rest, naïve';
    const text = Buffer.from(content, 'utf8');
    for (const [cut, fast] of [[8, true], [1, true], [content.length - 1, true], [content.length, false]] as const) {
      const before = spliced();
      const input = { ...base(api), messages: [{ role: 'user' as const, content, cachePrefixChars: cut }] };
      assert.equal(encodeRequest(wire, input, text).body.toString('utf8'), encodeRequest(plainWire, input).body.toString('utf8'), `cut ${cut}`);
      assert.equal(spliced() - before, fast ? 1 : 0, `cut ${cut}: ${fast ? 'spliced' : 'encoded from the text'}`);
    }
  });
}

test('text that JSON must escape is not sent as bytes: quotes, backslashes, control characters, surrogates', () => {
  for (const t of ['say "hi"', 'a\\b', 'line\nbreak', 'tab\there', '\u0000', 'emoji \ud83d\ude00']) assert.equal(isJsonPlain(t), false, JSON.stringify(t));
  for (const t of ['plain words.', 'accents: café, naïve', 'symbols <>&{}[]']) assert.equal(isJsonPlain(t), true, t);
  const packed = packPrompts(2, (i) => ({ content: i === 0 ? 'a "quoted" word' : 'plain', prefixChars: 0, inputTokens: 3 }), { withOutputs: false });
  assert.equal(promptAt(packed, 0).lastText, undefined);
  assert.equal(Buffer.from(promptAt(packed, 1).lastText ?? new Uint8Array()).toString(), 'plain');
});

test('the placeholder is used only where the text goes: a body field holding the same text is kept as given', () => {
  const wire = wireFormat('openai');
  const text = Buffer.from('\u0000streamtop-prompt\u0000');
  const input = { ...base('openai'), messages: [{ role: 'user' as const, content: 'hello' }], extraBody: { note: '\u0000streamtop-prompt\u0000' } };
  // The placeholder appears twice (the field and the message): the body is built from the text.
  const out = encodeRequest(wire, input, Buffer.from('hello'));
  assert.equal(out.body.toString('utf8'), encodeRequest(wire, input).body.toString('utf8'));
  assert.ok(text.length > 0);
});
