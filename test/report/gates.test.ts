import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/shared/usage-error.ts';
import { checkGateTargets, evaluateGates, parseFailIf, type Gate } from '../../src/report/gates.ts';
import { applyExtras } from '../../src/report/extras.ts';
import { applyTargetsExtras } from '../../src/report/targets-extras.ts';
import { LatencyHistogram } from '../../src/engine/histogram.ts';
import { okRecord, rec, reportOf, targetsReportOf } from './helpers/synthetic.ts';

const FLAG = '--fail-if';

function one(raw: string): Gate {
  const g = parseFailIf(FLAG, raw);
  assert.equal(g.length, 1);
  const first = g[0];
  assert.ok(first);
  return first;
}

function rejects(raw: string, ...fragments: string[]): void {
  assert.throws(
    () => parseFailIf(FLAG, raw),
    (e: unknown) => {
      assert.ok(e instanceof UsageError, `expected UsageError for ${raw}`);
      assert.ok(e.message.includes(FLAG), e.message);
      assert.ok(e.message.includes(JSON.stringify(raw)), `message names the value: ${e.message}`);
      assert.ok(e.message.includes('FUNC(METRIC[.MODE])'), `message gives the grammar: ${e.message}`);
      for (const f of fragments) assert.ok(e.message.includes(f), `expected "${f}" in: ${e.message}`);
      return true;
    },
  );
}

describe('parseFailIf: latency conditions', () => {
  it('reads FUNC(METRIC) OP VALUE with ms', () => {
    assert.deepEqual(one('p95(ttft)<800ms'), {
      kind: 'latency',
      source: 'p95(ttft)<800ms',
      func: 'p95',
      metric: 'ttft',
      op: '<',
      limitMs: 800,
      unit: 'ms',
    });
  });
  it('converts seconds and defaults to ms without a unit', () => {
    const s = one('p99(e2e)<10s');
    assert.equal(s.kind === 'latency' && s.limitMs, 10_000);
    const bare = one('mean(itl)<=50');
    assert.equal(bare.kind === 'latency' && bare.limitMs, 50);
    assert.equal(bare.kind === 'latency' && bare.op, '<=');
  });
  it('accepts every function, metric and operator', () => {
    for (const f of ['mean', 'min', 'max', 'p50', 'p90', 'p95', 'p99'])
      for (const m of ['ttft', 'ttfb', 'itl', 'tpot', 'e2e', 'queue'])
        for (const op of ['<', '<=', '>', '>=']) {
          const g = one(`${f}(${m})${op}1.5s`);
          assert.ok(g.kind === 'latency' && g.func === f && g.metric === m && g.op === op && g.limitMs === 1500);
        }
  });
  it('reads a mode, including the summary spelling non-stream', () => {
    const s = one('p50(ttft.stream)<1s');
    assert.equal(s.kind === 'latency' && s.mode, 'stream');
    const n = one('p50(ttft.non-stream)<1s');
    assert.equal(n.kind === 'latency' && n.mode, 'nonstream');
    assert.equal(n.source, 'p50(ttft.nonstream)<1s');
  });
  it('ignores case, spaces and empty items', () => {
    const g = parseFailIf(FLAG, ' P95 ( TTFT ) < 800 MS , , error-rate < 1 % ,');
    assert.equal(g.length, 2);
    assert.equal(g[0]?.source, 'p95(ttft)<800ms');
    assert.equal(g[1]?.source, 'error-rate<1%');
  });
  it('reads the example from the issue', () => {
    const g = parseFailIf(FLAG, 'p95(ttft)<800ms,error-rate<1%,p99(e2e)<10s');
    assert.deepEqual(
      g.map((x) => x.source),
      ['p95(ttft)<800ms', 'error-rate<1%', 'p99(e2e)<10s'],
    );
  });
});

describe('parseFailIf: scalar conditions', () => {
  it('error-rate in percent or as a fraction', () => {
    const pct = one('error-rate<1%');
    assert.ok(pct.kind === 'scalar' && pct.metric === 'error-rate' && pct.limit === 1);
    const frac = one('error-rate<0.01');
    assert.ok(frac.kind === 'scalar' && frac.limit === 1);
    const pt = one('error-rate<.5%');
    assert.ok(pt.kind === 'scalar' && pt.limit === 0.5);
  });
  it('success-rate, rps, tokens-per-sec, goodput', () => {
    const s = one('success-rate>99%');
    assert.ok(s.kind === 'scalar' && s.metric === 'success-rate' && s.op === '>' && s.limit === 99);
    const r = one('rps>5');
    assert.ok(r.kind === 'scalar' && r.metric === 'rps' && r.limit === 5);
    const r2 = one('rps>=5/s');
    assert.ok(r2.kind === 'scalar' && r2.op === '>=' && r2.limit === 5);
    const t = one('tokens-per-sec>=1200');
    assert.ok(t.kind === 'scalar' && t.metric === 'tokens-per-sec' && t.limit === 1200);
    const g = one('goodput>2.5');
    assert.ok(g.kind === 'scalar' && g.metric === 'goodput' && g.limit === 2.5);
  });
});

