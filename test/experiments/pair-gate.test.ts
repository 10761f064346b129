import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairGate } from '../../src/experiments/pair-gate.ts';

/** Lets every settled promise's continuation run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a pair is released only when every target has arrived, in a shuffled order', async () => {
  const gate = new PairGate(3, 1);
  const order: number[] = [];
  const go = (t: number): Promise<void> => gate.wait(t, 1).then((ok) => void (ok && order.push(t)));
  const waits = [go(0), go(2)];
  await settle();
  assert.deepEqual(order, []);
  assert.equal(gate.held, 2);
  waits.push(go(1));
  await Promise.all(waits);
  assert.deepEqual([...order].sort(), [0, 1, 2]);
  assert.equal(gate.held, 0);
});

test('no target always goes first; the order is seeded', async () => {
  const firsts = async (seed: number): Promise<number[]> => {
    const gate = new PairGate(2, seed);
    const firstOf: number[] = [];
    for (let id = 1; id <= 200; id++) {
      const seen: number[] = [];
      await Promise.all([0, 1].map((t) => gate.wait(t, id).then(() => void seen.push(t))));
      firstOf.push(seen[0] as number);
    }
    assert.deepEqual(gate.firstCounts, [firstOf.filter((t) => t === 0).length, firstOf.filter((t) => t === 1).length]);
    return firstOf;
  };
  const a = await firsts(5);
  const zeroFirst = a.filter((t) => t === 0).length;
  assert.ok(zeroFirst > 70 && zeroFirst < 130, `target 0 first in ${zeroFirst} of 200 pairs`);
  assert.deepEqual(await firsts(5), a);
  assert.notDeepEqual(await firsts(6), a);
});

test('a closed gate sends nothing more: held requests and later ones are told not to send', async () => {
  const g2 = new PairGate(2, 1);
  const h = g2.wait(0, 1);
  g2.close();
  assert.equal(await h, false);
  assert.equal(await g2.wait(1, 2), false);
});
