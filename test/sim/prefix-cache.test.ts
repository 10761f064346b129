import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PromptTokenizer } from '../../src/sim/prompt-tokens.ts';
import { BLOCK_TOKENS, PrefixCache } from '../../src/sim/prefix-cache.ts';
import { loadO200k } from '../../src/shared/o200k.ts';
import { buildSyntheticPrompts } from '../../src/engine/synthetic.ts';
import { getJson, postJson, startSim } from '../helpers/sim-helpers.ts';

test('the simulator tokenizes prompts exactly as o200k does, word cuts and memo notwithstanding', () => {
  const enc = loadO200k();
  assert.ok(enc !== null);
  const tok = new PromptTokenizer();
  const texts = [
    ...buildSyntheticPrompts({ input: { kind: 'uniform', min: 10, max: 3000 }, count: 200, seed: 2 }).map((p) => p.messages[0]?.content ?? ''),
    "Hello, world! It's 12:30. Deja vu: x  y\n\nNew para \"quoted\" (paren) a-b c/d 3.14 e.g. I'm fine.\tTab Then",
    'function f(x) { return x * 2; } // code  here\n  indented line',
    'mixed 日本語 text and English 한국어 words, then more English words',
    ` ${'a'.repeat(100)} b`,
    'trailing space ',
    '',
  ];
  for (const t of texts) assert.deepEqual(tok.encode(t), enc.encode(t, { disallowedSpecial: new Set<string>() }), JSON.stringify(t.slice(0, 60)));
});

test('prefix cache: whole blocks of a common prefix hit, least recently used blocks go first, the last token is never served', () => {
  const ids = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
  const cache = new PrefixCache(10 * BLOCK_TOKENS);
  const a = ids(0, 100);
  assert.equal(cache.lookupAndStore(a), 0, 'cold');
  assert.equal(cache.lookupAndStore(a), 96, 'six full blocks of 100 tokens');
  const sharedThenOther = [...a.slice(0, 40), ...ids(5000, 60)];
  assert.equal(cache.lookupAndStore(sharedThenOther), 32, 'two whole blocks in common (the third differs at token 40)');
  assert.equal(cache.lookupAndStore(ids(0, 32)), 31, 'a prompt entirely cached still computes its last token');
  assert.equal(cache.lookupAndStore(a, 20), 16, 'only the cacheable part (an Anthropic mark) is looked up');
  // Filling the cache with other prompts pushes a's blocks out.
  for (let k = 1; k <= 3; k++) cache.lookupAndStore(ids(10_000 * k, 160));
  assert.ok(cache.size <= 10);
  assert.equal(cache.lookupAndStore(a), 0, 'evicted');
  assert.equal(new PrefixCache(0).lookupAndStore(a), 0, '0 = off');
});

test('prefix cache: a prompt\'s deepest blocks go first, so what stays of it is still a prefix that hits', () => {
  const ids = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
  const cache = new PrefixCache(10 * BLOCK_TOKENS);
  const a = ids(0, 6 * BLOCK_TOKENS + 1);
  cache.lookupAndStore(a);
  // Six more blocks make 12 of 10: down to 9 (15/16 of the capacity), three of a's out.
  cache.lookupAndStore(ids(50_000, 6 * BLOCK_TOKENS + 1));
  assert.equal(cache.size, 9);
  assert.equal(cache.lookupAndStore(a), 3 * BLOCK_TOKENS, "a's first three blocks are left (its last three went)");
});

test('prefix cache: segments whose first blocks share a 30-bit key are told apart by the check, and either can go first', () => {
  // Blocks 1455 and 1684 of the sequence 0, 1, 2, ... (16 ids each) hash to the same key.
  const block = (n: number): number[] => [...Array.from({ length: BLOCK_TOKENS }, (_, i) => n * BLOCK_TOKENS + i), 7];
  const [a, b] = [block(1455), block(1684)];
  for (const evictFirst of ['a', 'b'] as const) {
    const cache = new PrefixCache(8 * BLOCK_TOKENS);
    assert.equal(cache.lookupAndStore(a), 0);
    assert.equal(cache.lookupAndStore(b), 0, 'same key, other check: a miss');
    assert.equal(cache.lookupAndStore(a), BLOCK_TOKENS);
    assert.equal(cache.lookupAndStore(b), BLOCK_TOKENS);
    cache.lookupAndStore(Array.from({ length: 6 * BLOCK_TOKENS }, (_, i) => 900_000 + i));
    // The one used last stays: 9 blocks of 8 evicts the older of a and b, then one more block.
    cache.lookupAndStore(evictFirst === 'a' ? b : a);
    cache.lookupAndStore(Array.from({ length: BLOCK_TOKENS + 1 }, (_, i) => 800_000 + i));
    assert.equal(cache.lookupAndStore(a), evictFirst === 'a' ? 0 : BLOCK_TOKENS, `a, ${evictFirst} evicted first`);
    assert.equal(cache.lookupAndStore(b), evictFirst === 'b' ? 0 : BLOCK_TOKENS, `b, ${evictFirst} evicted first`);
  }
});

