// The floor under any client's TTFT error: one round trip between two bare Node processes on
// loopback TCP (a byte out, the same byte back, no HTTP, no parsing). The TTFT difference the
// accuracy benchmark measures is one such round trip (request up, first token down) plus the
// client's and the server's own work, so it cannot beat this on the same machine.
//
//   import { measureRoundTrip } from './lib/round-trip.ts'  (forks this file as the echo server)

import { fork } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--echo-server') {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (b) => socket.write(b));
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
}

/** Round-trip times (ms) of `pings` one-byte pings sent `gapMs` apart (the machine idles between). */
export async function measureRoundTrip(pings: number, gapMs: number): Promise<number[]> {
  // The parent's flags (--import tsx) let the child load this TypeScript file.
  const child = fork(SELF, ['--echo-server'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: process.execArgv });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('echo server did not start')), 10_000);
      child.once('message', (m) => {
        clearTimeout(timer);
        resolve(Number(m));
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
    });
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const rtts: number[] = [];
    for (let i = 0; i < pings; i++) {
      await new Promise((r) => setTimeout(r, gapMs));
      const t0 = performance.now();
      const back = new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.write('x');
      await back;
      rtts.push(performance.now() - t0);
    }
    socket.destroy();
    return rtts;
  } finally {
    child.kill();
  }
}
