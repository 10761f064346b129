import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSimConfig } from '../../src/sim/config.ts';
import { spawnSimulator } from '../../src/sim/spawn.ts';
import { runCli } from '../helpers/cli.ts';
import { pacedOpenAiStream, startScriptedServer } from '../helpers/scripted-server.ts';

/** Certificates are verified unless --insecure, which says loudly what it gives up. */
const sim = await spawnSimulator(resolveSimConfig({ tls: true, ttft: '2', itl: '1', 'output-tokens': '5' }));
const plain = await startScriptedServer(pacedOpenAiStream({ ttftMs: 1, gapMs: 1, tokens: 2 }));
after(() => Promise.all([sim.close(), plain.close()]));

test('a self-signed certificate is refused by default, with a clear message and exit 2', async () => {
  assert.match(sim.url, /^https:/);
  const r = await runCli(['--url', `${sim.url}/v1`, '--headless', '-n', '2'], { env: { OPENAI_API_KEY: 'k' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /cannot reach --url https:\/\/127\.0\.0\.1:\d+: TLS certificate problem/);
  assert.match(r.stderr, /--insecure only if you trust the network/);
});

test('--insecure connects and prints a warning', async () => {
  const r = await runCli(['--url', `${sim.url}/v1`, '--headless', '-n', '2', '--insecure'], { env: { OPENAI_API_KEY: 'k' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /--insecure: TLS certificates are NOT verified/);
  assert.match(r.stdout, /2 requests: 2 ok/);
});

test('--sim-tls: the built-in simulator over HTTPS is trusted through its own certificate only', async () => {
  const r = await runCli(['--headless', '-n', '3', '--sim-tls', '--sim-ttft', '2', '--sim-itl', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /built-in simulator \(https:\/\/127\.0\.0\.1:\d+\/v1\)/);
  assert.match(r.stdout, /3 requests: 3 ok/);
});

test('item 6: https:// to a plain-HTTP server says so and does not suggest --insecure', async () => {
  const r = await runCli(['--url', `https://127.0.0.1:${plain.port}/v1`, '--headless', '-n', '1'], { env: { OPENAI_API_KEY: 'k' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /cannot reach --url https:\/\/127\.0\.0\.1:\d+: the server answered in plain HTTP, not TLS; use http:\/\/127\.0\.0\.1:\d+ instead of https:\/\//);
  assert.doesNotMatch(r.stderr, /insecure|certificate/i);
});

test('item 6: http:// to a TLS server says it speaks TLS, not a bare UND_ERR_SOCKET', async () => {
  const url = sim.url.replace('https:', 'http:');
  const r = await runCli(['--url', `${url}/v1`, '--headless', '-n', '1'], { env: { OPENAI_API_KEY: 'k' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /cannot reach --url http:\/\/127\.0\.0\.1:\d+: the server speaks TLS \(HTTPS\) on port \d+, not plain HTTP; use https:\/\/127\.0\.0\.1:\d+ instead of http:\/\//);
  assert.doesNotMatch(r.stderr, /UND_ERR_SOCKET/);
});
