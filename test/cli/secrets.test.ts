import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { pacedOpenAiStream, startScriptedServer } from '../helpers/scripted-server.ts';
import { CANARY_KEY, keyEchoScript, leakedPiece } from '../helpers/key-echo-server.ts';

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
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-secrets-'));
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

/** Runs the CLI headless with every report file; returns all five outputs, labelled. */
async function allOutputs(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; outputs: Array<[string, string]> }> {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-secrets-'));
  const r = await runCli([...args, '--headless', '--json', join(dir, 'r.json'), '--ndjson', join(dir, 'r.ndjson'), '--markdown', join(dir, 'r.md')], { env });
  const files = readdirSync(dir).map((f): [string, string] => [f, readFileSync(join(dir, f), 'utf8')]);
  return { code: r.code, outputs: [['stdout', r.stdout], ['stderr', r.stderr], ...files] };
}

test('issue 13 item 1: a key echoed in the answer text (split across two events) and in every message appears in no output', async () => {
  const echo = await startScriptedServer(keyEchoScript({ gapMs: 2 }));
  try {
    const { code, outputs } = await allOutputs(['--url', echo.url, '-n', '20', '-c', '4'], { OPENAI_API_KEY: CANARY_KEY });
    assert.equal(code, 0);
    assert.equal(outputs.length, 5);
    assert.equal(echo.headers.filter((h) => h.authorization === `Bearer ${CANARY_KEY}`).length, 20, 'the key was sent with every request');
    for (const [name, text] of outputs) assert.equal(leakedPiece(text, CANARY_KEY), undefined, `a piece of the key in ${name}: ${text.slice(0, 400)}`);
  } finally {
    await echo.close();
  }
});

test('issue 13 item 2: no piece of a non-sk key survives in error messages (cut at 200 characters, or partly echoed)', async () => {
  const echo = await startScriptedServer(keyEchoScript({ gapMs: 1, kinds: ['error-at-cut', 'error-partial'] }));
  try {
    const { outputs } = await allOutputs(['--url', echo.url, '-n', '6', '-c', '1'], { OPENAI_API_KEY: CANARY_KEY });
    const json = outputs.find(([f]) => f === 'r.json')?.[1] ?? '';
    const report = JSON.parse(json) as { errors: Record<string, number>; errorMessages: Record<string, string> };
    assert.ok((report.errors.http_401 ?? 0) > 0 && (report.errors.http_403 ?? 0) > 0, json.slice(0, 600));
    for (const [name, text] of outputs) assert.equal(leakedPiece(text, CANARY_KEY), undefined, `a piece of the key in ${name}: ${text.slice(0, 400)}`);
    assert.match(report.errorMessages.http_401 ?? '', /^HTTP 401: x{170} token /, 'the message is kept up to the key');
    assert.ok((report.errorMessages.http_401 ?? '').length <= 200, 'messages are still cut to 200 characters');
  } finally {
    await echo.close();
  }
});

test('issue 13 item 12: a credential in the URL query is sent, but shown and saved redacted', async () => {
  const QUERY_SECRET = 'sig0Q7ZmW4pXk2Lr9Tb6Vn3Yc8';
  const seen: string[] = [];
  const stream = pacedOpenAiStream({ ttftMs: 1, gapMs: 1, tokens: 3 });
  const server = await startScriptedServer((req, res, body) => {
    if (req.method !== 'POST') return void res.writeHead(404).end();
    seen.push(req.url ?? '');
    if (seen.length % 4 === 0) {
      // A 404 page that quotes the path it could not route, query included.
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`no route for POST ${req.url ?? ''}`);
      return;
    }
    return stream(req, res, body);
  });
  try {
    const url = `${server.url}?api-version=2024-06-01&api-key=${QUERY_SECRET}`;
    const { outputs } = await allOutputs(['--url', url, '-n', '8', '-c', '2'], { OPENAI_API_KEY: CANARY_KEY });
    assert.ok(seen.length > 0 && seen.every((u) => u === `/v1/chat/completions?api-version=2024-06-01&api-key=${QUERY_SECRET}`), `the real query is sent: ${seen[0]}`);
    for (const [name, text] of outputs) assert.equal(leakedPiece(text, QUERY_SECRET), undefined, `a piece of the URL's key in ${name}: ${text.slice(0, 400)}`);
    const report = JSON.parse(outputs.find(([f]) => f === 'r.json')?.[1] ?? '{}') as { target: { baseUrl: string }; errors: Record<string, number> };
    assert.equal(report.target.baseUrl, `${server.url}?api-version=2024-06-01&api-key=***`, 'other query values stay readable');
    assert.ok((report.errors.http_404 ?? 0) > 0);
  } finally {
    await server.close();
  }
});
