import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import type { ErrorCode, RequestRecord } from '../../src/engine/types.ts';
import { patchConfig, type EngineConfigPatch } from '../../src/engine/config.ts';
import { testConfig } from '../helpers/engine-config.ts';
import {
  openAiChunk,
  openAiUsage,
  pacedOpenAiStream,
  sleep,
  sseHeaders,
  startScriptedServer,
  type Script,
} from '../helpers/scripted-server.ts';

/**
 * The fault matrix against scripted servers: every odd request meets the fault, every even one
 * is healthy. For each fault the run goes on, the faulty requests are counted under their stable
 * code with a message, the healthy ones succeed, and nothing is lost or left unhandled.
 */

const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

const healthy = pacedOpenAiStream({ ttftMs: 5, gapMs: 1, tokens: 4 });
const server = await startScriptedServer(healthy);
after(() => server.close());

function alternating(fault: Script): Script {
  let n = 0;
  return (req, res, body) => (n++ % 2 === 0 ? fault(req, res, body) : healthy(req, res, body));
}

async function runWith(script: Script, over: EngineConfigPatch = {}): Promise<RequestRecord[]> {
  server.setScript(script);
  const records: RequestRecord[] = [];
  const engine = new Engine(patchConfig(testConfig(server.url, { load: { requests: 6, concurrency: 1 } }), over), { onRecord: (r) => records.push(r) });
  await engine.start();
  await engine.done;
  engine.dispose();
  return records;
}

interface Case {
  name: string;
  fault: Script;
  code: ErrorCode;
  message: RegExp;
  over?: EngineConfigPatch;
}

const cases: Case[] = [
  {
    name: '429 with retry-after',
    fault: (_q, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit' } }));
    },
    code: 'http_429',
    message: /HTTP 429: .*Rate limit reached/,
  },
  {
    name: '429 without retry-after',
    fault: (_q, res) => {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'slow down' } }));
    },
    code: 'http_429',
    message: /slow down/,
  },
  {
    name: '500',
    fault: (_q, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'internal failure' } }));
    },
    code: 'http_500',
    message: /internal failure/,
  },
  {
    name: '503 with an HTML page',
    fault: (_q, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
    },
    code: 'http_503',
    message: /HTTP 503/,
  },
  {
    name: 'connection reset before headers',
    fault: (req) => {
      req.socket.destroy();
    },
    code: 'connect_reset',
    message: /before/,
  },
  {
    name: 'disconnect mid-stream',
    fault: async (_q, res) => {
      sseHeaders(res);
      res.write(openAiChunk('one'));
      res.write(openAiChunk(' two'));
      await sleep(5);
      res.socket?.destroy();
    },
    code: 'stream_disconnected',
    message: /closed mid-response/,
  },
  {
    name: 'stall longer than --idle-timeout',
    fault: async (_q, res) => {
      sseHeaders(res);
      res.write(openAiChunk('one'));
      await sleep(1500);
      if (!res.destroyed) res.end('data: [DONE]\n\n');
    },
    code: 'timeout_idle',
    message: /idle timeout of 200 ms/,
    over: { resilience: { timeouts: { connectMs: 1000, ttftMs: 0, idleMs: 200, totalMs: 0 } } },
  },
  {
    name: 'malformed JSON in a data line',
    fault: (_q, res) => {
      sseHeaders(res);
      res.write(openAiChunk('one'));
      res.end('data: {"choices": [ {"delta": \n\ndata: [DONE]\n\n');
    },
    code: 'sse_malformed',
    message: /.+/,
  },
  {
    name: 'HTML page with status 200 on a streaming request',
    fault: (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><body>Gateway says hi</body></html>');
    },
    code: 'bad_content_type',
    message: /expected text\/event-stream, got text\/html/,
  },
  {
    name: 'non-SSE content type',
    fault: (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(100));
    },
    code: 'bad_content_type',
    message: /application\/octet-stream/,
  },
  {
    name: 'error event in the middle of a stream',
    fault: (_q, res) => {
      sseHeaders(res);
      res.write(openAiChunk('one'));
      res.end(`data: ${JSON.stringify({ error: { message: 'model overloaded mid-stream', type: 'server_error' } })}\n\n`);
    },
    code: 'stream_error_event',
    message: /model overloaded mid-stream/,
  },
  {
    name: 'an event larger than the event cap',
    fault: (_q, res) => {
      sseHeaders(res);
      res.write(openAiChunk('one'));
      res.end(openAiChunk('x'.repeat(3 * 1024 * 1024)) + 'data: [DONE]\n\n');
    },
    code: 'sse_event_too_large',
    message: /.+/,
  },
  {
    name: 'a server that never answers',
    fault: () => undefined,
    code: 'timeout_total',
    message: /total timeout of 300 ms/,
    over: { resilience: { timeouts: { connectMs: 1000, ttftMs: 0, idleMs: 0, totalMs: 300 } } },
  },
];

