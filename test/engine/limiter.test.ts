import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClosedLoopScheduler, Limiter, OpenLoopScheduler, type LoadHost, type Ticket } from '../../src/engine/concurrency.ts';
import { ManualClock } from '../../src/engine/clock.ts';

test('limiter never grants more than its limit, and a resize takes effect at once', () => {
  const l = new Limiter(3);
  assert.equal([1, 2, 3, 4].filter(() => l.tryAcquire()).length, 3);
  l.setLimit(5);
  assert.ok(l.tryAcquire());
  assert.ok(l.tryAcquire());
  assert.ok(!l.tryAcquire());
  l.setLimit(2);
  assert.ok(!l.tryAcquire(), 'lowering does not revoke, but blocks new grants');
  for (let i = 0; i < 5; i++) l.release();
  assert.equal(l.inFlight, 0);
  assert.throws(() => l.release());
});

/** A host whose requests finish when the test says so. */
function fakeHost(clock: ManualClock, budget = Infinity) {
  const running: { ticket: Ticket; done: () => void }[] = [];
  let started = 0;
  let maxSeen = 0;
  const dropped: Ticket[] = [];
  const host: LoadHost = {
    launch(ticket, done) {
      started++;
      running.push({ ticket, done });
      maxSeen = Math.max(maxSeen, running.length);
    },
    drop: (t) => dropped.push(t),
    canStart: () => started < budget,
  };
  const finish = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const r = running.shift();
      r?.done();
    }
  };
  return { host, running, finish, dropped, get started() { return started; }, get maxSeen() { return maxSeen; } };
}

test('closed loop: at most N in flight, raising starts at once, lowering drains without aborts', () => {
  const clock = new ManualClock();
  const h = fakeHost(clock);
  const s = new ClosedLoopScheduler({ clock, host: h.host, concurrency: 4 });
  s.start();
  assert.equal(h.running.length, 4);
  h.finish(2);
  assert.equal(h.running.length, 4, 'each completion starts the next request');
  s.setConcurrency(10);
  assert.equal(h.running.length, 10, 'raising starts requests at once');
  s.setConcurrency(3);
  assert.equal(h.running.length, 10, 'lowering aborts nothing');
  h.finish(5);
  assert.equal(h.running.length, 5, 'no new starts while above the new limit');
  h.finish(2);
  assert.equal(h.running.length, 3);
  h.finish(1);
  assert.equal(h.running.length, 3, 'refilled to the new limit');
  assert.ok(s.inFlight <= 10);
});

test('closed loop: randomised resizes never exceed the limit in force', () => {
  const clock = new ManualClock();
  const h = fakeHost(clock);
  const s = new ClosedLoopScheduler({ clock, host: h.host, concurrency: 5 });
  s.start();
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let limitHistoryMax = 5;
  for (let i = 0; i < 2000; i++) {
    if (rnd() < 0.1) {
      const n = 1 + Math.floor(rnd() * 40);
      s.setConcurrency(n);
      limitHistoryMax = n;
    } else h.finish(1 + Math.floor(rnd() * 3));
    // After the drain, in flight never exceeds the current limit unless it was higher before.
    assert.ok(s.inFlight <= Math.max(limitHistoryMax, h.running.length));
    if (h.running.length > s.concurrency) assert.equal(h.started, h.started);
  }
  h.finish(1000);
  assert.equal(h.running.length, s.concurrency);
});

test('closed loop: pause stops new starts, resume refills; budget is honoured', () => {
  const clock = new ManualClock();
  const h = fakeHost(clock, 6);
  const s = new ClosedLoopScheduler({ clock, host: h.host, concurrency: 4 });
  s.start();
  s.pause();
  h.finish(4);
  assert.equal(h.running.length, 0);
  s.resume();
  assert.equal(h.running.length, 2, 'only the 2 left in the budget');
  assert.equal(h.started, 6);
});

test('open loop: constant arrivals follow the plan, tickets carry intended starts, FIFO order', () => {
  const clock = new ManualClock(0);
  const h = fakeHost(clock);
  const s = new OpenLoopScheduler({ clock, host: h.host, concurrency: 2, rate: 10, arrival: 'constant', seed: 1, maxQueueDelayMs: 10_000 });
  s.start();
  s.tick();
  clock.set(450);
  s.tick();
  // Arrivals at 0,100,...,400 = 5; 2 slots.
  assert.equal(h.running.length, 2);
  assert.equal(s.queued, 3);
  assert.deepEqual(h.running.map((r) => r.ticket.intendedMs), [0, 100]);
  h.finish(1);
  assert.equal(h.running[1]?.ticket.intendedMs, 200, 'FIFO order');
  s.stop();
});

