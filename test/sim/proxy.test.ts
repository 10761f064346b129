// The proxy (`streamtop sim --proxy-to`) in process: what passes through it unchanged (bodies byte
// for byte, pieces as they come, status, headers, keys), what it adds (its latency, per piece too),
// and how it fails (502 in the API's shape, a client that leaves cancels the upstream).

import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { resolveSimConfig, type SimFlagValues } from '../../src/sim/config.ts';
import { startProxy, type ProxyServer } from '../../src/sim/proxy.ts';
import type { LatencySpec } from '../../src/sim/proxy-settings.ts';
import { getJson, postJson, startSim, userMessage, waitFor } from '../helpers/sim-helpers.ts';

interface ProxyOptions {
  addedLatency?: LatencySpec;
  addedChunkLatencyMs?: number;
  flags?: SimFlagValues;
}

const open: { close(): Promise<void> }[] = [];
after(async () => {
  await Promise.all(open.map((s) => s.close()));
});

async function proxyTo(upstream: string, opts: ProxyOptions = {}): Promise<ProxyServer> {
  const config = resolveSimConfig(opts.flags ?? {});
  const proxy = await startProxy({
    ...config,
    proxy: { to: upstream, addedLatency: opts.addedLatency ?? { mean: 0, sd: 0 }, addedChunkLatencyMs: opts.addedChunkLatencyMs ?? 0 },
  });
  open.push(proxy);
  return proxy;
}

async function sim(flags: SimFlagValues): Promise<Awaited<ReturnType<typeof startSim>>> {
  const s = await startSim(flags);
  open.push(s);
  return s;
}

