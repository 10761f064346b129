import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Engine } from '../../src/engine/engine.ts';
import { MODES, type RequestRecord } from '../../src/engine/types.ts';
import { buildReport } from '../../src/report/report.ts';
import { startLiveMetrics, startTargetsMetrics } from '../../src/run/live-metrics.ts';
import { serveMetrics } from '../../src/run/metrics-server.ts';
import { BUCKETS, METRIC_NAMES, PrometheusExporter, type MetricsSource } from '../../src/run/prometheus.ts';
import { GapHistogram } from '../../src/run/gap-histogram.ts';
import { listenAddress } from '../../src/flags/values.ts';
import { UsageError } from '../../src/shared/usage-error.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { openAiChunk, openAiJson, openAiUsage, sleep, sseHeaders, startScriptedServer, type Script } from '../helpers/scripted-server.ts';
import { waitFor } from '../helpers/sim-helpers.ts';
import { counterSeries, ExpositionError, parseExposition, valueOf, type Family } from '../helpers/prom-text.ts';

/** Streams and whole answers, with a 500 for every seventh request: every outcome label but early stop. */
const mixedScript = (): Script => {
  let n = 0;
  return async (req, res, body) => {
    if (req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    n++;
    await sleep(15);
    if (n % 7 === 0) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
      return;
    }
    if ((JSON.parse(body) as { stream?: boolean }).stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(openAiJson('a whole answer', 4));
      return;
    }
    sseHeaders(res);
    for (let i = 0; i < 5; i++) {
      if (i > 0) await sleep(3);
      res.write(openAiChunk(` w${i}`));
    }
    res.write(openAiUsage(5));
    res.end('data: [DONE]\n\n');
  };
};

async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

const measured = (f: Map<string, Family>): number => valueOf(f, METRIC_NAMES.requests);

test('a run scraped twice while running and once after: counters only grow, and the final values equal the report', async () => {
  const server = await startScriptedServer(mixedScript());
  const engine = new Engine(
    testConfig(server.url, { load: { concurrency: 4, streamRatio: 0.5, requests: 120, warmup: 3, seed: 7 } }),
  );
  const live = await startLiveMetrics({ engine, target: { label: server.url, api: 'openai', model: 'test-model', simulated: false } }, { host: '127.0.0.1', port: 0 });
  try {
    const startedAt = Date.now();
    await engine.start();
    await waitFor(async () => measured(await scrape(live.url)) >= 10, 20_000, 'ten requests counted');
    const first = await scrape(live.url);
    const firstCount = measured(first);
    await waitFor(async () => measured(await scrape(live.url)) >= firstCount + 10, 20_000, 'ten more requests counted');
    const second = await scrape(live.url);
    // Mid-run, with requests in flight: the gauges read the engine at the scrape.
    assert.equal(valueOf(second, METRIC_NAMES.poolSize), 4);
    const outcome = await engine.done;
    const last = await scrape(live.url);

    for (const [earlier, later] of [
      [first, second],
      [second, last],
    ] as const) {
      const a = counterSeries(earlier);
      const b = counterSeries(later);
      for (const [key, v] of a) {
        const w = b.get(key);
        assert.ok(w !== undefined, `${key} disappeared`);
        assert.ok(w >= v, `${key} went down: ${v} -> ${w}`);
      }
    }
    assert.ok(measured(second) > measured(first));

    const report = buildReport({
      version: 'test',
      target: { baseUrl: server.url, api: 'openai', model: 'test-model', simulated: false },
      settings: {},
      outcome,
      engine,
    });
    assert.equal(measured(last), report.totals.requests + report.totals.cancelled);
    for (const mode of MODES) {
      const r = report.byMode[mode];
      const count = (outcome: string): number => valueOf(last, METRIC_NAMES.requests, { mode, outcome });
      assert.equal(valueOf(last, METRIC_NAMES.requests, { mode }), r.requests, `${mode} requests`);
      assert.equal(count('ok'), r.succeeded, `${mode} ok`);
      assert.equal(count('failed') + count('dropped'), r.failed, `${mode} failed`);
      assert.equal(count('early_stopped'), r.earlyStopped, `${mode} early stopped`);
      assert.equal(count('cancelled'), r.cancelled, `${mode} cancelled`);
      assert.equal(valueOf(last, METRIC_NAMES.outputTokens, { mode }), r.outputTokens, `${mode} tokens`);
      assert.equal(valueOf(last, `${METRIC_NAMES.ttft}_count`, { mode }), r.ttftMs.count, `${mode} ttft count`);
      assert.equal(valueOf(last, `${METRIC_NAMES.e2e}_count`, { mode }), r.e2eMs.count, `${mode} e2e count`);
      assert.equal(valueOf(last, `${METRIC_NAMES.itl}_count`, { mode }), r.itlMs.count, `${mode} itl count`);
      // The sums are exact (seconds), so the mean agrees with the report's exact mean.
      if (r.ttftMs.count > 0) {
        const mean = (valueOf(last, `${METRIC_NAMES.ttft}_sum`, { mode }) * 1000) / r.ttftMs.count;
        assert.ok(Math.abs(mean - r.ttftMs.mean) < 1e-6 * Math.max(1, r.ttftMs.mean), `${mode} ttft mean ${mean} vs ${r.ttftMs.mean}`);
      }
    }
    assert.ok(report.byMode.stream.ttftMs.count > 0 && report.byMode.nonstream.ttftMs.count > 0, 'both modes ran');
    assert.ok(report.totals.failed > 0, 'some requests failed');
    assert.equal(valueOf(last, METRIC_NAMES.warmupRequests), report.totals.warmup);
    // Errors by code, warm-up included (as the report counts them), cancellations apart.
    for (const [code, n] of Object.entries(report.errors)) {
      const counted = valueOf(last, METRIC_NAMES.requests, { error_code: code }) + valueOf(last, METRIC_NAMES.warmupRequests, { error_code: code });
      assert.equal(counted, n, `errors ${code}`);
    }
    assert.equal(valueOf(last, METRIC_NAMES.requests, { outcome: 'failed', error_code: 'http_500' }), report.errors.http_500 ?? 0);

    assert.equal(valueOf(last, METRIC_NAMES.inFlight), 0);
    assert.equal(last.get(METRIC_NAMES.rate)?.samples.length ?? 0, 0, 'no rate in a closed-loop run');
    const info = last.get(METRIC_NAMES.runInfo)?.samples[0];
    assert.deepEqual(info?.labels, { run_id: engine.runId, version: info?.labels.version ?? '', target: server.url, model: 'test-model', api: 'openai' });
    assert.equal(info?.value, 1);
    const start = valueOf(last, METRIC_NAMES.runStart);
    assert.ok(Math.abs(start * 1000 - startedAt) < 10_000, `start time ${start}`);
    // TTFO: every answer here is output with no reasoning before it, so it is observed per mode as
    // often as the report counts it.
    assert.equal(last.get(METRIC_NAMES.ttfo)?.type, 'histogram');
    for (const mode of ['stream', 'nonstream'] as const)
      assert.equal(valueOf(last, `${METRIC_NAMES.ttfo}_count`, { mode }), report.byMode[mode].ttfoMs?.count ?? 0, `${mode} ttfo count`);
  } finally {
    await live.close();
    engine.dispose();
    await server.close();
  }
});