for (const c of cases) {
  test(`fault: ${c.name} -> ${c.code}, and the run goes on`, async () => {
    const records = await runWith(alternating(c.fault), c.over);
    assert.equal(records.length, 6, 'every request accounted for');
    const bad = records.filter((r) => r.outcome === 'failed');
    const good = records.filter((r) => r.outcome === 'ok');
    assert.equal(good.length, 3, `healthy requests succeed: ${JSON.stringify(bad.map((r) => [r.errorCode, r.errorMessage]))}`);
    assert.equal(bad.length, 3);
    for (const r of bad) {
      assert.equal(r.errorCode, c.code, r.errorMessage);
      assert.match(r.errorMessage ?? '', c.message);
    }
  });
}

test('a 1 MiB event is accepted whole and memory stays bounded', async () => {
  const big = 'y'.repeat(1024 * 1024);
  const before = process.memoryUsage().rss;
  const records = await runWith(async (_q, res) => {
    sseHeaders(res);
    res.write(openAiChunk(big));
    res.write(openAiUsage(1));
    res.end('data: [DONE]\n\n');
  });
  assert.ok(records.every((r) => r.outcome === 'ok'));
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
});

test('invalid UTF-8 never throws: replaced, and the request still succeeds', async () => {
  const records = await runWith(async (_q, res) => {
    sseHeaders(res);
    const head = Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"bad ');
    const tail = Buffer.from(' bytes"}}]}\n\n');
    res.write(Buffer.concat([head, Buffer.from([0xff, 0xfe, 0xc3]), tail]));
    res.write(openAiUsage(2));
    res.end('data: [DONE]\n\n');
  });
  assert.ok(records.every((r) => r.outcome === 'ok'), JSON.stringify(records.map((r) => r.errorMessage)));
});

test('retries recover transient faults before content, and count attempts', async () => {
  const records = await runWith(
    alternating((_q, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"busy"}}');
    }),
    { resilience: { retries: 1 }, load: { requests: 4 } },
  );
  assert.ok(records.every((r) => r.outcome === 'ok'));
  assert.ok(records.some((r) => r.attempts === 2));
});

test('--bail stops the run after N consecutive failures', async () => {
  server.setScript((_q, res) => {
    res.writeHead(500);
    res.end();
  });
  const records: RequestRecord[] = [];
  const engine = new Engine(testConfig(server.url, { load: { requests: 1000, concurrency: 1 }, resilience: { bail: 5 } }), { onRecord: (r) => records.push(r) });
  await engine.start();
  const outcome = await engine.done;
  engine.dispose();
  assert.equal(outcome.stopReason, 'bail');
  assert.ok(records.length >= 5 && records.length < 20, `stopped after ${records.length}`);
});

test('no unhandled rejection anywhere in the matrix', () => {
  assert.deepEqual(unhandled, []);
});
