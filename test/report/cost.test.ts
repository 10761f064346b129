import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PRICES_AS_OF, PRICE_TABLE, lookupPrice } from '../../src/report/prices.ts';
import { costOf, fmtUsd } from '../../src/report/cost.ts';
import { applyExtras } from '../../src/report/extras.ts';
import { okRecord, rec, reportOf } from './helpers/synthetic.ts';

describe('lookupPrice', () => {
  it('finds exact ids', () => {
    const p = lookupPrice('gpt-4o-mini');
    assert.equal(p?.in, 0.15);
    assert.equal(p?.out, 0.6);
    assert.match(p?.source ?? '', new RegExp(`gpt-4o-mini, list price as of ${PRICES_AS_OF}`));
    assert.equal(lookupPrice('claude-haiku-4-5')?.out, 5);
  });
  it('an exact snapshot entry wins over its family', () => {
    assert.deepEqual({ ...lookupPrice('gpt-4o-2024-05-13'), source: '' }, { in: 5, out: 15, source: '' });
    assert.equal(lookupPrice('gpt-4o-2024-08-06')?.in, 2.5);
  });
  it('resolves dated snapshots and -latest aliases to the longest matching family', () => {
    assert.equal(lookupPrice('gpt-4o-mini-2024-07-18')?.in, 0.15);
    assert.match(lookupPrice('gpt-4o-mini-2024-07-18')?.source ?? '', /gpt-4o-mini snapshot/);
    assert.equal(lookupPrice('gpt-4.1-nano-2025-04-14')?.out, 0.4);
    assert.equal(lookupPrice('o3-mini-2025-01-31')?.in, 1.1);
    assert.equal(lookupPrice('o3-2025-04-16')?.in, 2);
    assert.equal(lookupPrice('claude-sonnet-4-5-20250929')?.in, 3);
    assert.equal(lookupPrice('claude-opus-4-5-20251101')?.in, 5);
    assert.equal(lookupPrice('claude-opus-4-20250514')?.in, 15);
    assert.equal(lookupPrice('claude-opus-4-1-20250805')?.out, 75);
    assert.equal(lookupPrice('claude-3-5-haiku-20241022')?.in, 0.8);
    assert.equal(lookupPrice('claude-3-5-haiku-latest')?.out, 4);
    assert.equal(lookupPrice('gpt-5-chat-latest')?.out, 10);
  });
  it('ignores case and a router prefix', () => {
    assert.equal(lookupPrice('GPT-4o')?.in, 2.5);
    assert.equal(lookupPrice('openai/gpt-4.1-mini')?.in, 0.4);
    assert.equal(lookupPrice('anthropic/claude-sonnet-4')?.in, 3);
  });
  it('unknown models and different products under a known prefix are undefined', () => {
    assert.equal(lookupPrice('streamtop-sim'), undefined);
    assert.equal(lookupPrice('llama-3.1-8b'), undefined);
    assert.equal(lookupPrice(''), undefined);
    assert.equal(lookupPrice('gpt-4o-realtime-preview'), undefined);
    assert.equal(lookupPrice('gpt-5.2'), undefined);
    assert.equal(lookupPrice('gpt-4'), undefined);
  });
  it('covers the models the issue lists', () => {
    for (const id of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini',
      'claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-3-5-haiku'])
      assert.ok(PRICE_TABLE[id], id);
  });
});

/** 10 ok requests (20 output tokens, 5 input tokens each) and 1 failed, 10 s. */
function run(model: string, opts: { inputTokens?: number; extras?: Record<string, unknown> } = {}) {
  const recs = [
    ...Array.from({ length: 8 }, () => okRecord('stream', 100, { inputTokens: opts.inputTokens ?? 5 })),
    ...Array.from({ length: 2 }, () => okRecord('nonstream', 300, { inputTokens: opts.inputTokens ?? 5 })),
    rec({ mode: 'stream', outcome: 'failed' }),
  ];
  return reportOf(recs, { model, ...(opts.extras ? { extras: opts.extras } : {}) });
}

