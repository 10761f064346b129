import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtMsWithUnit, formatSummary } from '../../src/report/text.ts';
import { okRecord, reportOf } from './helpers/synthetic.ts';

test('fmtMsWithUnit: one unit, never "s ms"', () => {
  assert.equal(fmtMsWithUnit(316), '316 ms');
  assert.equal(fmtMsWithUnit(12_800), '12.8s');
  assert.equal(fmtMsWithUnit(Number.NaN), '-');
});

test('the streaming line of the summary states each time once, with its unit, above 10 s too', () => {
  const r = reportOf([okRecord('stream', 10_900), okRecord('nonstream', 12_800)]);
  const line = formatSummary(r).split('\n').find((l) => l.startsWith('first token:'));
  assert.ok(line, 'the summary compares first tokens');
  assert.doesNotMatch(line, /s ms/);
  assert.match(line, /streaming 10\.9s vs non-streaming 12\.8s \(p50\)/);
  const fast = formatSummary(reportOf([okRecord('stream', 300), okRecord('nonstream', 2000)]));
  assert.match(fast, /first token: streaming 300 ms vs non-streaming 2000 ms \(p50\), 6\.7x sooner; whole answer: 1200 ms vs 8000 ms/);
});
