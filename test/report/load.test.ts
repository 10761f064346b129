import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/shared/usage-error.ts';
import { loadReport } from '../../src/report/load.ts';
import type { Report } from '../../src/report/report.ts';
import { newModeSet } from '../../src/engine/stats.ts';
import { disposeSet, okRecord, reportFrom, reportOf, segmentOf } from './helpers/synthetic.ts';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'streamtop-load-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
}

function sample(): Report {
  return reportOf([okRecord('stream', 120), okRecord('nonstream', 900)], {
    errors: { http_429: 1 },
    errorMessages: { http_429: 'rate limited' },
    extras: { goodputCounts: { met: 1, total: 2 } },
  });
}

function rejects(path: string, ...fragments: RegExp[]): void {
  assert.throws(
    () => loadReport(path),
    (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.equal(e.exitCode, 2);
      assert.ok(e.message.includes(path), `names the file: ${e.message}`);
      for (const f of fragments) assert.match(e.message, f);
      return true;
    },
  );
}

describe('loadReport', () => {
  it('round-trips a saved report', () => {
    const r = sample();
    assert.deepEqual(loadReport(write('ok.json', r)), r);
  });

  it('keeps fields a newer version might add', () => {
    const r = { ...sample(), futureField: { a: 1 } };
    assert.deepEqual((loadReport(write('future.json', r)) as unknown as { futureField: unknown }).futureField, { a: 1 });
  });

  it('fills inputTokens missing from older reports with 0', () => {
    const r = JSON.parse(JSON.stringify(sample())) as { byMode: { stream: Record<string, unknown> } };
    delete r.byMode.stream.inputTokens;
    assert.equal(loadReport(write('old.json', r)).byMode.stream.inputTokens, 0);
  });

  it('reads the load settings of older reports, saved as "phases", as segments', () => {
    const set = newModeSet();
    try {
      set.stream.add(okRecord('stream', 50));
      const r = reportFrom(set, { segments: [segmentOf(0, set, 5000, 4), segmentOf(1, set, 5000, 16)] });
      const { segments, ...rest } = JSON.parse(JSON.stringify(r)) as Report;
      const loaded = loadReport(write('phases.json', { ...rest, phases: segments }));
      assert.equal(loaded.segments.length, 2);
      assert.deepEqual(loaded.segments, segments);
      assert.equal((loaded as unknown as { phases?: unknown }).phases, undefined);
    } finally {
      disposeSet(set);
    }
  });

  it('missing file', () => rejects(join(dir, 'nope.json'), /cannot read report/, /no such file/));

  it('item 11: reads a run the user ended with q (stop reason "user", not interrupted)', () => {
    const r = { ...sample(), stopReason: 'user' as const, interrupted: false };
    const back = loadReport(write('user.json', r));
    assert.equal(back.stopReason, 'user');
    assert.equal(back.interrupted, false);
  });
  it('a directory', () => {
    const d = join(dir, 'adir');
    mkdirSync(d);
    rejects(d, /it is a directory/);
  });
  it('not JSON', () => rejects(write('bad.json', '{"schema": '), /is not JSON/, /--json/));
  it('JSON but not a report', () => rejects(write('arr.json', [1, 2]), /not a streamtop report: no "schema" field/));
  it('another schema', () =>
    rejects(write('v2.json', { ...sample(), schema: 'streamtop.report/2' }), /schema "streamtop\.report\/2", expected "streamtop\.report\/1"/));
  it('a wrong field names its path', () => {
    const r = JSON.parse(JSON.stringify(sample())) as { byMode: { stream: { ttftMs: Record<string, unknown> } } };
    r.byMode.stream.ttftMs.p95 = 'fast';
    rejects(write('field.json', r), /not a valid streamtop\.report\/1 report/, /byMode\.stream\.ttftMs\.p95/);
  });
  it('a missing section names it', () => {
    const r = JSON.parse(JSON.stringify(sample())) as Record<string, unknown>;
    delete r.histograms;
    rejects(write('nohist.json', r), /histograms/);
  });
  it('an unknown api names it', () => {
    const r = JSON.parse(JSON.stringify(sample())) as { target: Record<string, unknown> };
    r.target.api = 'gemini';
    rejects(write('api.json', r), /target\.api/);
  });
  it('caps the list of problems', () => {
    const r = JSON.parse(JSON.stringify(sample())) as { byMode: { stream: { ttftMs: Record<string, unknown> } } };
    for (const k of ['count', 'mean', 'min', 'p50', 'p90', 'p95', 'p99', 'max']) r.byMode.stream.ttftMs[k] = 'x';
    rejects(write('many.json', r), /and 3 more/);
  });
  it('a corrupt histogram', () => {
    const r = JSON.parse(JSON.stringify(sample())) as Report;
    r.histograms.stream.histograms.ttft.hdr = 'bm90IGEgaGlzdG9ncmFt';
    rejects(write('hdr.json', r), /histograms\.stream\.histograms\.ttft is not a valid HdrHistogram encoding/);
  });
});
