import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import type { SessionScript } from '../../src/engine/session-script.ts';
import type { Api, RequestRecord } from '../../src/engine/types.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { postJson, spawnSim } from '../helpers/sim-helpers.ts';
import { textHash } from '../../src/sim/text-hash.ts';

/**
 * Multi-turn sessions against the simulator: the engine resends the conversation with the answers
 * it actually received. The simulator's ground truth (per request: messages, the hash of the last
 * assistant message it was sent, the hash of the answer it generated) is the check: the answer
 * generated for turn k is what turn k+1 sends back.
 */
const sim = await spawnSim({ ttft: '5', itl: '0', 'output-tokens': '12:4', slots: '64', seed: '3' });
after(() => sim.close());

interface SimRecord {
  id: string;
  status: string;
  messages: number;
  lastAssistantHash: string | null;
  answerHash: string | null;
  promptTokens: number;
  cachedTokens: number;
}

async function groundTruth(ids: string[]): Promise<Map<string, SimRecord>> {
  const res = await postJson(`${sim.url}/admin/requests/lookup`, { ids });
  const body = (await res.json()) as { records: SimRecord[] };
  return new Map(body.records.map((r) => [r.id, r]));
}

const scripts = (n: number, turns: number): SessionScript[] =>
  Array.from({ length: n }, (_, s) => ({
    system: 'You answer briefly.',
    turns: Array.from({ length: turns }, (_, t) => ({ user: `session ${s} question ${t + 1}: what next?` })),
  }));

async function run(api: Api, over: Parameters<typeof testConfig>[1] = {}, sessions = scripts(4, 3)): Promise<{ records: RequestRecord[]; engine: Engine }> {
  const records: RequestRecord[] = [];
  const base = testConfig(api === 'openai' ? `${sim.url}/v1` : sim.url, over);
  const engine = new Engine(
    { ...base, target: { ...base.target, api }, workload: { ...base.workload, prompts: [], sessions: base.workload.sessions ?? { scripts: sessions, history: 'live' } } },
    { onRecord: (r) => records.push(r) },
  );
  await engine.start();
  await engine.done;
  return { records, engine };
}

for (const api of ['openai', 'anthropic'] as const) {
  test(`${api}: --history live sends the simulator's actual previous answer, turn after turn`, async () => {
    const { records, engine } = await run(api, { load: { requests: 12, concurrency: 2, streamRatio: 0.5 } });
    try {
      assert.equal(records.length, 12, '-n counts requests (turns), not sessions');
      const truth = await groundTruth(records.map((r) => r.requestId));
      const bySession = new Map<number, RequestRecord[]>();
      for (const r of records) {
        assert.equal(r.outcome, 'ok', r.errorMessage);
        assert.ok(r.session !== undefined && r.turn !== undefined);
        bySession.set(r.session, [...(bySession.get(r.session) ?? []), r]);
      }
      assert.equal(bySession.size, 4, '4 sessions of 3 turns');
      let compared = 0;
      for (const turns of bySession.values()) {
        turns.sort((a, b) => (a.turn ?? 0) - (b.turn ?? 0));
        assert.deepEqual(turns.map((r) => r.turn), [1, 2, 3]);
        for (let k = 0; k < turns.length; k++) {
          const sent = truth.get(turns[k]?.requestId ?? '');
          assert.ok(sent !== undefined, 'the simulator recorded every turn');
          assert.equal(sent.messages, 2 * k + 1, 'user, assistant, ..., user: the system prompt apart');
          if (k === 0) {
            assert.equal(sent.lastAssistantHash, null);
            continue;
          }
          const previous = truth.get(turns[k - 1]?.requestId ?? '');
          assert.ok(previous?.answerHash !== null && previous?.answerHash !== undefined);
          assert.equal(sent.lastAssistantHash, previous.answerHash, `turn ${k + 1} resends the answer the simulator generated for turn ${k}`);
          assert.ok((turns[k]?.startMs ?? 0) >= (turns[k - 1]?.startMs ?? 0) + (turns[k - 1]?.e2eMs ?? 0) - 1, 'a turn starts after the previous answer');
          compared++;
        }
      }
      assert.equal(compared, 8);
      assert.deepEqual(engine.sessionCounts, { started: 4, completed: 4, failed: 0, cut: 0 });
      // Later turns resend a conversation the simulator has seen: its prefix cache serves most of it.
      const later = records.filter((r) => (r.turn ?? 0) > 1);
      assert.ok(later.every((r) => (r.cachedTokens ?? 0) > 0), `cached tokens of later turns: ${later.map((r) => r.cachedTokens).join(',')}`);
      const rows = engine.stats.turns.rows();
      assert.deepEqual(rows.map((r) => [r.turn, r.requests]), [['1', 4], ['2', 4], ['3', 4]]);
    } finally {
      engine.dispose();
    }
  });
}

