// Runs the simulator in a child process so it never shares an event loop with the client that
// measures it. The child reports readiness with its one stdout line and exits with its parent
// (it watches its stdin pipe, which closes when the parent dies).

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimConfig } from './config.ts';

export interface SpawnedSimulator {
  url: string;
  pid: number;
  /** With --tls: the self-signed certificate (PEM) for the client to trust. */
  ca?: string;
  close(): Promise<void>;
}

/** The simulator child did not come up; the message says why (from its own stderr line). */
export class SimulatorStartError extends Error {
  override readonly name = 'SimulatorStartError';
}

export interface SpawnOptions {
  signal?: AbortSignal;
  /** How long to wait for the listening line, ms (default 20000). */
  timeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL on close, ms (default 3000). */
  killAfterMs?: number;
}

const STDERR_TAIL = 4096;
/**
 * The simulator's garbage collection shows up as latency in whatever it measures: a pause of
 * 10-20 ms delays every token due in it. Young generations of 16-32 MiB let a request's objects
 * (alive for one response, a few seconds) die young instead of being promoted, and without the
 * memory reducer V8 no longer compacts the heap just because allocation slowed. Measured with
 * --trace-gc over 40 s of 64 paced streams: 8 mark-compacts with 2-22 ms pauses before, none after
 * (RSS ~150 MiB).
 */
export const SIM_V8_FLAGS = ['--no-memory-reducer', '--min-semi-space-size=16', '--max-semi-space-size=32'];
const CONFIG_ENV = 'STREAMTOP_SIM_CONFIG';
const PARENT_PIPE_ENV = 'STREAMTOP_SIM_PARENT_PIPE';

function tsxLoader(): string {
  // Absolute, so the child resolves tsx even when streamtop runs from another directory.
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

export async function spawnSimulator(config: SimConfig, opts: SpawnOptions = {}): Promise<SpawnedSimulator> {
  opts.signal?.throwIfAborted();
  // With --tls the certificate is made here, so the parent knows what to trust (returned as `ca`).
  let ca: string | undefined;
  if (config.tls) {
    if (config.tlsCert === undefined || config.tlsKey === undefined) {
      const { generateSelfSigned } = await import('./tls.ts');
      const material = await generateSelfSigned();
      config = { ...config, tlsCert: material.cert, tlsKey: material.key };
    }
    ca = config.tlsCert;
  }
  // From the bundle (dist/, see scripts/build.mjs) the entry is plain JavaScript; from the
  // sources it is TypeScript and needs tsx.
  const bundled = import.meta.url.endsWith('.js');
  const entry = fileURLToPath(new URL(bundled ? './sim-main.js' : './main.ts', import.meta.url));
  const loader = bundled ? [] : ['--import', tsxLoader()];
  const child = spawn(process.execPath, [...SIM_V8_FLAGS, ...loader, entry], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config), [PARENT_PIPE_ENV]: '1' },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_TAIL);
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => {
    exited = true;
  });
  const close = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 3000);
    await exitedPromise;
    clearTimeout(timer);
  };
  try {
    const url = await waitForListening(child, opts, () => stderr);
    // Keep draining stdout so the child never blocks on a full pipe.
    child.stdout?.resume();
    return { url, pid: child.pid ?? -1, close, ...(ca !== undefined ? { ca } : {}) };
  } catch (err) {
    await close();
    throw err;
  }
}

function waitForListening(child: ChildProcess, opts: SpawnOptions, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('close', onExit);
      child.off('error', onError);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (message: string, exited = false): void => {
      cleanup();
      const tail = stderr().trim();
      // A simulator that exits explains why on one "streamtop sim: ..." line; for a timeout or a
      // spawn error our own message leads and its stderr follows.
      const own = exited ? /^streamtop sim: (.+)$/m.exec(tail)?.[1] : undefined;
      if (own !== undefined) reject(new SimulatorStartError(`the built-in simulator could not start: ${own}`));
      else reject(new SimulatorStartError(tail === '' ? message : `${message}; stderr: ${tail}`));
    };
    const onData = (s: string): void => {
      buffered += s;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      const line = buffered.slice(0, nl);
      const m = /^listening on (\S+)$/.exec(line);
      cleanup();
      if (m?.[1] !== undefined) resolve(m[1]);
      else reject(new SimulatorStartError(`the built-in simulator printed an unexpected line: ${JSON.stringify(line)}`));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`simulator exited (${signal ?? `code ${code}`}) before listening`, true);
    const onError = (err: Error): void => fail(`cannot start the simulator: ${err.message}`);
    const onAbort = (): void => {
      cleanup();
      reject(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => fail(`simulator did not report listening within ${timeoutMs} ms`), timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', onData);
    // 'close', not 'exit': by then its stderr (the reason it gives) has been read.
    child.once('close', onExit);
    child.once('error', onError);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
