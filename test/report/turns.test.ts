import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatsCollector } from '../../src/engine/stats.ts';
import { TurnStats, turnBucket, turnLabel } from '../../src/engine/turn-stats.ts';
import type { RequestRecord } from '../../src/engine/types.ts';
import { loadReport } from '../../src/report/load.ts';
import { formatMarkdown } from '../../src/report/markdown.ts';
import { turnReports, type Report } from '../../src/report/report.ts';
import { renderRunHtml } from '../../src/report/html/index.ts';
import { formatSummary } from '../../src/report/text.ts';
import { okRecord, reportOf } from './helpers/synthetic.ts';

/** Turn k of a session: TTFT falls after turn 1 (the conversation is cached), prompts grow. */
function turnRecord(turn: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  const ttft = turn === 1 ? 200 : 50 + turn;
  return okRecord('stream', ttft, { session: 1, turn, inputTokens: 100 * turn, cachedTokens: turn === 1 ? 0 : 100 * (turn - 1), ...extra });
}

test('turn buckets: 1 to 9 each, then 10+', () => {
  assert.deepEqual([1, 2, 9, 10, 11, 250].map(turnBucket), [0, 1, 8, 9, 9, 9]);
  assert.deepEqual([0, 8, 9].map(turnLabel), ['1', '9', '10+']);
});

test('per-turn statistics: TTFT and E2E per turn index and mode, cache use; warm-up and requests outside sessions left out', () => {
  const s = new TurnStats();
  try {
    assert.deepEqual(s.rows(), [], 'nothing without sessions');
    for (const turn of [1, 2, 2, 3, 12, 15]) s.record(turnRecord(turn));
    s.record(turnRecord(1, { mode: 'nonstream', ttftMs: 900, e2eMs: 1000 }));
    s.record(turnRecord(2, { warmup: true }));
    s.record(okRecord('stream', 1)); // no session
    s.record(turnRecord(3, { outcome: 'failed', ttftMs: undefined, e2eMs: undefined }));
    s.record(turnRecord(3, { outcome: 'early_stopped' }));
    const rows = s.rows();
    assert.deepEqual(rows.map((r) => [r.turn, r.requests, r.succeeded]), [['1', 2, 2], ['2', 2, 2], ['3', 3, 2], ['10+', 2, 2]]);
    const [t1, t2, t3, t10] = rows;
    assert.deepEqual([t1?.byMode.stream.ttft.count, t1?.byMode.stream.ttft.max, t1?.byMode.nonstream.ttft.max], [1, 200, 900]);
    assert.equal(t2?.byMode.stream.ttft.mean, 52);
    assert.deepEqual([t3?.byMode.stream.ttft.count, t3?.byMode.stream.e2e.count], [2, 1], 'a stream stopped early has a TTFT, not an E2E');
    assert.deepEqual([t10?.inputTokens, t10?.cachedTokens], [2700, 2500]);
  } finally {
    s.dispose();
  }
  const c = new StatsCollector({ windowSeconds: 10 });
  try {
    c.beginSegment({ startMs: 0, concurrency: 1, streamRatio: 1, reason: 'start' });
    c.record(turnRecord(2));
    assert.deepEqual(c.turns.rows().map((r) => r.turn), ['2'], 'the collector keeps them as it records');
  } finally {
    c.dispose();
  }
});

/** A report of two sessions of 3 turns, as buildReport would write it. */
function sessionReport(): Report {
  const records = [1, 2, 3, 1, 2, 3].map((t) => turnRecord(t));
  const stats = new TurnStats();
  for (const r of records) stats.record(r);
  const base = reportOf(records);
  const report: Report = {
    ...base,
    workload: {
      asked: { prompts: 'synthetic', sessions: { source: 'synthetic', turns: '3', history: 'live' as const, thinkTimeMs: '50', scripts: 2 } },
      inputTokens: { count: 6, mean: 200, min: 100, p50: 200, p90: 300, p95: 300, p99: 300, max: 300 },
      outputTokens: { count: 6, mean: 20, min: 20, p50: 20, p90: 20, p95: 20, p99: 20, max: 20 },
      sessions: { started: 2, completed: 2, failed: 0, cut: 0 },
      turns: turnReports(stats.rows()),
    },
  };
  stats.dispose();
  return report;
}

test('the report carries the per-turn rows through a save and a load; the summaries show a table by turn', () => {
  const report = sessionReport();
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-turns-'));
  try {
    const file = join(dir, 'r.json');
    writeFileSync(file, JSON.stringify(report));
    const loaded = loadReport(file);
    assert.deepEqual(loaded.workload?.turns, report.workload?.turns);
    assert.deepEqual(loaded.workload?.sessions, report.workload?.sessions);
    assert.deepEqual(loaded.workload?.asked.sessions, report.workload?.asked.sessions);
    const text = formatSummary(loaded);
    assert.match(text, /sessions of 3 turns \(live history, think 50 ms\)/);
    assert.match(text, /sessions: 2 started, 2 completed, 0 ended by a failed turn, 0 cut short/);
    assert.match(text, /by turn:\n\s*turn\s+requests\s+ok\s+prompt tok\s+cached %\s+TTFT p50/);
    assert.match(text, /\n\s*1\s+2\s+2\s+100\s+0\.0\s+200\s/);
    assert.match(text, /\n\s*3\s+2\s+2\s+300\s+66\.7\s+53\.0\s/);
    assert.match(formatMarkdown(loaded), /### By turn\n\n\| turn \| requests \|/);
    // A run of single prompts has no turns: no table.
    assert.doesNotMatch(formatSummary(reportOf([okRecord('stream', 10)])), /by turn/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the HTML report shows the table by turn and the sessions in its workload line', () => {
  const html = renderRunHtml(sessionReport());
  assert.match(html, /<h3>By turn<\/h3>/);
  assert.match(html, /id="turns-table"/);
  assert.match(html, /sessions of 3 turns \(live history, think 50 ms\)/);
  assert.doesNotMatch(renderRunHtml(reportOf([okRecord('stream', 10)])), /turns-table/);
});