/**
 * The cache as plainly as it can be said: a set of blocks named by both hashes, in recency order
 * (insertion order), each prompt's blocks used deepest first so that its first block is its most
 * recent, and the oldest dropped first.
 */
class SetPrefixCache {
  private readonly blocks = new Set<string>();
  constructor(private readonly capacity: number) {}
  get size(): number {
    return this.blocks.size;
  }
  lookupAndStore(ids: readonly number[], cacheable = ids.length): number {
    const fullBlocks = Math.floor(Math.min(cacheable, ids.length) / BLOCK_TOKENS);
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    const names: string[] = [];
    for (let b = 0; b < fullBlocks; b++) {
      for (let i = b * BLOCK_TOKENS; i < (b + 1) * BLOCK_TOKENS; i++) {
        h1 = Math.imul(h1 ^ (ids[i] ?? 0), 0x01000193) >>> 0;
        h2 = Math.imul(h2 ^ (ids[i] ?? 0), 0x85ebca6b) >>> 0;
      }
      names.push(`${h1 & 0x3fffffff}:${h2 & 0x3fffffff}`);
    }
    let hits = 0;
    while (hits < names.length && this.blocks.has(names[hits] ?? '')) hits++;
    for (let b = names.length - 1; b >= 0; b--) {
      const name = names[b] ?? '';
      this.blocks.delete(name);
      this.blocks.add(name);
    }
    if (this.blocks.size > this.capacity) {
      let excess = this.blocks.size - Math.floor(this.capacity * (1 - 1 / 16));
      for (const name of this.blocks) {
        if (excess-- <= 0) break;
        this.blocks.delete(name);
      }
    }
    return Math.min(hits * BLOCK_TOKENS, Math.max(0, ids.length - 1));
  }
}

test('prefix cache: the same hits and evictions as a set of blocks in recency order, over 3,000 prompts with shared prefixes', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (const blocks of [40, 300, 5000]) {
    const ours = new PrefixCache(blocks * BLOCK_TOKENS);
    const reference = new SetPrefixCache(blocks);
    // A few prefixes, shared by many prompts, with unique tails: hits, misses, re-use after eviction.
    let served = 0;
    const prefixes = Array.from({ length: 12 }, (_, g) => Array.from({ length: 16 * (1 + rand(40)) + rand(16) }, (_, i) => g * 100_000 + i));
    for (let r = 0; r < 3000; r++) {
      const prefix = prefixes[rand(prefixes.length)] ?? [];
      const cut = rand(4) === 0 ? rand(prefix.length + 1) : prefix.length;
      const prompt = [...prefix.slice(0, cut), ...Array.from({ length: rand(400) }, () => 1_000_000 + rand(50_000))];
      const cacheable = rand(5) === 0 ? rand(prompt.length + 1) : prompt.length;
      const cached = ours.lookupAndStore(Int32Array.from(prompt), cacheable);
      assert.equal(cached, reference.lookupAndStore(prompt, cacheable), `capacity ${blocks}, prompt ${r}`);
      served += cached;
      assert.equal(ours.size, reference.size, `capacity ${blocks}, size after prompt ${r}`);
    }
    assert.ok(served > 0 && ours.size <= blocks, `capacity ${blocks}: ${served} tokens served, ${ours.size} blocks held`);
  }
});

test('prefix cache: recency survives many hits on few blocks (stale entries compacted, the order wrapped round)', () => {
  const ids = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
  const ours = new PrefixCache(8 * BLOCK_TOKENS);
  const reference = new SetPrefixCache(8);
  const both = (prompt: number[]): void => {
    assert.equal(ours.lookupAndStore(Int32Array.from(prompt)), reference.lookupAndStore(prompt), JSON.stringify(prompt.slice(0, 2)));
    assert.equal(ours.size, reference.size);
  };
  // Unique prompts first (evictions move the oldest entry on), then thousands of hits on two
  // short prompts, then unique prompts again: what is evicted depends on the order kept.
  for (let k = 0; k < 300; k++) both(ids(100_000 + k * 1000, 48));
  for (let k = 0; k < 3000; k++) both(k % 3 === 0 ? ids(0, 33) : ids(5000, 40));
  for (let k = 0; k < 6; k++) {
    both(ids(900_000 + k * 1000, 32));
    both(ids(0, 33));
  }
  for (let k = 0; k < 40; k++) both(ids(800_000 + k * 1000, 16 * (1 + (k % 5))));
});