describe('parseFailIf: rejects with the flag, the value, the grammar and the problem', () => {
  it('empty', () => rejects(''));
  it('only commas', () => rejects(' , ,'));
  it('unknown function', () => rejects('p42(ttft)<1s', 'unknown function "p42"'));
  it('unknown metric', () => rejects('p95(foo)<1s', 'unknown metric "foo"'));
  it('unknown mode', () => rejects('p95(ttft.both)<1s', 'unknown mode "both"'));
  it('unknown latency unit', () => rejects('p95(ttft)<1h', 'unknown unit "h"'));
  it('percent on a latency', () => rejects('p95(ttft)<5%', 'unknown unit "%"'));
  it('no comparison', () => rejects('p95(ttft)=800', 'no comparison'));
  it('not a number', () => rejects('p95(ttft)<abc', 'in "p95(ttft)<abc"'));
  it('bare rate above 1', () => rejects('error-rate<5', 'write 5% for a percentage'));
  it('rate above 100 %', () => rejects('success-rate>150%', '0% to 100%'));
  it('unit on a per-second rate', () => rejects('rps>5ms', 'drop the unit "ms"'));
  it('unknown scalar', () => rejects('latency<5', 'unknown condition "latency"'));
  it('metric without a function', () => rejects('ttft<500ms', 'p95(ttft)<800ms'));
  it('names the bad item among good ones', () => rejects('p95(ttft)<800ms,p95(tft)<1s', 'in "p95(tft)<1s"'));
  it('uses the flag it is given', () => {
    assert.throws(() => parseFailIf('--other', 'x'), /--other/);
  });
});

/** 10 stream requests with TTFT 100..1000 ms, 5 non-stream with 2000..2400, 1 failure. */
function sampleReport(extras?: Record<string, unknown>) {
  const records = [
    ...Array.from({ length: 10 }, (_, i) => okRecord('stream', (i + 1) * 100)),
    ...Array.from({ length: 5 }, (_, i) => okRecord('nonstream', 2000 + i * 100)),
    rec({ mode: 'stream', outcome: 'failed', errorCode: 'http_500' }),
  ];
  return reportOf(records, { durationMs: 10_000, ...(extras ? { extras } : {}) });
}

function expectedPercentile(values: number[], p: number): number {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  const out = p === -1 ? h.mean : h.percentile(p);
  h.dispose();
  return out;
}