/** A plain upstream for what a simulator cannot show (echoed headers, chosen pieces and timing). */
async function scriptedUpstream(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer({ noDelay: true }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push({ close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** node:http, not fetch: fetch drops a `connection` header the test needs to send. */
function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => (text += s));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const REQUESTS = [
  { name: 'openai stream', path: '/v1/chat/completions', body: { model: 'm', messages: userMessage('tell me a long story'), stream: true, stream_options: { include_usage: true } } },
  { name: 'openai', path: '/v1/chat/completions', body: { model: 'm', messages: userMessage('tell me a long story') } },
  { name: 'anthropic stream', path: '/v1/messages', body: { model: 'm', max_tokens: 4000, messages: userMessage('tell me a long story'), stream: true } },
  { name: 'anthropic', path: '/v1/messages', body: { model: 'm', max_tokens: 4000, messages: userMessage('tell me a long story') } },
] as const;

describe('sim --proxy-to', () => {
  it('passes a 2,000-token answer through byte for byte, both wire formats, streaming and not', async () => {
    // Two simulators with the same seed see the same requests in the same order, so their answers
    // (ids included) are the same bytes; only OpenAI's `created` second may differ.
    const flags = { 'output-tokens': '2000', ttft: '0', itl: '0', seed: '7' };
    const direct = await sim(flags);
    const behind = await sim(flags);
    const proxy = await proxyTo(behind.url);
    const normalise = (s: string): string => s.replace(/"created":\d+/g, '"created":0');
    for (const r of REQUESTS) {
      const a = await postJson(direct.url + r.path, r.body);
      const b = await postJson(proxy.url + r.path, r.body);
      assert.equal(b.status, a.status, r.name);
      assert.equal(b.headers.get('content-type'), a.headers.get('content-type'), r.name);
      const [textA, textB] = [await a.text(), await b.text()];
      assert.equal(normalise(textB), normalise(textA), r.name);
      if (r.name === 'openai stream') assert.equal((textA.match(/"delta":\{"content":/g) ?? []).length, 2000, 'a 2,000-token stream');
    }
    const stats = await getJson(`${proxy.url}/admin/stats`);
    assert.equal(stats.mode, 'proxy');
    assert.equal(stats.received, 4);
    assert.equal(stats.completed, 4);
    assert.deepEqual(stats.byStatus, { '200': 4 });
    assert.equal(stats.upstreamErrors, 0);
  });

  it('writes each piece on as it arrives, neither merged nor split', async () => {
    const pieces = Array.from({ length: 20 }, (_, i) => `data: piece ${i}\n\n`);
    const up = await scriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      void (async () => {
        for (const p of pieces) {
          res.write(p);
          await sleep(15);
        }
        res.end();
      })();
    });
    const proxy = await proxyTo(up.url);
    const res = await fetch(`${proxy.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    const reads: string[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of res.body ?? []) reads.push(decoder.decode(chunk as Uint8Array));
    assert.equal(reads.join(''), pieces.join(''));
    // The client's own reads may merge on a busy machine; most must come one piece at a time.
    assert.ok(reads.length >= 15, `${reads.length} reads for 20 pieces`);
    const stats = await getJson<{ chunks: number }>(`${proxy.url}/admin/stats`);
    assert.ok(stats.chunks >= 15, `proxy wrote ${stats.chunks} pieces`);
  });

  it('--added-chunk-latency holds each piece, one after the other', async () => {
    const pieces = Array.from({ length: 20 }, (_, i) => `data: ${i}\n\n`);
    const up = await scriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Twenty pieces 2 ms apart: the proxy, holding each for 10 ms, paces them to one per 10 ms.
      void (async () => {
        for (const p of pieces) {
          res.write(p);
          await sleep(2);
        }
        res.end();
      })();
    });
    const proxy = await proxyTo(up.url, { addedChunkLatencyMs: 10 });
    const t0 = performance.now();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    const text = await res.text();
    const elapsed = performance.now() - t0;
    assert.equal(text, pieces.join(''));
    assert.ok(elapsed >= 190, `20 pieces held 10 ms each took ${elapsed.toFixed(1)} ms`);
  });

  it('adds its latency before the first byte, drawn per request, never below 0', async () => {
    const up = await scriptedUpstream((_req, res) => res.end('{}'));
    const proxy = await proxyTo(up.url, { addedLatency: { mean: 60, sd: 0 } });
    const t0 = performance.now();
    const res = await fetch(`${proxy.url}/v1/models`);
    await res.text();
    assert.ok(performance.now() - t0 >= 59, 'waited the added latency');
    // A spread far wider than the mean: the normal draw is cut at 0, never negative.
    const wide = await proxyTo(up.url, { addedLatency: { mean: 1, sd: 20 } });
    for (let i = 0; i < 20; i++) await (await fetch(`${wide.url}/v1/models`)).text();
    const stats = await getJson<{ addedLatencyMs: { count: number; min: number; max: number } }>(`${wide.url}/admin/stats`);
    assert.equal(stats.addedLatencyMs.count, 20);
    assert.equal(stats.addedLatencyMs.min, 0);
    assert.ok(stats.addedLatencyMs.max > 1);
  });

  it('passes status, headers and keys through, hop-by-hop headers not', async () => {
    let seen: IncomingHttpHeaders = {};
    const up = await scriptedUpstream((req, res) => {
      seen = req.headers;
      res.writeHead(201, { 'x-upstream': 'yes', 'content-type': 'application/json', 'keep-alive': 'timeout=1' });
      res.end(`{"path":${JSON.stringify(req.url)},"method":${JSON.stringify(req.method)}}`);
    });
    const proxy = await proxyTo(`${up.url}/base`);
    const res = await rawPost(`${proxy.url}/v1/chat/completions?x=1`, '{"a":1}', {
      authorization: 'Bearer sk-secret-1', 'x-api-key': 'sk-secret-2', 'x-team': 'search', connection: 'keep-alive, x-drop', 'x-drop': '1',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-upstream'], 'yes');
    assert.notEqual(res.headers['keep-alive'], 'timeout=1', "the upstream's keep-alive is its own connection's");
    assert.deepEqual(JSON.parse(res.body), { path: '/base/v1/chat/completions?x=1', method: 'POST' });
    assert.equal(seen.authorization, 'Bearer sk-secret-1');
    assert.equal(seen['x-api-key'], 'sk-secret-2');
    assert.equal(seen['x-team'], 'search');
    assert.equal(seen['x-drop'], undefined, 'a header named by connection is hop-by-hop');
    assert.equal(seen.host, new URL(up.url).host);
    assert.equal(seen['content-length'], '7');
    // A simulator behind it checks the key the client sent.
    const keyed = await sim({ 'api-key': 'sk-local', ttft: '0', itl: '0', 'output-tokens': '3' });
    const p2 = await proxyTo(keyed.url);
    const body = { model: 'm', messages: userMessage('hi') };
    assert.equal((await postJson(`${p2.url}/v1/chat/completions`, body)).status, 401);
    assert.equal((await postJson(`${p2.url}/v1/chat/completions`, body, { authorization: 'Bearer sk-local' })).status, 200);
    assert.deepEqual((await getJson(`${p2.url}/admin/stats`)).byStatus, { '200': 1, '401': 1 });
    const shown = JSON.stringify([await getJson(`${p2.url}/admin/stats`), await getJson(`${p2.url}/admin/config`)]);
    assert.ok(!shown.includes('sk-local'), 'keys never shown');
  });

  it('an upstream that cannot be reached gives 502 in the API\'s error shape', async () => {
    const gone = await scriptedUpstream((_req, res) => res.end());
    const url = gone.url;
    await new Promise<void>((r) => gone.server.close(() => r()));
    const proxy = await proxyTo(url);
    const openai = await postJson(`${proxy.url}/v1/chat/completions`, { model: 'm', messages: userMessage('hi') }, { authorization: 'Bearer sk-never-shown' });
    assert.equal(openai.status, 502);
    const o = (await openai.json()) as { error: { type: string; code: string; message: string } };
    assert.equal(o.error.type, 'server_error');
    assert.equal(o.error.code, 'bad_gateway');
    assert.match(o.error.message, /^Bad gateway: the upstream http:\/\/127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
    assert.ok(!o.error.message.includes('sk-never-shown'));
    const anthropic = await postJson(`${proxy.url}/v1/messages`, { model: 'm', max_tokens: 5, messages: userMessage('hi') });
    assert.equal(anthropic.status, 502);
    const a = (await anthropic.json()) as { type: string; error: { type: string } };
    assert.equal(a.type, 'error');
    assert.equal(a.error.type, 'api_error');
    const stats = await getJson(`${proxy.url}/admin/stats`);
    assert.equal(stats.upstreamErrors, 2);
    assert.deepEqual(stats.byStatus, { '502': 2 });
  });

  it('a client that leaves cancels the upstream request, mid-stream and while waiting', async () => {
    const upstream = await sim({ ttft: '0', itl: '20', 'output-tokens': '500', 'load-factor': '0' });
    const proxy = await proxyTo(upstream.url);
    const ac = new AbortController();
    const res = await postJson(`${proxy.url}/v1/chat/completions`, { model: 'm', messages: userMessage('hi'), stream: true }, {}, ac.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    ac.abort();
    await waitFor(() => upstream.stats().cancelled === 1, 5000, 'the upstream generation cancelled');
    await waitFor(async () => (await getJson(`${proxy.url}/admin/stats`)).clientAborts === 1, 5000, 'the proxy counting the abort');

    // Gone during the added latency: nothing reaches the upstream at all.
    const slow = await proxyTo(upstream.url, { addedLatency: { mean: 400, sd: 0 } });
    const before = upstream.stats().received;
    const ac2 = new AbortController();
    const pending = postJson(`${slow.url}/v1/chat/completions`, { model: 'm', messages: userMessage('hi') }, {}, ac2.signal).catch(() => undefined);
    await waitFor(async () => (await getJson(`${slow.url}/admin/stats`)).inFlight === 1, 5000, 'the request at the proxy');
    ac2.abort();
    await pending;
    await waitFor(async () => (await getJson(`${slow.url}/admin/stats`)).clientAborts === 1, 5000, 'the abort counted');
    await sleep(450);
    assert.equal(upstream.stats().received, before, 'never forwarded');
  });

  it('answers its own /admin/ routes and forwards ground-truth lookups to the upstream', async () => {
    const upstream = await sim({ ttft: '0', itl: '0', 'output-tokens': '3' });
    const proxy = await proxyTo(upstream.url, { addedLatency: { mean: 5, sd: 1 } });
    await postJson(`${proxy.url}/v1/chat/completions`, { model: 'm', messages: userMessage('hi') }, { 'x-request-id': 'via-proxy-1' });
    const record = await getJson(`${proxy.url}/admin/requests/via-proxy-1`);
    assert.equal(record.id, 'via-proxy-1');
    assert.equal(record.completionTokens, 3);
    const config = await getJson<{ config: Record<string, unknown> }>(`${proxy.url}/admin/config`);
    assert.equal(config.config.mode, 'proxy');
    assert.deepEqual(config.config.addedLatency, { mean: 5, sd: 1 });
    const patch = await postJson(`${proxy.url}/admin/config`, { ttft: 100 });
    assert.equal(patch.status, 400);
    assert.match(((await patch.json()) as { error: { message: string } }).error.message, /proxy/);
    const stats = await getJson(`${proxy.url}/admin/stats`);
    assert.equal(stats.received, 1, 'lookups are not counted as requests');
    const reset = await postJson(`${proxy.url}/admin/stats/reset`, {});
    assert.equal(((await reset.json()) as { received: number }).received, 0);
    assert.equal((await fetch(`${proxy.url}/health`)).status, 200);
  });

  it('refuses a body over --max-body-bytes with 413 in the API\'s shape', async () => {
    const up = await scriptedUpstream((_req, res) => res.end('{}'));
    const proxy = await proxyTo(up.url, { flags: { 'max-body-bytes': '100' } });
    const res = await postJson(`${proxy.url}/v1/messages`, { model: 'm', max_tokens: 5, messages: userMessage('x'.repeat(500)) });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { type: string }).type, 'error');
  });
});
