import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Notices } from '../../src/worker/notices.ts';
import { makeSnapshot } from '../../src/ui/fake-snapshot.ts';

test("a run-layer notice covers the engine's for its time, then the engine's shows again", () => {
  let now = 0;
  const n = new Notices(() => now);
  const snap = makeSnapshot({ notice: 'early stop on' });
  assert.equal(n.apply(snap).notice, 'early stop on');
  n.flash('autotune: trying pool 4', 1000);
  assert.equal(n.apply(snap).notice, 'autotune: trying pool 4');
  now = 999;
  assert.equal(n.apply(snap).notice, 'autotune: trying pool 4');
  now = 1000;
  assert.equal(n.apply(snap).notice, 'early stop on');
});

test('a newer notice replaces an older one', () => {
  let now = 0;
  const n = new Notices(() => now);
  n.flash('first', 5000);
  now = 10;
  n.flash('second', 100);
  assert.equal(n.apply(makeSnapshot({})).notice, 'second');
  now = 200;
  assert.equal(n.apply(makeSnapshot({})).notice, undefined);
});
