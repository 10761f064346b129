import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import type { Report } from '../../src/report/schema.ts';

/**
 * Multi-turn sessions end to end: the headless CLI against the built-in simulator, in both wire
 * formats. Each turn resends the conversation; the simulator's prefix cache serves the part it has
 * seen, which the per-turn rows show.
 */
for (const api of ['openai', 'anthropic'] as const) {
  test(`${api}: --turns 3 --think-time 50ms plays sessions; the report, the summary and the NDJSON lines carry the turns`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamtop-sessions-'));
    try {
      const json = join(dir, 'r.json');
      const ndjson = join(dir, 'r.ndjson');
      const r = await runCli(
        [
          '--headless', '--api', api, '--sim-ttft', '5', '--sim-itl', '0', '--sim-output-tokens', '30', '--sim-prefill-per-token', '0.2',
          '--turns', '3', '--think-time', '50ms', '-n', '24', '-c', '4', '--stream-ratio', '1', '--input-tokens', '400', '--json', json, '--ndjson', ndjson,
        ],
        { timeoutMs: 90_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
      assert.equal(report.totals.requests, 24, '-n counts requests: 8 sessions of 3 turns');
      assert.equal(report.totals.succeeded, 24);
      const w = report.workload;
      assert.ok(w !== undefined);
      assert.deepEqual(w.asked.sessions, { source: 'synthetic', turns: '3', history: 'live', thinkTimeMs: '50', scripts: 8 });
      assert.deepEqual(w.sessions, { started: 8, completed: 8, failed: 0, cut: 0 });
      const turns = w.turns ?? [];
      assert.deepEqual(turns.map((t) => [t.turn, t.requests, t.stream.ttftMs.count]), [['1', 8, 8], ['2', 8, 8], ['3', 8, 8]]);
      // The conversation grows each turn; the part already seen comes from the prefix cache.
      const [t1, , t3] = turns;
      assert.ok(t1 !== undefined && t3 !== undefined);
      assert.ok(t3.inputTokens > 2.5 * t1.inputTokens, `prompt tokens ${t1.inputTokens} then ${t3.inputTokens}`);
      assert.equal(t1.cachedTokens, 0, 'first turns are unique');
      assert.ok(t3.cachedTokens / t3.inputTokens > 0.5, `turn 3: ${t3.cachedTokens} of ${t3.inputTokens} cached`);
      // Prefill is charged for uncached tokens only: turn 3's TTFT stays near turn 1's although
      // its prompt is about three times as long (without the cache it would be ~160 ms longer, at
      // 0.2 ms a token: an effect large enough to leave a busy machine 60 ms of room).
      assert.ok(t3.stream.ttftMs.p50 < t1.stream.ttftMs.p50 + 60, `TTFT p50 turn 1 ${t1.stream.ttftMs.p50}, turn 3 ${t3.stream.ttftMs.p50}`);
      assert.match(r.stdout, /workload: input 400 tokens, sessions of 3 turns \(live history, think 50 ms\)/);
      assert.match(r.stdout, /by turn:\n\s*turn\s+requests/);
      const lines = readFileSync(ndjson, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { session?: number; turn?: number; startMs: number; e2eMs?: number });
      assert.equal(lines.length, 24);
      for (const l of lines) assert.ok(l.session !== undefined && l.turn !== undefined && l.turn >= 1 && l.turn <= 3);
      // Think time: a session's next turn goes at least 50 ms after its previous answer.
      for (const l of lines.filter((x) => x.turn !== 1)) {
        const prev = lines.find((x) => x.session === l.session && x.turn === (l.turn ?? 0) - 1);
        assert.ok(prev !== undefined);
        assert.ok(l.startMs - (prev.startMs + (prev.e2eMs ?? 0)) >= 49, `session ${l.session} turn ${l.turn}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("--dataset FILE --multi-turn plays a ShareGPT file's conversations; --history dataset resends its replies", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-sessions-'));
  try {
    const json = join(dir, 'r.json');
    const r = await runCli(
      ['--headless', '--sim-ttft', '5', '--sim-itl', '0', '--dataset', 'examples/dataset-sharegpt.json', '--multi-turn', '--history', 'dataset', '--think-time', '10ms', '-n', '12', '-c', '2', '--json', json],
      { timeoutMs: 90_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.equal(report.totals.succeeded, 12);
    const w = report.workload;
    assert.equal(w?.asked.sessions?.source, 'dataset');
    assert.equal(w?.asked.sessions?.history, 'dataset');
    assert.equal(w?.asked.dataset?.format, 'sharegpt');
    assert.ok((w?.turns ?? []).length >= 2, 'the file has conversations of more than one turn');
    assert.match(r.stdout, /dataset dataset-sharegpt\.json \(sharegpt, \d+ conversations\), its conversations as sessions \(dataset history, think 10 ms\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