describe('costOf', () => {
  it('is undefined with no flags and an unknown model', () => {
    assert.equal(costOf(run('streamtop-sim'), {}), undefined);
  });

  it('prices from the flags: total, per request, tokens', () => {
    // 50 input tokens at $1/M + 200 output tokens at $2/M = $0.00045; 10 completed.
    const c = costOf(run('streamtop-sim'), { priceIn: 1, priceOut: 2 });
    assert.ok(c);
    assert.equal(c.inputTokens, 50);
    assert.equal(c.outputTokens, 200);
    assert.equal(c.source, '--price-in/--price-out');
    assert.ok(Math.abs(c.total - 0.00045) < 1e-15);
    assert.ok(Math.abs(c.perRequest - 0.000045) < 1e-15);
    assert.equal(c.inputCostKnown, true);
    assert.equal(c.projectedPerMonth, undefined);
    assert.match(c.lines.join('\n'), /this run: \$0\.000450, \$0\.0000450 per request over 10 completed/);
  });

  it('uses the built-in table for a known model, and a flag overrides one side', () => {
    const t = costOf(run('gpt-4o-mini-2024-07-18'), {});
    assert.ok(t);
    assert.equal(t.priceIn, 0.15);
    assert.equal(t.priceOut, 0.6);
    assert.match(t.source, /built-in table/);
    const o = costOf(run('gpt-4o-mini'), { priceOut: 1 });
    assert.equal(o?.priceIn, 0.15);
    assert.equal(o?.priceOut, 1);
    assert.match(o?.source ?? '', /with --price-out/);
  });

  it('one flag and an unknown model: the other side is $0 and says so', () => {
    const c = costOf(run('my-model'), { priceOut: 10 });
    assert.equal(c?.priceIn, 0);
    assert.match(c?.lines.join('\n') ?? '', /no --price-in given and model my-model is not in the built-in table/);
  });

  it('projects per-request cost to N requests a month', () => {
    const c = costOf(run('x'), { priceIn: 1, priceOut: 2, projectPerMonth: 1_000_000 });
    assert.ok(c?.projectedPerMonth !== undefined && Math.abs(c.projectedPerMonth - 45) < 1e-9);
    assert.equal(c?.projectRequestsPerMonth, 1_000_000);
    assert.match(c?.lines.join('\n') ?? '', /projected: \$45\.00 a month at 1\.00M requests a month/);
  });

  it('says input cost is unknown when the server reported no prompt tokens', () => {
    const c = costOf(run('x', { inputTokens: 0 }), { priceIn: 1, priceOut: 2 });
    assert.ok(c);
    assert.equal(c.inputCostKnown, false);
    assert.equal(c.inputTokens, 0);
    assert.ok(Math.abs(c.total - 0.0004) < 1e-15);
    const text = c.lines.join('\n');
    assert.match(text, /input cost unknown: the server did not report prompt tokens/);
    assert.match(text, /\(output only\)/);
    assert.match(text, /tokens: unknown in/);
  });

  it('prices the tokens early stop saved', () => {
    const c = costOf(run('x', { extras: { earlyStop: { tokensSaved: 500_000 } } }), { priceIn: 1, priceOut: 2 });
    assert.deepEqual(c?.savedByEarlyStop, { tokens: 500_000, dollars: 1 });
    assert.match(c?.lines.join('\n') ?? '', /early stop saved about 500\.0k output tokens, \$1\.00/);
    const none = costOf(run('x', { extras: { earlyStop: { tokensSaved: null } } }), { priceIn: 1, priceOut: 2 });
    assert.equal(none?.savedByEarlyStop, undefined);
  });

  it('no completed request: per request 0, no projection', () => {
    const r = reportOf([rec({ mode: 'stream', outcome: 'failed' })], { model: 'x' });
    const c = costOf(r, { priceIn: 1, priceOut: 1, projectPerMonth: 10 });
    assert.equal(c?.perRequest, 0);
    assert.match(c?.lines.join('\n') ?? '', /no request completed/);
    assert.match(c?.lines.join('\n') ?? '', /projected: not possible/);
  });

  it('lands in report.extras.cost through applyExtras', () => {
    const r = run('gpt-4.1');
    const out = applyExtras(r, {});
    assert.equal(out.exitCode, 0);
    assert.ok(r.extras?.cost);
    assert.match(out.lines.join('\n'), /cost \(model gpt-4\.1, \$2 in \/ \$8 out per million tokens/);
  });
});

describe('fmtUsd', () => {
  it('keeps three significant digits for small amounts, cents above a dollar', () => {
    assert.equal(fmtUsd(0), '$0');
    assert.equal(fmtUsd(0.000123), '$0.000123');
    assert.equal(fmtUsd(0.05), '$0.0500');
    assert.equal(fmtUsd(0.5), '$0.500');
    assert.equal(fmtUsd(12.345), '$12.35');
    assert.equal(fmtUsd(123456.7), '$123,457');
  });
});
