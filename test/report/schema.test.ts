import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COUNTERS, ModeAccumulator } from '../../src/engine/accumulator.ts';
import { METRIC_NAMES } from '../../src/engine/types.ts';
import { parseReport } from '../../src/report/load.ts';
import { reportJsonSchemaText } from '../../src/report/schema.ts';
import { okRecord, reportOf } from './helpers/synthetic.ts';

describe('report schema: one source', () => {
  it('docs/report.schema.json is what src/report/schema.ts generates (run `npm run docs:schema` after changing it)', () => {
    const committed = readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8');
    assert.equal(committed, reportJsonSchemaText());
  });

  it('the JSON Schema names every counter, latency summary and histogram the code writes', () => {
    const doc = JSON.parse(reportJsonSchemaText()) as { $defs: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    const mode = doc.$defs.ModeReport;
    const acc = doc.$defs.EncodedModeAccumulator;
    assert.ok(mode && acc);
    for (const m of METRIC_NAMES) assert.ok(`${m}Ms` in mode.properties, `${m}Ms in ModeReport`);
    for (const c of COUNTERS) assert.ok(c in acc.properties, `${c} in EncodedModeAccumulator`);
    // Later additions are optional in the published schema, so older reports stay valid.
    assert.ok(!(acc.required ?? []).includes('inputTokens'));
    assert.ok(!(mode.required ?? []).includes('connectMs'));
  });

  it('a built report carries exactly the fields the schema declares for a mode', () => {
    const report = reportOf([okRecord('stream', 120), okRecord('nonstream', 900)]);
    const doc = JSON.parse(reportJsonSchemaText()) as { $defs: Record<string, { properties: Record<string, unknown> }> };
    const declared = Object.keys(doc.$defs.ModeReport?.properties ?? {}).sort();
    assert.deepEqual(Object.keys(report.byMode.stream).sort(), declared);
    assert.deepEqual(Object.keys(report.histograms.stream).sort(), Object.keys(doc.$defs.EncodedModeAccumulator?.properties ?? {}).sort());
  });

  it('an old report without connectMs, tlsMs and inputTokens loads with empty values', () => {
    type Loose = Record<string, Record<string, Record<string, unknown>>>;
    const report = JSON.parse(JSON.stringify(reportOf([okRecord('stream', 120)]))) as Loose;
    for (const m of ['stream', 'nonstream']) {
      const byMode = report.byMode?.[m] ?? {};
      const histograms = report.histograms?.[m] ?? {};
      delete byMode.connectMs;
      delete byMode.tlsMs;
      delete byMode.inputTokens;
      delete histograms.inputTokens;
      delete histograms.connect;
      delete histograms.tls;
    }
    const loaded = parseReport(report, 'old.json');
    assert.equal(loaded.byMode.stream.connectMs.count, 0);
    assert.equal(loaded.byMode.stream.inputTokens, 0);
    const acc = ModeAccumulator.decode(loaded.histograms.stream);
    assert.equal(acc.n.inputTokens, 0);
    assert.equal(acc.requests, 1);
    acc.dispose();
  });
});

describe('ModeAccumulator: table-driven', () => {
  it('encode then decode keeps every counter and histogram, and merge adds each', () => {
    const a = new ModeAccumulator();
    a.add({ ...okRecord('stream', 100), connectMs: 2, tlsMs: 3, inputTokens: 7 });
    a.add(okRecord('stream', 300));
    const b = ModeAccumulator.decode(a.encode());
    for (const c of COUNTERS) assert.equal(b.n[c], a.n[c], c);
    for (const m of METRIC_NAMES) assert.equal(b.h[m].count, a.h[m].count, m);
    assert.equal(b.conn.connect.count, 1);
    assert.equal(b.conn.tls.count, 1);
    b.merge(a);
    for (const c of COUNTERS) assert.equal(b.n[c], 2 * a.n[c], c);
    assert.equal(b.h.ttft.count, 4);
    a.dispose();
    b.dispose();
  });
});