test('several targets (--target): one endpoint, every series labelled with its target, each target\'s final counts equal its report', async () => {
  const server = await startScriptedServer(mixedScript());
  const other = await startScriptedServer(mixedScript());
  const engines = [
    { name: 'direct', engine: new Engine(testConfig(server.url, { load: { concurrency: 3, streamRatio: 0.5, requests: 40, seed: 7 } })), url: server.url },
    { name: 'gw', engine: new Engine(testConfig(other.url, { load: { concurrency: 2, streamRatio: 0.5, requests: 30, seed: 7 } })), url: other.url },
  ];
  const live = await startTargetsMetrics(
    engines.map((e) => ({ name: e.name, session: { engine: e.engine, target: { label: e.url, api: 'openai', model: 'test-model', simulated: false } } })),
    { host: '127.0.0.1', port: 0 },
  );
  try {
    await Promise.all(engines.map((e) => e.engine.start()));
    const mid = await scrape(live.url);
    assert.equal(valueOf(mid, METRIC_NAMES.poolSize, { target: 'direct' }), 3);
    assert.equal(valueOf(mid, METRIC_NAMES.poolSize, { target: 'gw' }), 2);
    const outcomes = await Promise.all(engines.map((e) => e.engine.done));
    const last = await scrape(live.url);
    // Every sample of every family names one of the two targets.
    for (const fam of last.values())
      for (const sample of fam.samples) assert.ok(sample.labels.target === 'direct' || sample.labels.target === 'gw', `${sample.name} ${JSON.stringify(sample.labels)}`);
    for (const [i, e] of engines.entries()) {
      const report = buildReport({ version: 'test', target: { baseUrl: e.url, api: 'openai', model: 'test-model', simulated: false }, settings: {}, outcome: outcomes[i] as Awaited<typeof e.engine.done>, engine: e.engine });
      const target = e.name;
      assert.equal(valueOf(last, METRIC_NAMES.requests, { target }), report.totals.requests + report.totals.cancelled, `${target} requests`);
      for (const mode of MODES) {
        assert.equal(valueOf(last, METRIC_NAMES.requests, { target, mode, outcome: 'ok' }), report.byMode[mode].succeeded, `${target} ${mode} ok`);
        assert.equal(valueOf(last, `${METRIC_NAMES.ttft}_count`, { target, mode }), report.byMode[mode].ttftMs.count, `${target} ${mode} ttft count`);
        assert.equal(valueOf(last, `${METRIC_NAMES.itl}_count`, { target, mode }), report.byMode[mode].itlMs.count, `${target} ${mode} itl count`);
      }
      const info = last.get(METRIC_NAMES.runInfo)?.samples.find((x) => x.labels.target === target);
      assert.deepEqual(info?.labels, { run_id: e.engine.runId, version: info?.labels.version ?? '', target, model: 'test-model', api: 'openai', endpoint: e.url });
      assert.equal(last.get(METRIC_NAMES.runStart)?.samples.filter((x) => x.labels.target === target).length, 1);
    }
  } finally {
    await live.close();
    for (const e of engines) e.engine.dispose();
    await server.close();
    await other.close();
  }
});

