import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/engine/clock.ts';
import { Prng } from '../../src/engine/prng.ts';
import { SessionPool, type SessionPoolHost } from '../../src/engine/session-pool.ts';
import type { TurnRequest, TurnResult } from '../../src/engine/session-player.ts';
import type { SessionScript } from '../../src/engine/session-script.ts';

const script = (turns: number, id: string): SessionScript => ({ id, turns: Array.from({ length: turns }, (_, i) => ({ user: `${id} q${i + 1}` })) });

/** A host whose turns are answered when the test says so, with the run's state under the test's control. */
function fakeHost() {
  const clock = new ManualClock(0);
  const sent: TurnRequest[] = [];
  const pending: ((r: TurnResult) => void)[] = [];
  const state = { canStart: true, paused: false, limit: 10 };
  const host: SessionPoolHost = {
    clock,
    send(t) {
      sent.push(t);
      return new Promise((resolve) => pending.push(resolve));
    },
    canStart: () => state.canStart,
    paused: () => state.paused,
    limit: () => state.limit,
  };
  /** Answers the oldest unanswered turn, then lets the player move on. */
  const answer = async (ok = true): Promise<void> => {
    const next = pending.shift();
    assert.ok(next, 'a turn is waiting for its answer');
    next({ ok, answer: 'fine' });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { host, sent, state, answer, settle };
}

const pool = (host: SessionPoolHost, scripts: SessionScript[]) =>
  new SessionPool({ config: { scripts, history: 'live' }, prng: new Prng(1), markLastUser: false }, host);

test('scripts play in order, round and round; a dropped arrival takes its script and counts as failed', async () => {
  const f = fakeHost();
  const p = pool(f.host, [script(1, 'a'), script(1, 'b')]);
  assert.equal(p.drop(), 1, 'the dropped arrival is session 1 and consumes script a');
  const b = p.play(0);
  await f.settle();
  assert.equal(f.sent[0]?.messages.at(-1)?.content, 'b q1');
  assert.equal(f.sent[0]?.session, 2);
  await f.answer();
  await b;
  const a = p.play(0);
  await f.settle();
  assert.equal(f.sent[1]?.messages.at(-1)?.content, 'a q1', 'after the last script, the first again');
  await f.answer();
  await a;
  assert.deepEqual(p.counts, { started: 3, completed: 2, failed: 1, cut: 0 });
});

test('owed turns: reserved when a session starts, taken by each turn sent, released when it ends early', async () => {
  const f = fakeHost();
  const p = pool(f.host, [script(3, 'a')]);
  const run = p.play(0);
  await f.settle();
  assert.equal(p.owedTurns, 2, 'three reserved, the first sent');
  await f.answer();
  assert.equal(p.owedTurns, 1);
  f.state.canStart = false;
  await f.answer();
  await run;
  assert.equal(p.owedTurns, 0, 'the turn never sent is released');
  assert.deepEqual(p.counts, { started: 1, completed: 0, failed: 0, cut: 1 });
});

test('a failed turn ends the session as failed', async () => {
  const f = fakeHost();
  const p = pool(f.host, [script(3, 'a')]);
  const run = p.play(0);
  await f.settle();
  await f.answer(false);
  await run;
  assert.equal(f.sent.length, 1);
  assert.deepEqual(p.counts, { started: 1, completed: 0, failed: 1, cut: 0 });
  assert.equal(p.owedTurns, 0);
});

test('a pool smaller than the open sessions cuts the surplus at their next turn', async () => {
  const f = fakeHost();
  const p = pool(f.host, [script(2, 'a')]);
  const runs = [p.play(0), p.play(0), p.play(0)];
  await f.settle();
  assert.equal(f.sent.length, 3);
  f.state.limit = 1;
  // The first to ask sees three open sessions for one slot and ends; then the second (two for one)
  // ends too; the third is alone within the limit and goes on.
  await f.answer();
  await f.answer();
  await f.answer();
  assert.equal(f.sent.length, 4, 'one session sent its second turn');
  await f.answer();
  await Promise.all(runs);
  assert.deepEqual(p.counts, { started: 3, completed: 1, failed: 0, cut: 2 });
});

test('a paused run holds the next turn until it resumes; stopping releases it as cut', async () => {
  const f = fakeHost();
  const p = pool(f.host, [script(3, 'a')]);
  const run = p.play(0);
  await f.settle();
  f.state.paused = true;
  await f.answer();
  assert.equal(f.sent.length, 1, 'held while paused');
  f.state.paused = false;
  p.resume();
  await f.settle();
  assert.equal(f.sent.length, 2, 'sent once resumed');
  f.state.paused = true;
  await f.answer();
  assert.equal(f.sent.length, 2);
  f.state.paused = false;
  f.state.canStart = false;
  p.stop();
  await run;
  assert.deepEqual(p.counts, { started: 1, completed: 0, failed: 0, cut: 1 });
});
