import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { pacedOpenAiStream, startScriptedServer } from '../helpers/scripted-server.ts';

/**
 * A canary key goes through every output path: stdout, stderr, --json, --ndjson, --markdown,
 * error messages (the server echoes the Authorization header back in its error body, as some
 * gateways do). It must appear in none of them, while the server did receive it.
 */
const CANARY = 'sk-canary-7f3e9c1d5b2a4e6f8091';

const ok = pacedOpenAiStream({ ttftMs: 2, gapMs: 1, tokens: 3 });
let n = 0;
const server = await startScriptedServer((req, res, body) => {
  n++;
  if (n % 3 === 0) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization}` } }));
    return;
  }
  if (n % 3 === 1) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`upstream rejected headers ${JSON.stringify(req.headers)}`);
    return;
  }
  return ok(req, res, body);
});
after(() => server.close());

test('the API key never appears in any output, report or error message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-canary-'));
  const r = await runCli(
    ['--url', server.url, '--headless', '-n', '12', '-c', '2', '--json', join(dir, 'r.json'), '--ndjson', join(dir, 'r.ndjson'), '--markdown', join(dir, 'r.md')],
    { env: { OPENAI_API_KEY: CANARY } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(server.headers.some((h) => h.authorization === `Bearer ${CANARY}`), 'the key was sent to the server');
  const outputs = [r.stdout, r.stderr, ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))];
  assert.equal(outputs.length, 5);
  for (const o of outputs) {
    assert.ok(!o.includes(CANARY), `leaked in: ${o.slice(0, 300)}`);
    assert.ok(!o.includes('canary-7f3e'), 'not even a fragment');
  }
  assert.match(r.stdout, /http_401/);
  assert.match(r.stdout, /http_500/);
});