test('open loop: tickets older than the cap are dropped, never run', () => {
  const clock = new ManualClock(0);
  const h = fakeHost(clock);
  const s = new OpenLoopScheduler({ clock, host: h.host, concurrency: 1, rate: 10, arrival: 'constant', seed: 1, maxQueueDelayMs: 250 });
  s.start();
  s.tick();
  clock.set(450);
  s.tick();
  // 0 runs; at 450, 100 is 350 ms old -> dropped; 200 is 250 ms old (not over) but no slot.
  assert.deepEqual(h.dropped.map((t) => t.intendedMs), []);
  h.finish(1);
  assert.deepEqual(h.dropped.map((t) => t.intendedMs), [100]);
  assert.equal(h.running[0]?.ticket.intendedMs, 200);
  s.stop();
});

test('open loop: setRate re-anchors the plan at the change', () => {
  const clock = new ManualClock(0);
  const h = fakeHost(clock);
  const s = new OpenLoopScheduler({ clock, host: h.host, concurrency: 100, rate: 1, arrival: 'constant', seed: 1, maxQueueDelayMs: 1e9 });
  s.start();
  s.tick();
  assert.equal(h.started, 1);
  clock.set(500);
  s.setRate(100);
  clock.set(510);
  s.tick();
  assert.equal(h.started, 2, 'next arrival one new gap (10 ms) after the change');
  s.stop();
});

test('open loop: Poisson arrivals are seeded (same seed, same plan) with the right mean', () => {
  const plan = (seed: number): number[] => {
    const clock = new ManualClock(0);
    const h = fakeHost(clock);
    const s = new OpenLoopScheduler({ clock, host: h.host, concurrency: 1e6, rate: 100, arrival: 'poisson', seed, maxQueueDelayMs: 1e9 });
    s.start();
    for (let t = 0; t <= 60_000; t += 50) {
      clock.set(t);
      s.tick();
    }
    s.stop();
    return h.running.map((r) => r.ticket.intendedMs);
  };
  const a = plan(3);
  const b = plan(3);
  const c = plan(4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.length > 5400 && a.length < 6600, `~6000 arrivals in 60 s at 100/s, got ${a.length}`);
});

test('closed loop: a ramp raises the limit on the engine clock, from 1 to N over the ramp time', () => {
  const clock = new ManualClock(0);
  const h = fakeHost(clock);
  const s = new ClosedLoopScheduler({ clock, host: h.host, concurrency: 10, rampSeconds: 1 });
  s.start();
  assert.equal(h.running.length, 1, 'a ramp starts from one');
  clock.advance(500);
  assert.equal(s.effectiveLimit, 5, 'half way through the ramp, half the pool');
  assert.equal(h.running.length, 5);
  clock.advance(500);
  assert.equal(h.running.length, 10);
  assert.equal(clock.pending, 0, 'the ramp timer is gone once the pool is reached');
  s.stop();
});

test('open loop: arrivals are timed on the engine clock; advancing it alone enqueues and launches them', () => {
  const clock = new ManualClock(0);
  const h = fakeHost(clock);
  const s = new OpenLoopScheduler({ clock, host: h.host, concurrency: 1, rate: 10, arrival: 'constant', seed: 1, maxQueueDelayMs: 10_000 });
  s.start();
  clock.advance(0);
  assert.equal(h.started, 1);
  clock.advance(250);
  assert.equal(s.queued, 2, 'arrivals at 100 and 200 wait for the one slot');
  clock.advance(50);
  h.finish(1);
  assert.equal(h.running[0]?.ticket.intendedMs, 100);
  s.stop();
  assert.equal(clock.pending, 0, 'stop() leaves no arrival timer behind');
  clock.advance(1000);
  assert.equal(h.started, 2);
});

test('open loop: tickets already queued never start more requests than the budget', () => {
  const clock = new ManualClock(0);
  const h = fakeHost(clock, 4);
  const s = new OpenLoopScheduler({ clock, host: h.host, concurrency: 2, rate: 10, arrival: 'constant', seed: 1, maxQueueDelayMs: 10_000 });
  s.start();
  clock.advance(450); // arrivals at 0..400: 2 running, 3 queued, budget 4
  assert.equal(h.running.length, 2);
  for (let i = 0; i < 5; i++) h.finish(1);
  assert.equal(h.started, 4, 'a fifth ticket from the queue must not run');
  s.stop();
});
