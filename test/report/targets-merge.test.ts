import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTargetReports } from '../../src/report/merge.ts';
import { compareTargets } from '../../src/commands/compare.ts';
import { UsageError } from '../../src/shared/usage-error.ts';
import { okRecord, reportOf, targetsReportOf } from './helpers/synthetic.ts';

/** merge and compare of multi-target runs (--target): target by target. */

const ttfts = (from: number, n: number) => Array.from({ length: n }, (_, i) => okRecord('stream', from + i * 10));

describe('mergeTargetReports', () => {
  const one = targetsReportOf({ direct: ttfts(100, 10), gw: ttfts(150, 10) });
  const two = targetsReportOf({ gw: ttfts(400, 5), direct: ttfts(300, 5) });

  it('merges each target with the same target of the other files, exactly, whatever their order', () => {
    const m = mergeTargetReports([one, two], ['one.json', 'two.json']);
    assert.deepEqual(m.targets?.map((t) => t.name), ['direct', 'gw']);
    const direct = m.targets?.[0];
    const gw = m.targets?.[1];
    assert.equal(direct?.byMode.stream.ttftMs.count, 15);
    assert.equal(direct?.byMode.stream.ttftMs.min, 100);
    assert.equal(direct?.byMode.stream.ttftMs.max, 340);
    assert.equal(gw?.byMode.stream.ttftMs.min, 150);
    assert.equal(gw?.byMode.stream.ttftMs.max, 440);
    // The top level is the reference's merged run; the verdict is not carried over, and the notes say why.
    assert.equal(m.totals.requests, 15);
    assert.equal(m.comparison, undefined);
    assert.ok((m.settings.mergeNotes as string[]).some((n) => n.startsWith('comparison: not merged')));
  });

  it('refuses different targets, naming both sets, and a run of one endpoint among them', () => {
    const other = targetsReportOf({ direct: ttfts(100, 3), proxy: ttfts(100, 3) });
    assert.throws(
      () => mergeTargetReports([one, other], ['one.json', 'other.json']),
      (e: unknown) => e instanceof UsageError && /other\.json has the targets direct, proxy, but one\.json has direct, gw: merge only merges runs of the same targets/.test(e.message),
    );
    assert.throws(
      () => mergeTargetReports([reportOf(ttfts(100, 3)), one], ['single.json', 'one.json']),
      (e: unknown) => e instanceof UsageError && /one\.json is a multi-target run \(direct, gw\) but single\.json is a run of one endpoint/.test(e.message),
    );
  });
});

describe('compareTargets', () => {
  const before = targetsReportOf({ direct: ttfts(100, 10), gw: ttfts(150, 10), old: ttfts(100, 3) });
  const after = targetsReportOf({ direct: ttfts(100, 10), gw: ttfts(300, 10) });

  it('compares each target with the same target of the other run, and names those in one file only', () => {
    const text = compareTargets(before, after, 'before.json', 'after.json');
    assert.match(text, /^note: targets in one file only, left out: old \(before\.json\)/);
    assert.match(text, /== target direct ==[\s\S]*TTFT p50 stream[^\n]*same/);
    assert.match(text, /== target gw ==[\s\S]*TTFT p50 stream[^\n]*WORSE/);
  });

  it('refuses a multi-target run against a single one, and runs with no target in common', () => {
    assert.throws(() => compareTargets(before, reportOf(ttfts(100, 3)), 'before.json', 'single.json'), (e: unknown) => e instanceof UsageError && /before\.json is a multi-target run \(direct, gw, old\) and single\.json a run of one endpoint/.test(e.message));
    const other = targetsReportOf({ x: ttfts(100, 3), y: ttfts(100, 3) });
    assert.throws(() => compareTargets(before, other, 'before.json', 'other.json'), /no target in common/);
  });
});