describe('evaluateGates', () => {
  const streamTtft = Array.from({ length: 10 }, (_, i) => (i + 1) * 100);
  const nonTtft = Array.from({ length: 5 }, (_, i) => 2000 + i * 100);

  it('merges both modes by default and reads one mode when asked', () => {
    const r = sampleReport();
    const { results } = evaluateGates(r, parseFailIf(FLAG, 'p50(ttft)<10s,p50(ttft.stream)<10s,p50(ttft.nonstream)<10s,mean(ttft)<10s'));
    assert.equal(results[0]?.actual, expectedPercentile([...streamTtft, ...nonTtft], 50));
    assert.equal(results[1]?.actual, expectedPercentile(streamTtft, 50));
    assert.equal(results[2]?.actual, expectedPercentile(nonTtft, 50));
    assert.equal(results[3]?.actual, expectedPercentile([...streamTtft, ...nonTtft], -1));
    assert.ok(results.every((x) => x.pass));
  });

  it('min and max are exact', () => {
    const { results } = evaluateGates(sampleReport(), parseFailIf(FLAG, 'min(ttft)>=100ms,max(ttft)<=2400ms'));
    assert.equal(results[0]?.actual, 100);
    assert.equal(results[1]?.actual, 2400);
    assert.ok(results[0]?.pass && results[1]?.pass);
  });

  it('says by how much a gate failed', () => {
    const r = reportOf(Array.from({ length: 20 }, () => okRecord('stream', 912)));
    const ev = evaluateGates(r, parseFailIf(FLAG, 'p95(ttft)<800ms'));
    assert.equal(ev.pass, false);
    assert.deepEqual(ev.results[0], {
      gate: 'p95(ttft)<800ms',
      limit: 800,
      pass: false,
      actual: 912,
      text: 'p95(ttft) = 912 ms, limit < 800 ms: over by 112 ms (14 %)',
    });
  });

  it('speaks seconds back when the limit was in seconds, and "under by" for lower bounds', () => {
    const r = reportOf(Array.from({ length: 4 }, () => okRecord('stream', 3000)));
    const [e2e, min] = evaluateGates(r, parseFailIf(FLAG, 'p99(e2e)<10s,min(ttft)>4s')).results;
    assert.equal(e2e?.text, 'p99(e2e) = 12 s, limit < 10 s: over by 2 s (20 %)');
    assert.equal(min?.text, 'min(ttft) = 3 s, limit > 4 s: under by 1 s (25 %)');
  });

  it('a miss of more than 10x reads as a ratio, and the limit reads as typed', () => {
    const r = reportOf([okRecord('stream', 5000)]);
    const [res] = evaluateGates(r, parseFailIf(FLAG, 'max(ttft)<1ms')).results;
    assert.equal(res?.text, 'max(ttft) = 5000 ms, limit < 1 ms: over by 4999 ms (5000x the limit)');
  });

  it('a value equal to a strict limit fails', () => {
    const r = reportOf([okRecord('stream', 800)]);
    const [res] = evaluateGates(r, parseFailIf(FLAG, 'max(ttft)<800')).results;
    assert.equal(res?.pass, false);
    assert.match(res?.text ?? '', /at the limit/);
    const [le] = evaluateGates(r, parseFailIf(FLAG, 'max(ttft)<=800')).results;
    assert.equal(le?.pass, true);
  });

  it('a metric with no samples fails, never passes silently', () => {
    const r = reportOf([okRecord('stream', 100)]);
    const ev = evaluateGates(r, parseFailIf(FLAG, 'p95(ttft.nonstream)<1s,p95(itl.nonstream)>0'));
    assert.equal(ev.pass, false);
    for (const x of ev.results) {
      assert.equal(x.pass, false);
      assert.ok(Number.isNaN(x.actual));
      assert.match(x.text, /no samples in nonstream mode/);
    }
    const empty = reportOf([rec({ mode: 'stream', outcome: 'failed' })]);
    const [all] = evaluateGates(empty, parseFailIf(FLAG, 'p95(ttft)<1s')).results;
    assert.equal(all?.pass, false);
    assert.match(all?.text ?? '', /no samples/);
  });

  it('error-rate and success-rate count failures over requests', () => {
    const r = sampleReport(); // 1 failed of 16
    const [err, ok, ok2] = evaluateGates(r, parseFailIf(FLAG, 'error-rate<1%,success-rate>90%,error-rate<0.1')).results;
    assert.equal(err?.actual, 100 / 16);
    assert.equal(err?.pass, false);
    assert.match(err?.text ?? '', /error-rate = 6\.25 % \(1 of 16 failed\), limit < 1 %: over by 5\.25 percentage points/);
    assert.equal(ok?.actual, 100 - 100 / 16);
    assert.equal(ok?.pass, true);
    assert.equal(ok2?.pass, true);
  });

  it('a rate gate with no requests fails', () => {
    const r = reportOf([]);
    const [x] = evaluateGates(r, parseFailIf(FLAG, 'error-rate<1%')).results;
    assert.equal(x?.pass, false);
    assert.match(x?.text ?? '', /no requests/);
  });

  it('rps and tokens-per-sec from the totals', () => {
    const r = sampleReport(); // 15 ok in 10 s, 20 tokens each
    const [rps, tps] = evaluateGates(r, parseFailIf(FLAG, 'rps>2,tokens-per-sec>=30')).results;
    assert.equal(rps?.actual, 1.5);
    assert.equal(rps?.pass, false);
    assert.match(rps?.text ?? '', /under by 0\.5 req\/s \(25 %\)/);
    assert.equal(tps?.actual, 30);
    assert.equal(tps?.pass, true);
  });

  it('goodput needs --slo', () => {
    const [no] = evaluateGates(sampleReport(), parseFailIf(FLAG, 'goodput>1')).results;
    assert.equal(no?.pass, false);
    assert.match(no?.text ?? '', /no --slo given/);
    const withGp = sampleReport({ goodput: { met: 12, total: 16, perSec: 1.2, basis: 'per request' } });
    const [yes] = evaluateGates(withGp, parseFailIf(FLAG, 'goodput>1')).results;
    assert.equal(yes?.pass, true);
    assert.equal(yes?.actual, 1.2);
  });

  it('pass is the AND of every result', () => {
    const r = sampleReport();
    assert.equal(evaluateGates(r, parseFailIf(FLAG, 'max(ttft)<3s,rps>1')).pass, true);
    assert.equal(evaluateGates(r, parseFailIf(FLAG, 'max(ttft)<3s,rps>100')).pass, false);
  });
});