test('closed loop: the pool counts sessions, think time holds the slot, -n cuts the last sessions short', async () => {
  const { records, engine } = await run('openai', {
    load: { requests: 10, concurrency: 2, streamRatio: 1 },
    workload: { prompts: [], sessions: { scripts: scripts(10, 3), history: 'live', thinkMs: { kind: 'fixed', n: 40 } } },
  });
  try {
    assert.equal(records.length, 10);
    const sessions = new Set(records.map((r) => r.session));
    // Two slots play sessions of 3 turns: 10 requests are 3 + 3 + 3 + 1, over at most 4 sessions
    // (the fourth pair may start together when both slots free at once).
    assert.ok(sessions.size <= 4, `${sessions.size} sessions`);
    // Never more than 2 sessions at once: each session's span holds a slot.
    const span = new Map<number, [number, number]>();
    for (const r of records) {
      const s = r.session ?? 0;
      const [a, b] = span.get(s) ?? [Infinity, -Infinity];
      span.set(s, [Math.min(a, r.startMs), Math.max(b, r.startMs + (r.e2eMs ?? 0))]);
    }
    const spans = [...span.values()];
    for (const [a] of spans) assert.ok(spans.filter(([x, y]) => x <= a && a < y).length <= 2, 'at most 2 sessions overlap');
    // Think time: the next turn goes 40 ms after the answer.
    for (const s of span.keys()) {
      const turns = records.filter((r) => r.session === s).sort((x, y) => (x.turn ?? 0) - (y.turn ?? 0));
      for (let k = 1; k < turns.length; k++) {
        const gap = (turns[k]?.startMs ?? 0) - ((turns[k - 1]?.startMs ?? 0) + (turns[k - 1]?.e2eMs ?? 0));
        assert.ok(gap >= 39 && gap < 400, `think gap ${gap} ms`);
      }
    }
    const c = engine.sessionCounts;
    assert.equal(c.started, c.completed + c.cut + c.failed);
    assert.ok(c.cut >= 1, '10 requests are not a whole number of 3-turn sessions: the budget cut one');
  } finally {
    engine.dispose();
  }
});

test('-n with sessions plays whole sessions however their turns interleave: the turns open sessions owe are spoken for', async () => {
  // Think times drawn from 0 to 80 ms put the four slots' sessions out of step, so a slot often
  // frees while another session waits out a think time. Without reserving the turns that session
  // still owes, that slot would start a ninth session which the budget then cuts.
  for (let round = 0; round < 3; round++) {
    const { records, engine } = await run('openai', {
      load: { requests: 24, concurrency: 4, streamRatio: 1, seed: 11 + round },
      workload: { prompts: [], sessions: { scripts: scripts(12, 3), history: 'live', thinkMs: { kind: 'uniform', min: 0, max: 80 } } },
    });
    try {
      assert.equal(records.length, 24);
      assert.deepEqual(engine.sessionCounts, { started: 8, completed: 8, failed: 0, cut: 0 }, `round ${round}`);
      for (const turn of [1, 2, 3]) assert.equal(records.filter((r) => r.turn === turn).length, 8, `turn ${turn}`);
    } finally {
      engine.dispose();
    }
  }
});

