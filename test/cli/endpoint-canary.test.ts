import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { pacedOpenAiStream, startScriptedServer } from '../helpers/scripted-server.ts';
import { leakedPiece } from '../helpers/key-echo-server.ts';

/**
 * Item 14.7: a --header-env value and a --body value, both canaries, reach the server with every
 * request and no output at all (stdout, stderr, --json, --ndjson, --markdown), though the server
 * quotes the request's headers back in its error bodies as some gateways do.
 */
const HEADER_CANARY = 'hdr-canary-5d8e1f0a7b3c9e24';
const BODY_CANARY = 'body-canary-b71c2e94d0f3a856';

const ok = pacedOpenAiStream({ ttftMs: 1, gapMs: 1, tokens: 3 });
const bodies: Record<string, unknown>[] = [];
let n = 0;
const server = await startScriptedServer((req, res, body) => {
  if (req.method !== 'POST') return void res.writeHead(404).end();
  bodies.push(JSON.parse(body) as Record<string, unknown>);
  if (++n % 3 === 0) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`upstream rejected headers ${JSON.stringify(req.headers)}`);
    return;
  }
  return ok(req, res, body);
});
after(() => server.close());

test('--header-env and --body values are sent and appear in no output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-endpoint-'));
  const r = await runCli(
    [
      '--url', server.url, '--headless', '-n', '9', '-c', '2',
      '--header-env', 'X-Gateway-Key: GW_KEY', '-H', 'X-Title: streamtop-test',
      '--body', JSON.stringify({ temperature: 0, user: BODY_CANARY }),
      '--json', join(dir, 'r.json'), '--ndjson', join(dir, 'r.ndjson'), '--markdown', join(dir, 'r.md'),
    ],
    { env: { GW_KEY: HEADER_CANARY } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(server.headers.filter((h) => h['x-gateway-key'] === HEADER_CANARY && h['x-title'] === 'streamtop-test').length, 9, 'both headers sent with every request');
  assert.equal(bodies.filter((b) => b.user === BODY_CANARY && b.temperature === 0).length, 9, 'the body fields sent with every request');
  const outputs: Array<[string, string]> = [['stdout', r.stdout], ['stderr', r.stderr], ...readdirSync(dir).map((f): [string, string] => [f, readFileSync(join(dir, f), 'utf8')])];
  assert.equal(outputs.length, 5);
  for (const [name, text] of outputs) {
    assert.equal(leakedPiece(text, HEADER_CANARY), undefined, `a piece of the header value in ${name}: ${text.slice(0, 400)}`);
    assert.equal(leakedPiece(text, BODY_CANARY), undefined, `a piece of the body value in ${name}`);
  }
  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { settings: Record<string, unknown>; errors: Record<string, number> };
  assert.ok((report.errors.http_500 ?? 0) > 0, 'the echoing errors happened');
  assert.deepEqual(report.settings.headerEnv, ['X-Gateway-Key: $GW_KEY']);
  assert.deepEqual(report.settings.headers, ['X-Title']);
  assert.deepEqual(report.settings.bodyFields, ['temperature', 'user']);
});

test('an unset --header-env variable stops the run before any request, naming it', async () => {
  const before = server.requests;
  const r = await runCli(['--url', server.url, '--headless', '-n', '1', '--header-env', 'api-key: STREAMTOP_TEST_UNSET_VAR'], { env: {} });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--header-env api-key: \$STREAMTOP_TEST_UNSET_VAR is not set/);
  assert.equal(server.requests, before);
});