describe('applyExtras with --fail-if', () => {
  it('lists each gate and sets exit code 1 when one fails', () => {
    const r = sampleReport();
    const out = applyExtras(r, { failIf: 'max(ttft)<3s,error-rate<1%' });
    assert.equal(out.exitCode, 1);
    const text = out.lines.join('\n');
    assert.match(text, /PASS {2}max\(ttft\)/);
    assert.match(text, /FAIL {2}error-rate/);
    assert.match(text, /1 gate\(s\) failed: exit code 1/);
    const gates = r.extras?.gates as { pass: boolean; results: unknown[] };
    assert.equal(gates.pass, false);
    assert.equal(gates.results.length, 2);
  });
  it('exit code 0 when all pass', () => {
    assert.equal(applyExtras(sampleReport(), { failIf: 'max(ttft)<3s' }).exitCode, 0);
  });
});

describe('parseFailIf: targets (@NAME) and limits that are another measurement', () => {
  it('reads p95(ttft@gateway) < p95(ttft@direct) + 50ms, the example from the issue', () => {
    assert.deepEqual(one('p95(ttft@gateway) < p95(ttft@direct) + 50ms'), {
      kind: 'latency',
      source: 'p95(ttft@gateway)<p95(ttft@direct)+50ms',
      func: 'p95',
      metric: 'ttft',
      target: 'gateway',
      op: '<',
      limitMs: 50,
      unit: 'ms',
      relative: { func: 'p95', metric: 'ttft', target: 'direct', factor: 1 },
    });
  });
  it('keeps the case of target names, and reads modes, factors, negative margins and seconds', () => {
    const g = one('P99(E2E.Stream@GW-2.eu)<=p50(e2e.stream@Direct)*1.5-0.5S');
    assert.ok(g.kind === 'latency');
    assert.equal(g.target, 'GW-2.eu');
    assert.equal(g.mode, 'stream');
    assert.equal(g.limitMs, -500);
    assert.equal(g.unit, 's');
    assert.deepEqual(g.relative, { func: 'p50', metric: 'e2e', mode: 'stream', target: 'Direct', factor: 1.5 });
    assert.equal(g.source, 'p99(e2e.stream@GW-2.eu)<=p50(e2e.stream@Direct)*1.5-0.5s');
    const bare = one('p50(ttft@b)<p50(ttft)');
    assert.ok(bare.kind === 'latency' && bare.limitMs === 0 && bare.relative?.target === undefined);
  });
  it('a rate can name a target too', () => {
    const g = one('error-rate@gw<1%');
    assert.ok(g.kind === 'scalar' && g.target === 'gw' && g.limit === 1 && g.source === 'error-rate@gw<1%');
  });
  it('rejects a bad limit and a bad margin unit, naming the condition', () => {
    rejects('p95(ttft@a)<p95(ttft@b)+5%', 'unknown unit "%"');
    rejects('p95(ttft@a)<p95(nope@b)', 'unknown metric "nope"');
    rejects('p95(ttft@a)<p95(ttft@b)+', 'after < a limit');
  });
});

describe('checkGateTargets', () => {
  const gates = parseFailIf(FLAG, 'p95(ttft@gateway)<p95(ttft@direct)+50ms,error-rate@gw<1%');
  it('passes when every @NAME is a target', () => {
    checkGateTargets(FLAG, 'x', gates, ['direct', 'gateway', 'gw']);
  });
  it('an unknown name is a usage error listing the targets', () => {
    assert.throws(
      () => checkGateTargets(FLAG, 'raw', gates, ['direct', 'gateway']),
      (e: unknown) => e instanceof UsageError && /names target "gw", which is not one of this run's targets: direct, gateway/.test(e.message) && e.message.includes(FLAG),
    );
    assert.throws(() => checkGateTargets(FLAG, 'raw', gates, ['Direct', 'gateway', 'gw']), /target "direct".*case-sensitive/);
  });
  it('a run of one endpoint refuses @NAME, and takes gates without it', () => {
    assert.throws(() => checkGateTargets(FLAG, 'raw', gates, undefined), (e: unknown) => e instanceof UsageError && /the run has one endpoint/.test(e.message));
    checkGateTargets(FLAG, 'raw', parseFailIf(FLAG, 'p95(ttft)<1s,p99(ttft.stream)<p50(ttft.nonstream)*3'), undefined);
  });
});

