import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/engine/clock.ts';
import { playSession, type SessionHost, type SessionResult, type TurnRequest, type TurnResult } from '../../src/engine/session-player.ts';
import type { SessionScript } from '../../src/engine/session-script.ts';

/** A host on a manual clock whose answers come back `answerMs` after a turn is sent. */
function fakeHost(clock: ManualClock, opts: { think?: number; answerMs?: number; fail?: number; mayContinue?: () => boolean | Promise<boolean> } = {}) {
  const sent: { req: TurnRequest; at: number }[] = [];
  const stop = new AbortController();
  const host: SessionHost = {
    clock,
    stopped: stop.signal,
    thinkMs: () => opts.think ?? 0,
    mayContinue: opts.mayContinue ?? (() => true),
    sendTurn(req: TurnRequest): Promise<TurnResult> {
      sent.push({ req, at: clock.now() });
      return new Promise((resolve) => {
        clock.setTimeout(() => {
          const ok = req.turn !== opts.fail;
          resolve(ok && req.keepAnswer ? { ok, answer: `answer ${req.turn}` } : { ok });
        }, opts.answerMs ?? 10);
      });
    },
  };
  return { host, sent, stop };
}

const script = (n: number, extra: Partial<SessionScript> = {}): SessionScript => ({
  turns: Array.from({ length: n }, (_, i) => ({ user: `question ${i + 1}` })),
  ...extra,
});

/** Moves the clock in small steps, letting promises settle between them, until the session ends. */
async function drive(clock: ManualClock, p: Promise<SessionResult>, stepMs = 5, maxSteps = 10_000): Promise<SessionResult> {
  let result: SessionResult | undefined;
  void p.then((r) => (result = r));
  for (let i = 0; i < maxSteps && result === undefined; i++) {
    await new Promise((r) => setImmediate(r));
    if (result === undefined) clock.advance(stepMs);
  }
  assert.ok(result !== undefined, 'session did not end');
  return result;
}

test('turns go in order; each sends the whole conversation with the answers actually received (live history)', async () => {
  const clock = new ManualClock(1000);
  const { host, sent } = fakeHost(clock);
  const r = await drive(clock, playSession(script(3, { system: 'be brief' }), { session: 7, firstDueMs: 1000, history: 'live' }, host));
  assert.deepEqual(r, { end: 'completed', sent: 3 });
  assert.deepEqual(sent.map((s) => [s.req.session, s.req.turn, s.req.turns]), [[7, 1, 3], [7, 2, 3], [7, 3, 3]]);
  assert.deepEqual(sent[2]?.req.messages, [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'question 1' },
    { role: 'assistant', content: 'answer 1' },
    { role: 'user', content: 'question 2' },
    { role: 'assistant', content: 'answer 2' },
    { role: 'user', content: 'question 3' },
  ]);
  assert.deepEqual(sent.map((s) => s.req.keepAnswer), [true, true, false], 'the last answer is never kept: no turn sends it');
});

test('think time: the next turn waits that long after the answer, on the injected clock, and is due then', async () => {
  const clock = new ManualClock(0);
  const { host, sent } = fakeHost(clock, { think: 200, answerMs: 30 });
  await drive(clock, playSession(script(3), { session: 1, firstDueMs: 0, history: 'live' }, host), 1);
  assert.deepEqual(sent.map((s) => s.at), [0, 230, 460], 'answer 30 ms + think 200 ms before each later turn');
  assert.deepEqual(sent.map((s) => s.req.dueMs), [0, 230, 460]);
});

test("--history dataset sends the dataset's replies and keeps no live answer; a turn without a reply falls back on the live one", async () => {
  const clock = new ManualClock(0);
  const { host, sent } = fakeHost(clock);
  const s: SessionScript = {
    turns: [
      { user: 'q1', datasetReply: 'dataset reply 1' },
      { user: 'q2' },
      { user: 'q3', datasetReply: 'dataset reply 3', outputTokens: 42, body: { temperature: 0 } },
    ],
  };
  await drive(clock, playSession(s, { session: 1, firstDueMs: 0, history: 'dataset' }, host));
  assert.deepEqual(sent.map((x) => x.req.keepAnswer), [false, true, false]);
  assert.deepEqual(sent[2]?.req.messages.map((m) => m.content), ['q1', 'dataset reply 1', 'q2', 'answer 2', 'q3']);
  assert.equal(sent[2]?.req.outputTokens, 42);
  assert.deepEqual(sent[2]?.req.body, { temperature: 0 });
  // The same script with live history ignores the replies.
  const live = fakeHost(clock);
  await drive(clock, playSession(s, { session: 2, firstDueMs: clock.now(), history: 'live' }, live.host));
  assert.deepEqual(live.sent[2]?.req.messages.map((m) => m.content), ['q1', 'answer 1', 'q2', 'answer 2', 'q3']);
});

