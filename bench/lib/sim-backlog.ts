// Preloaded into the benchmark's simulator process (node --import): listen() with a deep accept
// queue. The simulator calls server.listen(port, host, cb), i.e. Node's default backlog of 511;
// when thousands of clients connect within a second, the kernel drops SYNs past that and the
// clients' SYN retries (1 s, 3 s, 7 s, ...) stall them for seconds: the benchmark would measure
// TCP back-off, not the client. Production servers use deep queues (uvicorn and vLLM 2048).
import net from 'node:net';

const BACKLOG = Number(process.env.BENCH_SIM_BACKLOG ?? 4096);
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]): net.Server {
  if (typeof args[0] === 'number' && typeof args[1] === 'string' && typeof args[2] === 'function') {
    return (listen as (...a: unknown[]) => net.Server).call(this, args[0], args[1], BACKLOG, args[2]);
  }
  return (listen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;