describe('evaluateGates on a multi-target report', () => {
  // a: TTFT 100..1000 ms; b: the same plus 50 ms; c: nothing measured (every request failed).
  const a = Array.from({ length: 10 }, (_, i) => okRecord('stream', (i + 1) * 100));
  const b = a.map((r) => okRecord('stream', (r.ttftMs ?? 0) + 50));
  const c = a.map(() => rec({ mode: 'stream', outcome: 'failed', errorCode: 'http_500' }));
  const report = targetsReportOf({ a, b, c });
  const p50 = (values: number[]): number => expectedPercentile(values, 50);
  const aTtft = a.map((r) => r.ttftMs ?? 0);
  const bTtft = b.map((r) => r.ttftMs ?? 0);

  it('reads the named target, and the reference without @', () => {
    const [named, bare] = evaluateGates(report, parseFailIf(FLAG, 'p50(ttft@b)<10s,p50(ttft)<10s')).results;
    assert.equal(named?.actual, p50(bTtft));
    assert.equal(bare?.actual, p50(aTtft));
    // Messages name the reference, so a CI log says whose number it is.
    assert.match(bare?.text ?? '', /^p50\(ttft@a\) = /);
  });

  it('fails when b adds more than the margin, and says by how much', () => {
    const ev = evaluateGates(report, parseFailIf(FLAG, 'p50(ttft@b)<p50(ttft@a)+20ms'));
    assert.equal(ev.pass, false);
    const res = ev.results[0];
    assert.equal(res?.limit, p50(aTtft) + 20);
    assert.match(res?.text ?? '', /^p50\(ttft@b\) = [\d.]+ ms, limit < p50\(ttft@a\) \+ 20 ms = [\d.]+ ms: over by [\d.]+ ms/);
  });

  it('passes when the margin covers the difference; a factor scales the other side', () => {
    assert.equal(evaluateGates(report, parseFailIf(FLAG, 'p50(ttft@b)<p50(ttft@a)+100ms')).pass, true);
    assert.equal(evaluateGates(report, parseFailIf(FLAG, 'p50(ttft@b)<p50(ttft@a)*1.2')).pass, true);
    assert.equal(evaluateGates(report, parseFailIf(FLAG, 'p50(ttft@b)<p50(ttft@a)*1.01')).pass, false);
  });

  it('a side with no samples fails, whichever side it is', () => {
    const [left, right] = evaluateGates(report, parseFailIf(FLAG, 'p50(ttft@c)<p50(ttft@a)+1s,p50(ttft@a)<p50(ttft@c)+1s')).results;
    assert.equal(left?.pass, false);
    assert.match(left?.text ?? '', /p50\(ttft@c\): no samples/);
    assert.equal(right?.pass, false);
    assert.match(right?.text ?? '', /the limit cannot be measured, p50\(ttft@c\): no samples/);
  });

  it('rates per target, and an unknown target fails rather than passing', () => {
    const [errC, errA, unknown] = evaluateGates(report, parseFailIf(FLAG, 'error-rate@c<1%,error-rate<1%,p50(ttft@zz)<1s')).results;
    assert.equal(errC?.pass, false);
    assert.match(errC?.text ?? '', /^error-rate@c = 100 %/);
    assert.equal(errA?.pass, true);
    assert.equal(unknown?.pass, false);
    assert.match(unknown?.text ?? '', /no target "zz"/);
  });

  it('applyTargetsExtras: gates into the top-level extras, exit code 1 on a failure, and an unknown name refused', () => {
    const r = targetsReportOf({ a, b });
    const out = applyTargetsExtras(r, { failIf: 'p50(ttft@b)<p50(ttft@a)+20ms,p50(ttft@b)<p50(ttft@a)+100ms' });
    assert.equal(out.exitCode, 1);
    const text = out.lines.join('\n');
    assert.match(text, /a metric without @ is the reference's, a/);
    assert.match(text, /FAIL {2}p50\(ttft@b\)/);
    assert.match(text, /PASS {2}p50\(ttft@b\)/);
    assert.equal((r.extras?.gates as { pass: boolean }).pass, false);
    assert.equal(applyTargetsExtras(targetsReportOf({ a, b }), { failIf: 'p50(ttft@b)<p50(ttft@a)+100ms' }).exitCode, 0);
    assert.throws(() => applyTargetsExtras(targetsReportOf({ a, b }), { failIf: 'p50(ttft@x)<1s' }), UsageError);
  });
});