test('a failed turn ends its session; a refusal to go on or a stop during think time cuts it', async () => {
  const clock = new ManualClock(0);
  const failing = fakeHost(clock, { fail: 2 });
  assert.deepEqual(await drive(clock, playSession(script(4), { session: 1, firstDueMs: 0, history: 'live' }, failing.host)), { end: 'failed', sent: 2 });

  const refused = fakeHost(clock, { mayContinue: () => false });
  assert.deepEqual(await drive(clock, playSession(script(4), { session: 2, firstDueMs: 0, history: 'live' }, refused.host)), { end: 'cut', sent: 1 });

  const stopped = fakeHost(clock, { think: 1000 });
  const p = playSession(script(4), { session: 3, firstDueMs: clock.now(), history: 'live' }, stopped.host);
  clock.advance(10);
  await new Promise((r) => setImmediate(r));
  stopped.stop.abort();
  assert.deepEqual(await drive(clock, p), { end: 'cut', sent: 1 });
  assert.equal(stopped.sent.length, 1);
});

test('a paused run: the next turn waits for it, and is due when it resumes, not while it was paused', async () => {
  const clock = new ManualClock(0);
  let resume!: (go: boolean) => void;
  const paused = new Promise<boolean>((r) => (resume = r));
  let asked = 0;
  const { host, sent } = fakeHost(clock, { think: 50, mayContinue: () => (++asked === 1 ? paused : true) });
  const p = playSession(script(3), { session: 1, firstDueMs: 0, history: 'live' }, host);
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(5);
  }
  assert.equal(sent.length, 1, 'turn 2 waits while paused');
  resume(true);
  const r = await drive(clock, p);
  assert.equal(r.end, 'completed');
  assert.ok((sent[1]?.req.dueMs ?? 0) >= 500, `due at the resume, not at ${sent[1]?.req.dueMs}`);
});

test('Anthropic-style cache marking: only the newest user message carries the breakpoint', async () => {
  const clock = new ManualClock(0);
  const { host, sent } = fakeHost(clock);
  await drive(clock, playSession(script(3), { session: 1, firstDueMs: 0, history: 'live', markLastUser: true }, host));
  const last = sent[2]?.req.messages ?? [];
  assert.deepEqual(
    last.map((m) => m.cachePrefixChars),
    [undefined, undefined, undefined, undefined, 'question 3'.length],
  );
});

test('Anthropic: a turn goes out with the system prompt as the top-level field and user/assistant alternating', async () => {
  const { wireFormat } = await import('../../src/engine/wire/index.ts');
  const clock = new ManualClock(0);
  const { host, sent } = fakeHost(clock);
  await drive(clock, playSession(script(3, { system: 'be brief' }), { session: 1, firstDueMs: 0, history: 'live', markLastUser: true }, host));
  const built = wireFormat('anthropic').buildRequest({ baseUrl: 'http://h', model: 'm', messages: sent[2]?.req.messages ?? [], stream: true, requestId: 'r' });
  const body = JSON.parse(built.body) as { system?: string; messages: { role: string; content: unknown }[] };
  assert.equal(body.system, 'be brief');
  assert.deepEqual(body.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user']);
  assert.deepEqual(body.messages.slice(0, 4).map((m) => m.content), ['question 1', 'answer 1', 'question 2', 'answer 2']);
  assert.deepEqual(body.messages[4]?.content, [{ type: 'text', text: 'question 3', cache_control: { type: 'ephemeral' } }]);
});

test('a turn that fails because the run stopped cuts its session rather than failing it', async () => {
  const clock = new ManualClock(0);
  const h = fakeHost(clock, { fail: 2 });
  const p = playSession(script(3), { session: 1, firstDueMs: 0, history: 'live' }, h.host);
  clock.advance(10);
  await new Promise((r) => setImmediate(r));
  assert.equal(h.sent.length, 2, 'turn 2 is on the wire');
  h.stop.abort();
  assert.deepEqual(await drive(clock, p), { end: 'cut', sent: 2 });
});
