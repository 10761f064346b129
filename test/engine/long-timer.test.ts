import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLongTimeout } from '../../src/engine/long-timer.ts';

/** item 5: a delay longer than one Node timer holds is cut into pieces and fires once, at the end. */

test('item 5: a long timeout fires after the whole delay, not after its first piece', async () => {
  const started = performance.now();
  let firedAt: number | undefined;
  let fired = 0;
  // Pieces of 20 ms stand in for Node's 2^31-1 ms limit.
  setLongTimeout(() => {
    fired++;
    firedAt = performance.now();
  }, 100, 20);
  const deadline = started + 5000;
  while (firedAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(fired, 1);
  assert.ok(firedAt !== undefined && firedAt - started >= 95, `fired after ${(firedAt ?? 0) - started} ms`);
});

test('item 5: a cleared long timeout never fires', async () => {
  let fired = false;
  const t = setLongTimeout(() => (fired = true), 60, 20);
  await new Promise((r) => setTimeout(r, 30));
  t.clear();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(fired, false);
});

test('item 5: a delay over 2^31-1 ms does not fire at once (and raises no TimeoutOverflowWarning)', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  let fired = false;
  const t = setLongTimeout(() => (fired = true), 600 * 3_600_000);
  await new Promise((r) => setTimeout(r, 50));
  t.clear();
  process.off('warning', onWarning);
  assert.equal(fired, false);
  assert.deepEqual(warnings.map((w) => w.name), []);
});
