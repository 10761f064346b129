// Baseline for bench/sim-throughput.ts: a bare node:http server that answers every POST with
// `?events=N` SSE events of the same size as the simulator's OpenAI chunks, one event per
// res.write (waiting for 'drain' when a write returns false). Prints `listening on URL`.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const EVENT =
  'data: {"id":"chatcmpl-ZCFok1lgxhAF00NoG7JoDl5gsqn1j","object":"chat.completion.chunk","created":1795939666,' +
  '"model":"bench","system_fingerprint":"fp_streamtop_sim","choices":[{"index":0,"delta":{"content":" token"},' +
  '"logprobs":null,"finish_reason":null}]}\n\n';

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  const events = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('events') ?? '1000');
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let i = 0;
    const pump = (): void => {
      while (i < events) {
        i += 1;
        if (!res.write(EVENT)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end('data: [DONE]\n\n');
    };
    pump();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop); // exit with the parent
process.stdin.resume();
