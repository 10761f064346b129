// The floor for bench/workload.ts's simulator ceiling: a bare node:http server doing the part of a
// non-streaming request that no simulator can skip (read the whole body, decode it, JSON.parse it)
// and answering with a fixed chat.completion body of the simulator's size. Its requests per CPU
// second with 1,000-token bodies against 10-token ones is what Node and the kernel alone allow.
// Prints `listening on URL`.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const ANSWER =
  '{"id":"chatcmpl-ZCFok1lgxhAF00NoG7JoDl5gsqn1j","object":"chat.completion","created":1795939666,"model":"m",' +
  '"choices":[{"index":0,"message":{"role":"assistant","content":" token","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"length"}],' +
  '"usage":{"prompt_tokens":1008,"completion_tokens":1,"total_tokens":1009,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},' +
  '"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},' +
  '"service_tier":"default","system_fingerprint":"fp_streamtop_sim"}';

let sink = 0;
const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    const json = JSON.parse(body.toString('utf8')) as { messages?: unknown[] };
    sink ^= json.messages?.length ?? 0; // the parse must not be optimised away
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(ANSWER.length), 'x-request-id': String(sink) });
    res.end(ANSWER, 'latin1');
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/v1\n`);
});
const stop = (): void => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop).resume(); // gone with its parent
