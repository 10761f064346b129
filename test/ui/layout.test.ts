import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeLayout } from '../../src/ui/layout.ts';

function total(l: ReturnType<typeof computeLayout>): number {
  return l.header + l.stats + l.chart + l.errors + l.panes + l.footer + l.help;
}

test('the frame always stays one line shorter than the terminal', () => {
  for (const rows of [3, 8, 12, 16, 20, 24, 30, 40, 60, 100]) {
    for (const errorGroups of [0, 1, 3, 9]) {
      for (const footerLines of [1, 2]) {
        const l = computeLayout({ rows, errorGroups, helpOpen: false, footerLines });
        assert.equal(total(l), rows - 1, `rows ${rows}`);
        assert.equal(l.height, rows - 1);
        const h = computeLayout({ rows, errorGroups, helpOpen: true, footerLines });
        assert.equal(total(h), rows - 1);
      }
    }
  }
});

test('80x24 with a two-line footer: header, table, chart, panes, errors', () => {
  const l = computeLayout({ rows: 24, errorGroups: 3, helpOpen: false, footerLines: 2 });
  assert.deepEqual(
    { header: l.header, stats: l.stats, chart: l.chart, errors: l.errors, panes: l.panes, footer: l.footer },
    { header: 2, stats: 4, chart: 6, errors: 3, panes: 6, footer: 2 },
  );
});

test('no errors, no error lines; small terminals drop the chart before the panes', () => {
  assert.equal(computeLayout({ rows: 24, errorGroups: 0, helpOpen: false }).errors, 0);
  const small = computeLayout({ rows: 12, errorGroups: 0, helpOpen: false });
  assert.equal(small.chart, 0);
  assert.ok(small.panes >= 2);
});

test('several targets: the table takes a row per mode and target, and panes come in whole rows', () => {
  // 80x24, two targets, a two-line footer: 6 lines of table, the chart gets the lines a pane row cannot use.
  const two = computeLayout({ rows: 24, errorGroups: 0, helpOpen: false, footerLines: 2, statsLines: 6 });
  assert.deepEqual({ stats: two.stats, chart: two.chart, panes: two.panes }, { stats: 6, chart: 7, panes: 6 });
  assert.equal(two.header + two.stats + two.chart + two.errors + two.panes + two.footer, two.height);
  // 120x40, four targets.
  const four = computeLayout({ rows: 40, errorGroups: 0, helpOpen: false, footerLines: 1, statsLines: 10 });
  assert.equal(four.stats, 10);
  assert.ok(four.chart >= 10, `chart ${four.chart}`);
  assert.ok(four.panes >= 6 && four.panes % 3 === 0, `panes ${four.panes}`);
  assert.equal(four.header + four.stats + four.chart + four.errors + four.panes + four.footer, four.height);
});
