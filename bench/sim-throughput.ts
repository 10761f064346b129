// Benchmark: SSE events per second the simulator serves with --itl 0 (and --ttft 0) to a client
// that only drains, in another process (this one); then the same client against a bare node:http
// server writing one event per write (bench/sim-bare-server.ts), for the ratio.
//
//   node --import tsx bench/sim-throughput.ts [--conns 32] [--tokens 2000] [--seconds 6]

import { loadavg } from 'node:os';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveSimConfig } from '../src/sim/config.ts';
import { spawnSimulator } from '../src/sim/spawn.ts';
import { startBenchServer } from './lib/child.ts';

const { values } = parseArgs({
  options: {
    conns: { type: 'string', default: '32' },
    tokens: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    // An already running simulator (started with --itl 0 --ttft 0 --output-tokens TOKENS), e.g. under --cpu-prof.
    url: { type: 'string' },
  },
});
const CONNS = Number(values.conns);
const TOKENS = Number(values.tokens);

interface Result { events: number; bytes: number; seconds: number }
const rate = (r: Result): number => Math.round(r.events / r.seconds);

/**
 * Closed loop over CONNS keep-alive raw TCP connections: send a request, read and discard bytes
 * until the chunked terminator, repeat. No HTTP parsing on the client, so the server is what is
 * measured. Counts the content events of the streams completed in the measured window.
 */
async function drive(url: string, path: string, body: string): Promise<Result> {
  const { hostname, port } = new URL(url);
  const request = Buffer.from(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const TERMINATOR = Buffer.from('\r\n0\r\n\r\n');
  const warmupEnd = performance.now() + Number(values.warmup) * 1000;
  const end = warmupEnd + Number(values.seconds) * 1000;
  let streams = 0;
  let bytes = 0;
  await Promise.all(
    Array.from(
      { length: CONNS },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(Number(port), hostname);
          socket.setNoDelay(true);
          let tail = Buffer.alloc(0);
          let got = 0;
          socket.on('connect', () => socket.write(request));
          socket.on('data', (chunk: Buffer) => {
            got += chunk.length;
            // Only the last few bytes matter for spotting the end of the response.
            tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - TERMINATOR.length))]).subarray(-TERMINATOR.length);
            if (!tail.equals(TERMINATOR)) return;
            const now = performance.now();
            if (now >= warmupEnd && now <= end) {
              streams += 1;
              bytes += got;
            }
            got = 0;
            tail = Buffer.alloc(0);
            if (now < end) socket.write(request);
            else {
              socket.destroy();
              resolve();
            }
          });
          socket.on('error', reject);
        }),
    ),
  );
  return { events: streams * TOKENS, bytes, seconds: (end - warmupEnd) / 1000 };
}

// A stuck run must not hang CI: give up after a generous bound.
setTimeout(() => {
  console.error('sim-throughput: timed out');
  process.exit(1);
}, 120_000).unref();

const load = loadavg()[0] ?? 0;
const sim =
  values.url !== undefined
    ? { url: values.url, close: async () => undefined }
    : await spawnSimulator(
        resolveSimConfig({ ttft: '0', itl: '0', jitter: '0', 'prefill-per-token': '0', 'output-tokens': String(TOKENS), slots: '10000', queue: '100000' }),
      );
const chat = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'throughput' }] });
const simResult = await drive(sim.url, '/v1/chat/completions', chat);
const stats = (await (await fetch(`${sim.url}/admin/stats`)).json()) as { process: { cpuUserMs: number; cpuSystemMs: number } };
await sim.close();

if (values.url !== undefined) {
  console.log(`sim: ${rate(simResult)} events/s`);
  process.exit(0);
}
const bare = await startBenchServer(fileURLToPath(new URL('./sim-bare-server.ts', import.meta.url)));
const bareResult = await drive(bare.url, `/bare?events=${TOKENS}`, '{}');
bare.close();

const mbps = (r: Result): string => (r.bytes / r.seconds / 1e6).toFixed(0);
console.log(`\n### sim-throughput: --itl 0 --ttft 0, ${TOKENS} tokens per stream, ${CONNS} connections, drain-only client in another process\n`);
console.log('| server | SSE events/s | MB/s |');
console.log('|---|---|---|');
console.log(`| streamtop sim (OpenAI chunks) | ${rate(simResult).toLocaleString('en-US')} | ${mbps(simResult)} |`);
console.log(`| bare node:http, one event per write | ${rate(bareResult).toLocaleString('en-US')} | ${mbps(bareResult)} |`);
console.log(`| ratio sim / bare | ${(rate(simResult) / rate(bareResult)).toFixed(2)} | |`);
console.log(`\nsimulator CPU over its run: ${((stats.process.cpuUserMs + stats.process.cpuSystemMs) / 1000).toFixed(1)} s; load average at start ${load.toFixed(2)} (2 cores); >= 600,000 events/s: ${rate(simResult) >= 600_000 ? 'PASS' : 'FAIL'}`);
process.exit(0);