test('open loop: each arrival starts a session; the turns of a session follow it', async () => {
  const { records, engine } = await run('openai', { load: { requests: 9, rate: 10, concurrency: 100, streamRatio: 1 } }, scripts(3, 3));
  try {
    assert.equal(records.length, 9);
    const firsts = records.filter((r) => r.turn === 1).sort((a, b) => a.intendedStartMs - b.intendedStartMs);
    assert.equal(firsts.length, 3, 'three arrivals, three sessions');
    // 10 arrivals a second: 100 ms apart, from the plan (a session of 3 short turns ends well within).
    assert.ok(Math.abs((firsts[1]?.intendedStartMs ?? 0) - (firsts[0]?.intendedStartMs ?? 0) - 100) < 1);
    for (const r of records) assert.equal(r.outcome, 'ok', r.errorMessage);
  } finally {
    engine.dispose();
  }
});

test('a smaller pool ends the surplus sessions at their next turn; the end of the run ends sessions in their think time', async () => {
  const records: RequestRecord[] = [];
  const base = testConfig(`${sim.url}/v1`, { load: { concurrency: 4, streamRatio: 1, durationMs: 1500, graceMs: 10_000 } });
  const engine = new Engine(
    { ...base, workload: { ...base.workload, prompts: [], sessions: { scripts: scripts(8, 1000), history: 'live', thinkMs: { kind: 'fixed', n: 30 } } } },
    { onRecord: (r) => records.push(r) },
  );
  try {
    await engine.start();
    await new Promise((r) => setTimeout(r, 300));
    engine.setConcurrency(1);
    const loweredAt = engine.elapsedMs();
    const t0 = performance.now();
    const outcome = await engine.done;
    // The run ended at its duration, not after the grace: no turn was in flight for long, and the
    // sessions waiting out a think time stopped at once.
    assert.equal(outcome.stopReason, 'duration');
    assert.ok(performance.now() - t0 < 5000, 'ended at the duration, without waiting out the grace');
    const late = new Set(records.filter((r) => r.startMs > loweredAt + 200).map((r) => r.session));
    assert.equal(late.size, 1, `one session goes on after the pool shrank to 1, not ${late.size}`);
    const early = new Set(records.filter((r) => r.startMs < loweredAt).map((r) => r.session));
    assert.equal(early.size, 4, 'four sessions before');
    assert.equal(engine.sessionCounts.started, 4, 'no new session while the surplus drains');
    assert.equal(engine.sessionCounts.cut, 4, 'every session was cut: 3 by the smaller pool, 1 by the end of the run');
  } finally {
    engine.dispose();
  }
});

test("--history dataset resends the dataset's replies, not the server's answers", async () => {
  const replies = ['The first reply, from the dataset.', 'The second reply, from the dataset.'];
  const script: SessionScript = { turns: [{ user: 'q1', datasetReply: replies[0] }, { user: 'q2', datasetReply: replies[1] }, { user: 'q3' }] };
  const records: RequestRecord[] = [];
  const base = testConfig(`${sim.url}/v1`, { load: { requests: 3, concurrency: 1 } });
  const engine = new Engine({ ...base, workload: { ...base.workload, prompts: [], sessions: { scripts: [script], history: 'dataset' } } }, { onRecord: (r) => records.push(r) });
  try {
    await engine.start();
    await engine.done;
    const truth = await groundTruth(records.map((r) => r.requestId));
    const sent = records.sort((a, b) => (a.turn ?? 0) - (b.turn ?? 0)).map((r) => truth.get(r.requestId));
    const hex = (t: string): string => textHash(t).toString(16).padStart(8, '0');
    assert.deepEqual(sent.map((r) => r?.lastAssistantHash), [null, hex(replies[0] ?? ''), hex(replies[1] ?? '')]);
    assert.notEqual(sent[0]?.answerHash, hex(replies[0] ?? ''), "the server's own answer differs from the dataset's");
  } finally {
    engine.dispose();
  }
});
