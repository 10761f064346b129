import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from 'gpt-tokenizer';
import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { TOKEN_TEXT, answerTextHash, generateTokenIds, tokensToText } from '../../src/sim/text.ts';
import { textHash } from '../../src/sim/text-hash.ts';
import { lognormalFactor, mulberry32 } from '../../src/sim/prng.ts';

describe('generated text', () => {
  it('is deterministic for (seed, prompt hash, length) and differs across seeds', () => {
    assert.deepEqual(generateTokenIds(1, 2, 50), generateTokenIds(1, 2, 50));
    assert.notDeepEqual(generateTokenIds(1, 2, 50), generateTokenIds(3, 2, 50));
    assert.notDeepEqual(generateTokenIds(1, 2, 50), generateTokenIds(1, 4, 50));
  });

  it('reads as English sentences and ends on a full stop', () => {
    const text = tokensToText(generateTokenIds(42, 7, 60));
    assert.match(text, /^[A-Z][a-z]* [a-z]/);
    assert.ok(text.endsWith('.'));
    assert.ok(text.split(' ').length > 30);
  });

  it('has exactly as many GPT tokens (o200k and cl100k) as the simulator reports', () => {
    for (const t of TOKEN_TEXT) assert.equal(encode(t).length, 1, JSON.stringify(t));
    for (let seed = 0; seed < 200; seed++) {
      const n = 1 + ((seed * 37) % 300);
      const text = tokensToText(generateTokenIds(seed, seed * 13, n));
      assert.equal(encode(text).length, n);
      assert.equal(encodeCl100k(text).length, n);
    }
  });
});

describe('answer hash', () => {
  it('equals the hash of the text a client assembles, for any stretch of the tokens', () => {
    const ids = generateTokenIds(9, 77, 500);
    for (const [from, to] of [[0, 500], [0, 1], [37, 412], [499, 500], [10, 10]] as const) {
      assert.equal(answerTextHash(ids, from, to), textHash(tokensToText(ids.subarray(from, to))), `${from}..${to}`);
    }
    assert.notEqual(answerTextHash(ids, 0, 500), answerTextHash(generateTokenIds(9, 78, 500), 0, 500));
  });
});

describe('completions from the sentence pool', () => {
  it('start paragraphs without a space, break paragraphs, and a shorter cap is a prefix', () => {
    const long = tokensToText(generateTokenIds(3, 5, 2000));
    assert.ok(long.includes('.\n\n'), 'paragraph breaks');
    for (const para of long.split('.\n\n').slice(1)) assert.match(para, /^[A-Z]/);
    const a = generateTokenIds(3, 5, 2000);
    const b = generateTokenIds(3, 5, 700);
    assert.deepEqual(Array.from(b.subarray(0, 698)), Array.from(a.subarray(0, 698)));
    const distinct = new Set(Array.from({ length: 50 }, (_, i) => tokensToText(generateTokenIds(3, i, 40))));
    assert.equal(distinct.size, 50, 'different prompts, different answers');
  });
});

describe('lognormal jitter', () => {
  it('has mean 1 and the requested coefficient of variation', () => {
    const rng = mulberry32(5);
    const xs = Array.from({ length: 50_000 }, () => lognormalFactor(rng, 0.5));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    assert.ok(Math.abs(mean - 1) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(sd - 0.5) < 0.03, `cv ${sd}`);
    assert.ok(xs.every((x) => x > 0));
    assert.equal(lognormalFactor(rng, 0), 1);
  });
});