test('the text follows the exposition rules: every family typed, every name registered, histogram buckets as configured', async () => {
  const listeners: ((r: RequestRecord) => void)[] = [];
  const source: MetricsSource = {
    addRecordListener: (fn) => {
      listeners.push(fn);
      return () => listeners.splice(listeners.indexOf(fn), 1);
    },
    load: () => ({ state: 'running', inFlight: 3, concurrency: 8, rate: 2.5, queued: 1 }),
  };
  const exporter = new PrometheusExporter(source, {
    runId: 'r1',
    version: '0.0.0',
    // Label values that need escaping.
    target: 'https://h.example/v1?q="a"\\b',
    model: 'm\nx',
    api: 'openai',
    startedAtMs: 1_700_000_000_000,
  });
  const rec: RequestRecord = {
    id: 1, requestId: 'st-r1-1', mode: 'stream', outcome: 'ok', attempts: 1, segment: 0, warmup: false,
    intendedStartMs: 0, startMs: 0, queueMs: 0, ttftMs: 120, e2eMs: 900, contentEvents: 3, itlMs: [4, 5], outputTokens: 3, tokenSource: 'usage', bytesReceived: 10,
  };
  for (const l of listeners) l(rec);
  // A record that carries TTFO (the reasoning metrics' field) feeds streamtop_ttfo_seconds.
  for (const l of listeners) l({ ...rec, id: 2, ttfoMs: 450 } as RequestRecord);
  const text = await exporter.metrics();
  const f = parseExposition(text);
  for (const name of Object.values(METRIC_NAMES)) assert.ok(f.has(name), `${name} registered`);
  for (const fam of f.values()) assert.ok(Object.values(METRIC_NAMES).includes(fam.name as never), `${fam.name} is one of METRIC_NAMES`);
  assert.equal(f.get(METRIC_NAMES.requests)?.type, 'counter');
  assert.equal(f.get(METRIC_NAMES.inFlight)?.type, 'gauge');
  assert.equal(valueOf(f, METRIC_NAMES.inFlight), 3);
  assert.equal(valueOf(f, METRIC_NAMES.rate), 2.5);
  assert.equal(valueOf(f, METRIC_NAMES.runStart), 1_700_000_000);
  assert.equal(f.get(METRIC_NAMES.runInfo)?.samples[0]?.labels.target, 'https://h.example/v1?q="a"\\b');
  assert.equal(f.get(METRIC_NAMES.runInfo)?.samples[0]?.labels.model, 'm\nx');
  assert.equal(valueOf(f, `${METRIC_NAMES.ttfo}_count`, { mode: 'stream' }), 1);
  assert.equal(valueOf(f, `${METRIC_NAMES.ttfo}_sum`, { mode: 'stream' }), 0.45);
  assert.equal(valueOf(f, `${METRIC_NAMES.ttft}_count`, { mode: 'stream' }), 2);
  assert.equal(valueOf(f, `${METRIC_NAMES.itl}_count`, { mode: 'stream' }), 4);
  // 120 ms sits in the le="0.15" bucket, not in le="0.1".
  assert.equal(valueOf(f, `${METRIC_NAMES.ttft}_bucket`, { mode: 'stream', le: '0.1' }), 0);
  assert.equal(valueOf(f, `${METRIC_NAMES.ttft}_bucket`, { mode: 'stream', le: '0.15' }), 2);
  const les = (name: string): number[] =>
    (f.get(name)?.samples ?? []).filter((s) => s.name === `${name}_bucket` && s.labels.mode === 'stream').map((s) => (s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)));
  assert.deepEqual(les(METRIC_NAMES.ttft), [...BUCKETS.ttft, Infinity]);
  assert.deepEqual(les(METRIC_NAMES.itl), [...BUCKETS.itl, Infinity]);
  assert.deepEqual(les(METRIC_NAMES.e2e), [...BUCKETS.e2e, Infinity]);
  exporter.detach();
  assert.equal(listeners.length, 0);
});

