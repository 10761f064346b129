import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { buildSyntheticPacked, buildSyntheticPrompts, type SyntheticSpec } from '../../src/engine/synthetic.ts';
import { promptAt, promptCount, withPromptBody, type PackedPrompts } from '../../src/engine/packed-prompts.ts';
import { Prng } from '../../src/engine/prng.ts';
import { PromptPicker } from '../../src/engine/prompt-picker.ts';

const specs: Record<string, SyntheticSpec> = {
  plain: { input: { kind: 'fixed', n: 300 }, count: 40, seed: 3 },
  'prefix, outputs, system': {
    input: { kind: 'uniform', min: 200, max: 900 },
    output: { kind: 'normal', mean: 100, sd: 20 },
    prefix: { tokens: 120, groups: 3, ratio: 0.6 },
    system: 'Be brief.',
    count: 60,
    seed: 9,
  },
};

for (const [name, spec] of Object.entries(specs)) {
  test(`packed synthetic prompts are the same prompts as the list (${name})`, () => {
    const list = buildSyntheticPrompts(spec);
    const packed = buildSyntheticPacked(spec);
    assert.equal(promptCount(packed), list.length);
    for (let i = 0; i < list.length; i++) {
      const { lastText, ...p } = promptAt(packed, i);
      assert.deepEqual(p, list[i], `prompt ${i}`);
      assert.deepEqual(lastText && Buffer.from(lastText).toString('utf8'), list[i]?.messages.at(-1)?.content, `prompt ${i}: its bytes`);
    }
  });
}

test('a packed set crosses to another thread by sharing its text, and reads the same there', async () => {
  const packed = buildSyntheticPacked({ input: { kind: 'fixed', n: 500 }, count: 20, seed: 1 });
  assert.ok(packed.text.buffer instanceof SharedArrayBuffer, 'the text is shared, not cloned');
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<PackedPrompts>((resolve) => port2.once('message', (m: PackedPrompts) => resolve(m)));
  port1.postMessage(packed);
  const copy = await received;
  port1.close();
  port2.close();
  assert.ok(copy.text.buffer instanceof SharedArrayBuffer);
  for (let i = 0; i < 20; i++) assert.deepEqual(promptAt(copy, i), promptAt(packed, i));
});

test('a packed set takes a body under its prompts, is picked in order, and refuses an index outside it', () => {
  const packed = buildSyntheticPacked({ input: { kind: 'fixed', n: 50 }, count: 3, seed: 2 });
  const withBody = withPromptBody(packed, { temperature: 0 });
  assert.deepEqual(promptAt(withBody, 1).body, { temperature: 0 });
  assert.equal(promptAt(packed, 1).body, undefined, 'the original is unchanged');
  const picker = new PromptPicker(packed, new Prng(1), 'sequence');
  const firsts = [0, 1, 2, 3].map(() => picker.pick().messages[0]?.content);
  assert.deepEqual(firsts, [0, 1, 2, 0].map((i) => promptAt(packed, i).messages[0]?.content));
  assert.throws(() => promptAt(packed, 3), RangeError);
  assert.throws(() => promptAt(packed, -1), RangeError);
});
