import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { startScriptedServer } from '../helpers/scripted-server.ts';
import { CANARY_KEY, keyEchoScript, leakedPiece } from '../helpers/key-echo-server.ts';
import { counterSeries, parseExposition, valueOf } from '../helpers/prom-text.ts';
import { METRIC_NAMES } from '../../src/run/prometheus.ts';

/** A second canary, in the URL's query as Azure puts keys (`?api-key=`): masked in every label too. */
const URL_CANARY = 'urlcanary-4Hq8Zt2Wm6Rk1Vx9Pd3N';

const METRICS_LINE = /streamtop: metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)\n/;

test('headless --prometheus 127.0.0.1:0: scraped during the run, growing counters, and no piece of a key in /metrics, labels, output or HTML', async () => {
  const echo = await startScriptedServer(keyEchoScript({ gapMs: 20 }));
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-prom-'));
  const scrapes: string[] = [];
  try {
    let scraping: Promise<void> = Promise.resolve();
    const r = await runCli(
      ['--url', `${echo.url}?api-key=${URL_CANARY}`, '--headless', '-d', '4s', '-c', '4', '--prometheus', '127.0.0.1:0', '--json', join(dir, 'r.json'), '--html', join(dir, 'r.html')],
      {
        env: { OPENAI_API_KEY: CANARY_KEY },
        timeoutMs: 60_000,
        onSpawn: (_kill, output) => {
          // Scrapes every 150 ms from the moment the address is printed until the process ends
          // (bounded: at most 200 tries).
          scraping = (async () => {
            let url: string | undefined;
            for (let i = 0; i < 200; i++) {
              url ??= METRICS_LINE.exec(output())?.[1];
              if (url !== undefined) {
                const text = await fetch(url).then((res) => res.text(), () => undefined);
                if (text === undefined && scrapes.length > 0) return; // the run ended
                if (text !== undefined) scrapes.push(text);
              }
              await new Promise((resolve) => setTimeout(resolve, 150));
            }
          })();
        },
      },
    );
    await scraping;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, METRICS_LINE);
    assert.ok(scrapes.length >= 2, `scraped ${scrapes.length} times`);
    const parsed = scrapes.map(parseExposition);
    for (let i = 1; i < parsed.length; i++) {
      const a = counterSeries(parsed[i - 1] ?? new Map());
      const b = counterSeries(parsed[i] ?? new Map());
      for (const [key, v] of a) assert.ok((b.get(key) ?? -1) >= v, `${key} went down between scrapes ${i - 1} and ${i}`);
    }
    const last = parsed[parsed.length - 1] ?? new Map();
    assert.ok(valueOf(last, METRIC_NAMES.requests) > 0, 'requests counted while the run went on');
    // The target label is the report's: the URL with its credential masked.
    const info = last.get(METRIC_NAMES.runInfo)?.samples[0]?.labels;
    assert.equal(info?.target, `${echo.url}?api-key=***`);
    assert.ok(echo.headers.some((h) => h.authorization === `Bearer ${CANARY_KEY}`), 'the key was sent to the server');
    const outputs: [string, string][] = [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ...readdirSync(dir).map((f): [string, string] => [f, readFileSync(join(dir, f), 'utf8')]),
      ...scrapes.map((s, i): [string, string] => [`/metrics #${i}`, s]),
    ];
    assert.ok(outputs.some(([name]) => name === 'r.html'), 'the HTML report was written');
    for (const [name, text] of outputs) {
      assert.equal(leakedPiece(text, CANARY_KEY), undefined, `a piece of the key in ${name}`);
      assert.equal(leakedPiece(text, URL_CANARY), undefined, `a piece of the URL's key in ${name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await echo.close();
  }
});

test('several targets with --prometheus: one endpoint, series labelled by target name, and no piece of a key anywhere', async () => {
  const echo = await startScriptedServer(keyEchoScript({ gapMs: 10 }));
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-prom-targets-'));
  const scrapes: string[] = [];
  try {
    let scraping: Promise<void> = Promise.resolve();
    const gw = `gw=${echo.url}?api-key=${URL_CANARY},header-env=x-gw-auth:STREAMTOP_TEST_GW_AUTH`;
    const r = await runCli(
      ['--headless', '-d', '3s', '-c', '2', '--sim-output-tokens', '10', '--target', 'direct=sim:fast', '--target', gw, '--prometheus', '127.0.0.1:0',
        '--json', join(dir, 'r.json'), '--html', join(dir, 'r.html'), '--markdown', join(dir, 'r.md'), '--ndjson', join(dir, 'r.ndjson')],
      {
        env: { OPENAI_API_KEY: CANARY_KEY, STREAMTOP_TEST_GW_AUTH: CANARY_KEY },
        timeoutMs: 60_000,
        onSpawn: (_kill, output) => {
          scraping = (async () => {
            let url: string | undefined;
            for (let i = 0; i < 200; i++) {
              url ??= METRICS_LINE.exec(output())?.[1];
              if (url !== undefined) {
                const text = await fetch(url).then((res) => res.text(), () => undefined);
                if (text === undefined && scrapes.length > 0) return;
                if (text !== undefined) scrapes.push(text);
              }
              await new Promise((resolve) => setTimeout(resolve, 150));
            }
          })();
        },
      },
    );
    await scraping;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(scrapes.length >= 2, `scraped ${scrapes.length} times`);
    const last = parseExposition(scrapes[scrapes.length - 1] ?? '');
    for (const target of ['direct', 'gw']) assert.ok(valueOf(last, METRIC_NAMES.requests, { target }) > 0, `${target} counted`);
    for (const fam of last.values())
      for (const sample of fam.samples) assert.ok(sample.labels.target === 'direct' || sample.labels.target === 'gw', `${sample.name} ${JSON.stringify(sample.labels)}`);
    const info = last.get(METRIC_NAMES.runInfo)?.samples.find((x) => x.labels.target === 'gw')?.labels;
    assert.equal(info?.endpoint, `${echo.url}?api-key=***`);
    assert.ok(echo.headers.some((h) => h['x-gw-auth'] === CANARY_KEY), 'the header reached the target');
    const outputs: [string, string][] = [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ...readdirSync(dir).map((f): [string, string] => [f, readFileSync(join(dir, f), 'utf8')]),
      ...scrapes.map((s, i): [string, string] => [`/metrics #${i}`, s]),
    ];
    assert.deepEqual(readdirSync(dir).sort(), ['r.html', 'r.json', 'r.md', 'r.ndjson'], 'every file was written');
    for (const [name, text] of outputs) {
      assert.equal(leakedPiece(text, CANARY_KEY), undefined, `a piece of the key in ${name}`);
      assert.equal(leakedPiece(text, URL_CANARY), undefined, `a piece of the URL's key in ${name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await echo.close();
  }
});

test('--prometheus on a port in use: exit 2 naming the flag, before any request is sent', async () => {
  const inner = keyEchoScript({ gapMs: 1 });
  let posts = 0;
  // The reachability probe (GET /) comes first; the requests of the run are POSTs.
  const echo = await startScriptedServer((req, res, body) => {
    if (req.method === 'POST') posts++;
    return inner(req, res, body);
  });
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const r = await runCli(['--url', echo.url, '--headless', '-n', '5', '--prometheus', String(port)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`--prometheus 127\\.0\\.0\\.1:${port}: the port is already in use; pick another port, or 0 for a free one`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(posts, 0);
  } finally {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
    await echo.close();
  }
});

test('experiments refuse --prometheus with what to use instead', async () => {
  for (const cmd of ['sweep', 'compare-modes', 'compare-connections']) {
    const r = await runCli([cmd, '--prometheus', '0']);
    assert.equal(r.code, 2, `${cmd}: ${r.stderr}`);
    assert.match(r.stderr, /--prometheus/);
    assert.match(r.stderr, /streamtop --headless --prometheus/);
  }
});
