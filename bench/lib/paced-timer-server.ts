// The peer for bench/sim-paced.ts: the straightforward way to pace streams with node:http, one
// timer per stream (a setTimeout chain, re-armed after each token) and one res.write per token,
// as the issue names it ("one timer per stream does not get there"). Same wire size per event as
// the simulator's OpenAI chunks, same schedule (first token ttft after the request is read, then
// one every itl). It measures its own lateness (write time minus schedule) like the simulator's
// server-side histogram, and serves it at GET /admin/stats; POST /admin/stats/reset clears it.
//
//   node --import tsx bench/lib/paced-timer-server.ts --ttft 200 --itl 20 --tokens 100
// Prints `listening on URL` when ready; exits when stdin closes (its parent died) or on SIGTERM.

import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { FastHistogram } from '../../src/sim/fast-histogram.ts';

const { values } = parseArgs({
  options: { ttft: { type: 'string', default: '200' }, itl: { type: 'string', default: '20' }, tokens: { type: 'string', default: '100' } },
});
const TTFT = Number(values.ttft);
const ITL = Number(values.itl);
const TOKENS = Number(values.tokens);

const event = (i: number): string =>
  'data: {"id":"chatcmpl-peer0000000000000000000000","object":"chat.completion.chunk","created":1795939666,' +
  `"model":"bench","system_fingerprint":"fp_peer","choices":[{"index":0,"delta":{"content":" token${i % 10}"},` +
  '"logprobs":null,"finish_reason":null}]}\n\n';

let lateness = new FastHistogram();
let tokensSent = 0;

function stream(res: ServerResponse, t0: number): void {
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    const due = t0 + TTFT + i * ITL;
    lateness.record(performance.now() - due);
    tokensSent += 1;
    res.write(event(i));
    i += 1;
    if (i === TOKENS) {
      res.end('data: [DONE]\n\n');
      return;
    }
    setTimeout(next, Math.max(0, t0 + TTFT + i * ITL - performance.now()));
  };
  setTimeout(next, TTFT);
}

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.url === '/admin/stats') {
    const body = JSON.stringify({
      tokensSent,
      latenessMs: { p50: lateness.percentile(50), p95: lateness.percentile(95), p99: lateness.percentile(99), max: lateness.max },
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  if (req.url === '/admin/stats/reset') {
    lateness = new FastHistogram();
    tokensSent = 0;
    res.writeHead(204).end();
    return;
  }
  req.resume();
  req.on('end', () => {
    const t0 = performance.now();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n');
    stream(res, t0);
  });
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