test('the exposition reader refuses what Prometheus would refuse (so the test above can fail)', () => {
  const bad: [string, RegExp][] = [
    ['x 1', /end with a line feed/],
    ['# TYPE x counter\nx{a="1} 1\n', /unterminated/],
    ['# TYPE x counter\nx{1a="1"} 1\n', /bad label name/],
    ['# TYPE x counter\nx one\n', /not a number/],
    ['# TYPE x counter\nx 1\nx 2\n', /duplicate series/],
    ['# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx{a="b"} 1\n', /split/],
    ['# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', /not cumulative/],
    ['# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /\+Inf/],
    ['# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n', /differs from _count/],
    ['# TYPE x counter\nx 1\n# TYPE x counter\n', /split|TYPE after/],
  ];
  for (const [text, why] of bad) assert.throws(() => parseExposition(text), (e: unknown) => e instanceof ExpositionError && why.test(e.message), text);
  const ok = parseExposition('# HELP x a "help"\n# TYPE x gauge\nx{a="q\\"\\\\\\n"} +Inf 123\nx{a="b"} NaN\n');
  assert.equal(ok.get('x')?.samples[0]?.labels.a, 'q"\\\n');
});

test('the endpoint: only /metrics, and a port in use is a usage error naming --prometheus', async () => {
  const source = { metrics: () => Promise.resolve('# TYPE x gauge\nx 1\n'), contentType: 'text/plain; version=0.0.4; charset=utf-8' };
  const srv = await serveMetrics(source, { host: '127.0.0.1', port: 0 });
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.equal((await fetch(srv.url.replace(/metrics$/, ''))).status, 404);
    assert.equal((await fetch(srv.url, { method: 'POST' })).status, 405);
    const port = Number(new URL(srv.url).port);
    await assert.rejects(
      serveMetrics(source, { host: '127.0.0.1', port }),
      (e: unknown) => e instanceof UsageError && e.message === `--prometheus 127.0.0.1:${port}: the port is already in use; pick another port, or 0 for a free one`,
    );
  } finally {
    await srv.close();
  }
  // Closed: the port is free again.
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(Number(new URL(srv.url).port), '127.0.0.1', resolve));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

test('--prometheus [HOST:]PORT: a bare port binds loopback; hosts, IPv6 in brackets; bad values name the flag', () => {
  const read = (raw: string) => listenAddress().read('--prometheus', raw);
  assert.deepEqual(read('9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(read('0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(read('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 });
  assert.deepEqual(read('localhost:1'), { host: 'localhost', port: 1 });
  assert.deepEqual(read('[::1]:9464'), { host: '::1', port: 9464 });
  for (const raw of ['', 'abc', '65536', ':9464', 'host:', '::1:9464', '[]:1', 'a b:1', 'user@h:1', '-1', '9464.5']) {
    assert.throws(
      () => read(raw),
      (e: unknown) => e instanceof UsageError && e.message.startsWith(`invalid value ${JSON.stringify(raw)} for --prometheus: expected [HOST:]PORT`),
      raw,
    );
  }
});

test('the ITL histogram: a gap on a bound counts in that bucket (le is inclusive), above the last only in +Inf; labels escaped', () => {
  const h = new GapHistogram('x_seconds', 'gaps', [0.001, 0.01], ['target', 'mode']);
  const s = h.seriesFor(['a"b\\c\nd', 'stream']);
  h.addMs(s, [0.5, 1, 1.0001, 10, 10.5, 2500]);
  h.addMs(h.seriesFor(['t', 'nonstream']), []);
  const f = parseExposition(h.render());
  const at = (le: string): number => valueOf(f, 'x_seconds_bucket', { mode: 'stream', le });
  assert.equal(at('0.001'), 2);
  assert.equal(at('0.01'), 4);
  assert.equal(at('+Inf'), 6);
  assert.equal(valueOf(f, 'x_seconds_count', { mode: 'stream' }), 6);
  assert.ok(Math.abs(valueOf(f, 'x_seconds_sum', { mode: 'stream' }) - 2.5230001) < 1e-9);
  assert.equal(f.get('x_seconds')?.samples[0]?.labels.target, 'a"b\\c\nd');
  assert.equal(valueOf(f, 'x_seconds_count', { mode: 'nonstream' }), 0);
});