const sim = await startSim({ ttft: '1', itl: '0', 'prefill-per-token': '0', 'output-tokens': '20' });
after(() => sim.close());

interface OpenAiBody {
  usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
  choices: { finish_reason: string }[];
}

test('OpenAI format: exact prompt tokens plus the template, cached tokens in usage, ignore_eos and min_tokens honoured', async () => {
  const enc = loadO200k();
  const [p1, p2] = buildSyntheticPrompts({ input: { kind: 'fixed', n: 1000 }, prefix: { tokens: 800, groups: 1, ratio: 1 }, count: 2, seed: 4 });
  const text1 = p1?.messages[0]?.content ?? '';
  const send = async (content: string, extra: Record<string, unknown>, id: string): Promise<OpenAiBody> => {
    const r = await postJson(`${sim.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content }], ...extra }, { 'x-request-id': id });
    assert.equal(r.status, 200);
    return (await r.json()) as OpenAiBody;
  };
  const first = await send(text1, { max_tokens: 200, ignore_eos: true, min_tokens: 200 }, 'oa-1');
  assert.equal(first.usage.prompt_tokens, (enc?.encode(text1).length ?? 0) + 6, 'o200k count plus 3 template tokens for the message and 3 for the reply');
  assert.equal(first.usage.prompt_tokens, 1006);
  assert.equal(first.usage.completion_tokens, 200, 'ignore_eos: exactly max_tokens');
  assert.equal(first.choices[0]?.finish_reason, 'length');
  assert.equal(first.usage.prompt_tokens_details.cached_tokens, 0);
  const second = await send(p2?.messages[0]?.content ?? '', { max_tokens: 500, min_tokens: 300 }, 'oa-2');
  // Template (2) + 800 prefix tokens in common: 50 whole blocks of 16.
  assert.equal(second.usage.prompt_tokens_details.cached_tokens, 800);
  assert.equal(second.usage.completion_tokens, 300, 'min_tokens raises the natural 20');
  const rec = await getJson<{ cachedTokens: number; promptTokens: number }>(`${sim.url}/admin/requests/oa-2`);
  assert.deepEqual([rec.cachedTokens, rec.promptTokens], [800, 1006]);
  const capped = await send('short question', { max_tokens: 5 }, 'oa-3');
  assert.equal(capped.usage.completion_tokens, 5);
});

test('Anthropic format: the cache is used only up to a cache_control mark, reported as creation then read', async () => {
  const [p1, p2] = buildSyntheticPrompts({ input: { kind: 'fixed', n: 600 }, prefix: { tokens: 500, groups: 1, ratio: 1 }, count: 2, seed: 8 });
  type Usage = { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
  const send = async (content: unknown): Promise<Usage> => {
    const r = await postJson(`${sim.url}/v1/messages`, { model: 'm', max_tokens: 10, messages: [{ role: 'user', content }] });
    assert.equal(r.status, 200);
    return ((await r.json()) as { usage: Usage }).usage;
  };
  const plain = p1?.messages[0]?.content ?? '';
  const unmarked = await send(plain);
  const again = await send(plain);
  assert.deepEqual([again.cache_creation_input_tokens, again.cache_read_input_tokens], [0, 0], 'no mark: no caching at all');
  assert.equal(again.input_tokens, unmarked.input_tokens);
  const blocks = (text: string): unknown[] => {
    const cut = text.indexOf(' ', text.length - 400);
    return [
      { type: 'text', text: text.slice(0, cut), cache_control: { type: 'ephemeral' } },
      { type: 'text', text: text.slice(cut) },
    ];
  };
  const total = unmarked.input_tokens;
  const w = await send(blocks(plain));
  assert.ok(w.cache_creation_input_tokens > 0 && w.cache_read_input_tokens === 0, JSON.stringify(w));
  assert.equal(w.input_tokens + w.cache_creation_input_tokens, total, 'the parts add up to the whole prompt');
  const r = await send(blocks(p2?.messages[0]?.content ?? ''));
  assert.ok(r.cache_read_input_tokens >= 400, JSON.stringify(r));
});
