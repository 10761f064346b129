import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newModeSet } from '../../src/engine/stats.ts';
import { formatMarkdown, mdCell } from '../../src/report/markdown.ts';
import { applyExtras } from '../../src/report/extras.ts';
import { disposeSet, okRecord, segmentOf, rec, reportFrom, reportOf } from './helpers/synthetic.ts';

const HEADER = '| metric | n | mean | p50 | p90 | p95 | p99 | max |';

function sample() {
  return reportOf(
    [
      ...Array.from({ length: 4 }, (_, i) => okRecord('stream', 100 + i)),
      ...Array.from({ length: 2 }, () => okRecord('nonstream', 800)),
      rec({ mode: 'stream', outcome: 'failed', errorCode: 'http_429' }),
    ],
    {
      model: 'gpt-4o-mini',
      errors: { http_429: 1, http_500: 3 },
      errorMessages: { http_429: 'Too many | requests\nretry later', http_500: 'boom' },
      settings: { concurrency: 8, streamRatio: 0.5, rate: null, timeouts: { connectMs: 1 } },
    },
  );
}

describe('formatMarkdown', () => {
  it('has a heading, the target, settings and totals', () => {
    const md = formatMarkdown(sample());
    assert.match(md, /^# streamtop report\n/);
    assert.match(md, /\*\*Target:\*\* built-in simulator \(`http:\/\/127\.0\.0\.1:1\/v1`\), openai API, model `gpt-4o-mini`/);
    assert.match(md, /\*\*Settings:\*\* `concurrency=8`, `streamRatio=0\.5`\n/);
    assert.match(md, /## Totals\n\n\| requests \| ok \| failed \|/);
    assert.match(md, /\| 7 \| 6 \| 1 \| 0 \| 0 \| 0 \| 0\.60 \| 12 \| 120 \|/);
    assert.ok(md.endsWith('\n') && !md.endsWith('\n\n'));
  });

  it('one latency table per mode with a row per metric that has samples', () => {
    const md = formatMarkdown(sample());
    assert.match(md, /## Streaming latency \(ms\)/);
    assert.match(md, /## Non-streaming latency \(ms\)/);
    assert.equal(md.split(HEADER).length - 1, 2);
    assert.match(md, /\| TTFT \| 4 \| 102 \| 101 \| 103 \| 103 \| 103 \| 103 \|/);
    assert.match(md, /\| TTFT \| 2 \| 800 \| 800 \| 800 \| 800 \| 800 \| 800 \|/);
    const nonstream = md.slice(md.indexOf('## Non-streaming'));
    assert.doesNotMatch(nonstream.slice(0, nonstream.indexOf('##', 3)), /\| ITL \|/);
    assert.match(md, /\|:---\|---:\|---:\|---:\|---:\|---:\|---:\|---:\|/);
  });

  it('skips a mode with no requests', () => {
    const md = formatMarkdown(reportOf([okRecord('stream', 10)]));
    assert.doesNotMatch(md, /Non-streaming/);
  });

  it('errors table, most frequent first, cells escaped', () => {
    const md = formatMarkdown(sample());
    assert.match(md, /## Errors\n\n\| code \| count \| last message \|\n\|:---\|---:\|:---\|\n\| `http_500` \| 3 \| boom \|\n\| `http_429` \| 1 \| Too many \\\| requests retry later \|/);
  });

  it('segments table only when there is more than one segment', () => {
    assert.doesNotMatch(formatMarkdown(sample()), /By load setting/);
    const set = newModeSet();
    try {
      set.stream.add(okRecord('stream', 50));
      const r = reportFrom(set, { segments: [segmentOf(0, set, 5000, 4), segmentOf(1, set, 5000, 16)] });
      const md = formatMarkdown(r);
      assert.match(md, /## By load setting\n\n\| segment \| load \| stream % \| secs \|/);
      assert.match(md, /\| 1 \| c=16 \| 50 \| 5\.0 \| 1 \| 0\.20 \| stream \| 50\.0 \|/);
      const one = reportFrom(set, { segments: [segmentOf(0, set, 5000, 4)] });
      assert.doesNotMatch(formatMarkdown(one), /By load setting/);
    } finally {
      disposeSet(set);
    }
  });

  it('a load setting in which nothing completed shows no latency, not zeros', () => {
    const set = newModeSet();
    const empty = newModeSet();
    try {
      set.stream.add(okRecord('stream', 50));
      const r = reportFrom(set, { segments: [segmentOf(0, set, 5000, 4), segmentOf(1, empty, 3000, 16)] });
      const md = formatMarkdown(r);
      assert.match(md, /\| 1 \| c=16 \| 50 \| 3\.0 \| 0 \| 0 \| - \| - \| - \| - \| - \|/);
      assert.match(md, /\| 0 \| c=4 \| 50 \| 5\.0 \| 1 \| 0\.20 \| stream \| 50\.0 \|/);
    } finally {
      disposeSet(set);
      disposeSet(empty);
    }
  });

  it('extras: gates with ✅/❌, goodput and cost', () => {
    const r = sample();
    applyExtras(r, { failIf: 'p95(ttft)<1s,error-rate<1%', projectPerMonth: 1000 });
    r.extras = { ...r.extras, goodput: { met: 5, total: 7, perSec: 0.5, basis: 'per request' } };
    const md = formatMarkdown(r);
    assert.match(md, /## Gates\n\n❌ 1 of 2 failed/);
    assert.match(md, /\| ✅ \| `p95\(ttft\)<1s` \| p95\(ttft\) = 0\.8 s, limit < 1 s: ok \|/);
    assert.match(md, /\| ❌ \| `error-rate<1%` \| error-rate = 14\.29 %/);
    assert.match(md, /## Goodput\n\n5 of 7 requests met every SLO: \*\*0\.50 req\/s\*\* \(per request\)/);
    assert.match(md, /## Cost\n\n\|  \| cost \|/);
    assert.match(md, /\| this run \| \$/);
    assert.match(md, /\| a month \(1000 requests\) \| \$/);
    assert.match(md, /- cost \(model gpt-4o-mini, \$0\.15 in .*\)\n- this run: /);
    assert.doesNotMatch(md, /\| queue \|/);
  });

  it('all gates passing reads ✅', () => {
    const r = sample();
    applyExtras(r, { failIf: 'max(ttft)<1s' });
    assert.match(formatMarkdown(r), /✅ all 1 passed/);
  });

  it('ignores malformed extras from a hand-edited file', () => {
    const r = { ...sample(), extras: { gates: 'yes', goodput: { met: 'x' }, cost: { lines: 3 } } };
    const md = formatMarkdown(r);
    assert.doesNotMatch(md, /## Gates|## Goodput|## Cost/);
  });

  it('marks an interrupted run', () => {
    assert.match(formatMarkdown({ ...sample(), interrupted: true }), /^# streamtop report \(interrupted\)/);
  });
});

describe('mdCell', () => {
  it('escapes pipes and folds newlines', () => {
    assert.equal(mdCell('a|b\r\nc\nd'), 'a\\|b c d');
  });
});
