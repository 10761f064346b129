import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSyntheticPrompts, MIN_UNIQUE_TOKENS } from '../../src/engine/synthetic.ts';
import { countTokens } from '../../src/engine/wire/tokens.ts';
import { drawLength, describeLength } from '../../src/engine/lengths.ts';
import { Prng } from '../../src/engine/prng.ts';

const userText = (p: { messages: readonly { role: string; content: string }[] }): string => p.messages.find((m) => m.role === 'user')?.content ?? '';

test('1,000 synthetic prompts are within 1 token of their drawn length (o200k) for at least 99 %', () => {
  const prompts = buildSyntheticPrompts({ input: { kind: 'normal', mean: 1000, sd: 400 }, count: 1000, seed: 7 });
  let within = 0;
  let exact = 0;
  for (const p of prompts) {
    const d = Math.abs(countTokens(userText(p)) - (p.inputTokens ?? -1));
    if (d <= 1) within++;
    if (d === 0) exact++;
  }
  assert.ok(within >= 990, `${within} of 1000 within 1 token`);
  // The construction is exact, not approximately right: every prompt here should be.
  assert.equal(exact, 1000);
  const lengths = prompts.map((p) => p.inputTokens ?? 0);
  assert.ok(Math.min(...lengths) >= MIN_UNIQUE_TOKENS);
  const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
  assert.ok(Math.abs(mean - 1000) < 50, `mean ${mean}`);
});

test('every prompt is unique from its first token; the same seed builds the same prompts', () => {
  const a = buildSyntheticPrompts({ input: { kind: 'uniform', min: 20, max: 3000 }, output: { kind: 'fixed', n: 50 }, count: 500, seed: 3 });
  const b = buildSyntheticPrompts({ input: { kind: 'uniform', min: 20, max: 3000 }, output: { kind: 'fixed', n: 50 }, count: 500, seed: 3 });
  assert.deepEqual(a, b);
  const firstWords = new Set(a.map((p) => userText(p).split(' ')[0]));
  assert.equal(firstWords.size, 500, 'no two prompts open with the same word');
  assert.ok(a.every((p) => p.outputTokens === 50));
  const c = buildSyntheticPrompts({ input: { kind: 'fixed', n: 100 }, count: 5, seed: 4 });
  assert.notDeepEqual(c.map(userText), buildSyntheticPrompts({ input: { kind: 'fixed', n: 100 }, count: 5, seed: 5 }).map(userText));
});

test('shared prefixes: K distinct openings of exactly TOKENS tokens, carried by the given share of requests', () => {
  const prefix = { tokens: 300, groups: 3, ratio: 0.5 };
  const prompts = buildSyntheticPrompts({ input: { kind: 'fixed', n: 1000 }, prefix, count: 2000, seed: 9, system: 'Be brief.' });
  const openings = new Map<string, number>();
  for (const p of prompts) {
    assert.equal(p.messages[0]?.content, 'Be brief.');
    const t = userText(p);
    assert.equal(countTokens(t), 1000);
    const head = t.slice(0, 200);
    openings.set(head, (openings.get(head) ?? 0) + 1);
  }
  const shared = [...openings.values()].filter((n) => n > 1);
  assert.equal(shared.length, 3, 'three groups');
  const carried = shared.reduce((a, b) => a + b, 0);
  assert.ok(carried > 900 && carried < 1100, `${carried} of 2000 carry a prefix`);
  // The prefix is exactly 300 tokens: text up to the unique lead of a carrier.
  const carrier = prompts.find((p) => (openings.get(userText(p).slice(0, 200)) ?? 0) > 1);
  const t = carrier !== undefined ? userText(carrier) : '';
  const other = prompts.find((p) => p !== carrier && userText(p).slice(0, 200) === t.slice(0, 200));
  let i = 0;
  const u = other !== undefined ? userText(other) : '';
  while (i < t.length && t[i] === u[i]) i++;
  const common = t.slice(0, t.lastIndexOf(' ', i));
  assert.equal(countTokens(common), 300);
});

test('length draws: fixed, uniform within bounds, normal around its mean; described for the header', () => {
  const prng = new Prng(1);
  assert.equal(drawLength({ kind: 'fixed', n: 200 }, prng), 200);
  const u = Array.from({ length: 2000 }, () => drawLength({ kind: 'uniform', min: 100, max: 300 }, prng));
  assert.ok(Math.min(...u) === 100 && Math.max(...u) === 300);
  const n = Array.from({ length: 4000 }, () => drawLength({ kind: 'normal', mean: 1000, sd: 100 }, prng));
  const mean = n.reduce((a, b) => a + b, 0) / n.length;
  const sd = Math.sqrt(n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length);
  assert.ok(Math.abs(mean - 1000) < 10 && Math.abs(sd - 100) < 10, `${mean} ± ${sd}`);
  assert.equal(describeLength({ kind: 'normal', mean: 1000, sd: 100 }), '1000±100');
  assert.equal(describeLength({ kind: 'uniform', min: 1, max: 9 }), '1-9');
});
