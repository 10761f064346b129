import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { pacedOpenAiStream, startScriptedServer } from '../helpers/scripted-server.ts';

/**
 * A canary key through a real run whose server echoes it back in its errors (as some gateways
 * do), then `report --html`: the key must not appear in the page, not even in part.
 */
const CANARY = 'sk-canary-4d2b8e6f1a3c5097html';

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
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end(`<html><body>upstream rejected headers ${JSON.stringify(req.headers)}</body></html>`);
    return;
  }
  return ok(req, res, body);
});
const dir = mkdtempSync(join(tmpdir(), 'streamtop-html-canary-'));
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the HTML report of a run made with a canary key never contains the key', async () => {
  const json = join(dir, 'r.json');
  const html = join(dir, 'r.html');
  const run = await runCli(['--url', server.url, '--headless', '-n', '12', '-c', '2', '--json', json], { env: { OPENAI_API_KEY: CANARY } });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(server.headers.some((h) => h.authorization === `Bearer ${CANARY}`), 'the key was sent to the server');
  const rep = await runCli(['report', json, '--html', html], { env: { OPENAI_API_KEY: CANARY } });
  assert.equal(rep.code, 0, rep.stderr);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /http_401/, 'the errors are on the page');
  assert.match(page, /http_500/);
  assert.ok(!page.includes(CANARY), 'the key is not on the page');
  assert.ok(!page.includes('canary-4d2b'), 'not even a fragment');
});
