// The floor under the paced simulator benchmark: what 1,000 loopback TCP sockets cost when a
// bare Node loop only writes ~200 bytes to each every 20 ms (one timer, due sockets written in
// turn), read by a drain-only Node client in another process. No HTTP, no SSE, no scheduler heap:
// whatever sim-paced.ts measures above this is the simulator's own work.
//
//   node --no-memory-reducer --min-semi-space-size=16 --max-semi-space-size=32 --import tsx bench/socket-write-floor.ts [--sockets 1000] [--seconds 8]
// (the V8 flags are the simulator's own, SIM_V8_FLAGS in src/sim/spawn.ts, for a like-for-like floor)

import { fork } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { procRunqueueWaitMs } from './lib/child.ts';

const SELF = fileURLToPath(import.meta.url);
const ITL_MS = 20;
const PAYLOAD = `data: ${'x'.repeat(190)}\n\n`;

if (process.argv[2] === '--client') {
  const [port, sockets, seconds] = process.argv.slice(3).map(Number) as [number, number, number];
  for (let i = 0; i < sockets; i++) connect(port, '127.0.0.1').on('data', () => undefined);
  setTimeout(() => process.exit(0), (seconds + 2) * 1000);
} else {
  const { values } = parseArgs({ options: { sockets: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '8' } } });
  const SOCKETS = Number(values.sockets);
  const SECONDS = Number(values.seconds);
  const conns: { socket: Socket; due: number }[] = [];
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    // The client is killed at the end; its resets are expected.
    socket.on('error', () => undefined);
    conns.push({ socket, due: performance.now() + Math.random() * ITL_MS });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const child = fork(SELF, ['--client', String((server.address() as AddressInfo).port), String(SOCKETS), String(SECONDS)], { execArgv: process.execArgv });
  while (conns.length < SOCKETS) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1000));
  // Phases spread over one ITL from now (not from each connect), so nothing starts behind.
  for (const c of conns) c.due = performance.now() + Math.random() * ITL_MS;
  let writes = 0;
  // Preallocated: a growing array would add its own copying to what is measured.
  const lateAll = new Float64Array(Math.ceil(SOCKETS * (SECONDS + 1) * (1000 / ITL_MS)));
  let lateN = 0;
  const cpu0 = process.cpuUsage();
  const runq0 = procRunqueueWaitMs(process.pid);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      for (const c of conns) {
        if (c.due > now) continue;
        // Lateness at the write itself, as the simulator records it (not the tick's start).
        if (lateN < lateAll.length) lateAll[lateN++] = performance.now() - c.due;
        c.socket.write(PAYLOAD, 'latin1');
        writes++;
        c.due += ITL_MS;
      }
      if (now - t0 < SECONDS * 1000) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const cpu = process.cpuUsage(cpu0);
  const wallUs = (performance.now() - t0) * 1000;
  const late = lateAll.subarray(0, lateN).sort();
  const pct = (p: number): string => (late[Math.min(late.length - 1, Math.floor((late.length * p) / 100))] ?? Number.NaN).toFixed(2);
  console.log(
    `${SOCKETS} sockets, ${Math.round(writes / SECONDS)} writes/s of ${PAYLOAD.length} bytes: CPU user ${((cpu.user / wallUs) * 100).toFixed(1)} % + system ${((cpu.system / wallUs) * 100).toFixed(1)} % of one core, ` +
      `${((cpu.user + cpu.system) / writes).toFixed(1)} µs per write; lateness p50 ${pct(50)} p99 ${pct(99)} ms; ` +
      `waiting for a CPU ${(((procRunqueueWaitMs(process.pid) - runq0) * 1000) / wallUs * 100).toFixed(1)} % of the time`,
  );
  for (const c of conns) c.socket.destroy();
  server.close();
  child.kill();
}
