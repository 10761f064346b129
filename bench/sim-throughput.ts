// Benchmark: SSE events per second the simulator serves with --itl 0 (and --ttft 0) to a client
// that only drains, in another process (this one); then the same client against a bare node:http
// server writing one event per write (bench/sim-bare-server.ts), for the ratio.
//
//   node --import tsx bench/sim-throughput.ts [--conns 32] [--tokens 2000] [--seconds 6]

import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveSimConfig } from '../src/sim/config.ts';
import { spawnSimulator } from '../src/sim/spawn.ts';

const { values } = parseArgs({
  options: {
    conns: { type: 'string', default: '32' },
    tokens: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
  },
});
const CONNS = Number(values.conns);
const TOKENS = Number(values.tokens);

interface Result { events: number; bytes: number; seconds: number }

/** Closed loop over CONNS keep-alive connections; counts content events of streams completed in the window. */
async function drive(url: string, path: string, body: string): Promise<Result> {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNS });
  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: hostname, port, method: 'POST', path, agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const warmupEnd = performance.now() + Number(values.warmup) * 1000;
  const end = warmupEnd + Number(values.seconds) * 1000;
  let streams = 0;
  let bytes = 0;
  let windowStart = 0;
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (performance.now() < end) {
        const b = await once();
        const now = performance.now();
        if (now >= warmupEnd && now <= end) {
          streams += 1;
          bytes += b;
        }
      }
    }),
  );
  windowStart = warmupEnd;
  agent.destroy();
  return { events: streams * TOKENS, bytes, seconds: (end - windowStart) / 1000 };
}

async function startBare(): Promise<{ url: string; close(): void }> {
  const entry = fileURLToPath(new URL('./sim-bare-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (s: string) => resolve(s.trim().replace(/^listening on /, '')));
    child.once('exit', () => reject(new Error('bare server exited')));
  });
  return { url, close: () => child.kill('SIGTERM') };
}

const load = loadavg()[0] ?? 0;
const sim = await spawnSimulator(
  resolveSimConfig({ ttft: '0', itl: '0', jitter: '0', 'prefill-per-token': '0', 'output-tokens': String(TOKENS), slots: '10000', queue: '100000' }),
);
const chat = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'throughput' }] });
const simResult = await drive(sim.url, '/v1/chat/completions', chat);
const stats = (await (await fetch(`${sim.url}/admin/stats`)).json()) as { process: { cpuUserMs: number; cpuSystemMs: number } };
await sim.close();

const bare = await startBare();
const bareResult = await drive(bare.url, `/bare?events=${TOKENS}`, '{}');
bare.close();

const rate = (r: Result): number => Math.round(r.events / r.seconds);
const mbps = (r: Result): string => (r.bytes / r.seconds / 1e6).toFixed(0);
console.log(`\n### sim-throughput: --itl 0 --ttft 0, ${TOKENS} tokens per stream, ${CONNS} connections, drain-only client in another process\n`);
console.log('| server | SSE events/s | MB/s |');
console.log('|---|---|---|');
console.log(`| streamtop sim (OpenAI chunks) | ${rate(simResult).toLocaleString('en-US')} | ${mbps(simResult)} |`);
console.log(`| bare node:http, one event per write | ${rate(bareResult).toLocaleString('en-US')} | ${mbps(bareResult)} |`);
console.log(`| ratio sim / bare | ${(rate(simResult) / rate(bareResult)).toFixed(2)} | |`);
console.log(`\nsimulator CPU over its run: ${((stats.process.cpuUserMs + stats.process.cpuSystemMs) / 1000).toFixed(1)} s; load average at start ${load.toFixed(2)} (2 cores); >= 600,000 events/s: ${rate(simResult) >= 600_000 ? 'PASS' : 'FAIL'}`);
