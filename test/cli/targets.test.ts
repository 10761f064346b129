import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReport } from '../../src/report/load.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'streamtop-targets-cli-'));

test('two simulators, one 50 ms slower to the first token: the verdict says so, with an interval excluding 0', async () => {
  const json = join(dir, 'slower.json');
  const r = await runCli(['--headless', '-n', '120', '-c', '8', '--stream-ratio', '1', '--seed', '3', '--sim-jitter', '0', '--sim-output-tokens', '20', '--target', 'a=sim:fast', '--target', 'b=sim:fast,ttft=+50', '--json', json]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /b vs a: TTFT stream p50 slower \(worse\)/);
  const report = loadReport(json);
  assert.deepEqual(report.targets?.map((t) => t.name), ['a', 'b']);
  // The top level is the reference's run, so single-target readers still read a valid run.
  assert.equal(report.target.baseUrl, report.targets?.[0]?.target.baseUrl);
  assert.ok((report.targets?.[1]?.totals.succeeded ?? 0) > 5);
  const ttft = report.comparison?.rows.find((row) => row.metric === 'ttft' && row.mode === 'stream' && row.target === 'b');
  const d = ttft?.diff.p50;
  assert.ok(d !== undefined && d.lo !== null, JSON.stringify(ttft));
  // 50 ms exactly on a quiet machine (docs/targets.md); the bound leaves room for a loaded test box.
  assert.ok(Math.abs(d.diff - 50) <= 25, `TTFT p50 difference ${d.diff} ms`);
  assert.ok(d.lo > 0, `interval [${d.lo}, ${d.hi}]`);
  assert.equal(ttft?.withinNoise, false);

  // The saved file reads back: report shows the verdict; compare and merge say why not.
  const again = await runCli(['report', json]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /verdict against a \(the reference\)/);
  assert.match(again.stdout, /b vs a: TTFT stream p50 slower/);
  const merge = await runCli(['merge', json, json, '-o', join(dir, 'm.json')]);
  assert.equal(merge.code, 2);
  assert.match(merge.stderr, /is a multi-target run \(a, b\): merge reads single-target runs/);
});

test('two identical simulators: the differences are within noise', async () => {
  const json = join(dir, 'same.json');
  const r = await runCli(['--headless', '-n', '120', '-c', '8', '--stream-ratio', '1', '--seed', '4', '--sim-output-tokens', '20', '--target', 'a=sim:fast', '--target', 'b=sim:fast', '--json', json]);
  assert.equal(r.code, 0, r.stderr);
  const ttft = loadReport(json).comparison?.rows.find((row) => row.metric === 'ttft' && row.mode === 'stream');
  assert.ok(ttft !== undefined && ttft.diff.p50 !== undefined && ttft.diff.p50.lo !== null, JSON.stringify(ttft));
  assert.equal(ttft.pairs, 120);
  // A 95 % interval misses 0 one time in twenty by chance, and a loaded machine can tilt one side by
  // a millisecond or two; what must never happen is a real-looking difference between equals.
  const d = ttft.diff.p50;
  assert.ok(ttft.withinNoise || Math.abs(d.diff) < 3, `identical targets differ by ${d.diff} ms [${d.lo}, ${d.hi}]`);
  if (ttft.withinNoise) assert.match(r.stdout, /b vs a: TTFT stream p50 within noise/);
});

test('a header-env variable that is not set is named before anything starts', async () => {
  const r = await runCli(['--headless', '-d', '1s', '--target', 'a=sim:fast,header-env=x-auth:STREAMTOP_TEST_UNSET_VAR', '--target', 'b=sim:fast'], {
    env: { STREAMTOP_TEST_UNSET_VAR: '' },
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--target a: header-env x-auth:STREAMTOP_TEST_UNSET_VAR: \$STREAMTOP_TEST_UNSET_VAR is not set/);
});

test('a header-env value is sent to its target and never shown or written, even when the server echoes it', async () => {
  const { startScriptedServer } = await import('../helpers/scripted-server.ts');
  const { CANARY_KEY, leakedPiece } = await import('../helpers/key-echo-server.ts');
  const { readFileSync } = await import('node:fs');
  const server = await startScriptedServer((req, res) => {
    const got = String(req.headers['x-gw-auth'] ?? '(none)');
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `bad gateway credential ${got}`, type: 'auth' } }));
  });
  try {
    const json = join(dir, 'secret.json');
    const r = await runCli(
      ['--headless', '-n', '30', '-c', '2', '--stream-ratio', '1', '--sim-output-tokens', '5', '--target', 'a=sim:fast', '--target', `gw=${server.url},header-env=x-gw-auth:STREAMTOP_TEST_GW_AUTH`, '--json', json],
      { env: { STREAMTOP_TEST_GW_AUTH: CANARY_KEY } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(server.headers.some((h) => h['x-gw-auth'] === CANARY_KEY), 'the header reached the target');
    assert.match(r.stdout, /errors by target:\n\s+gw\s+http_401/);
    assert.match(r.stdout, /gw vs a: errors stream more errors \(worse\)/);
    for (const [what, text] of [['stdout', r.stdout], ['stderr', r.stderr], ['report', readFileSync(json, 'utf8')]] as const)
      assert.equal(leakedPiece(text, CANARY_KEY), undefined, `${what} leaks the header value`);
  } finally {
    await server.close();
  }
});
