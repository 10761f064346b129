// The simulator as a process: `streamtop sim` flags, the single stdout line, clean shutdown on
// SIGTERM / SIGINT, usage errors (exit 2, one line), spawnSimulator and orphan handling.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { resolveSimConfig } from '../../src/sim/config.ts';
import { spawnSimulator } from '../../src/sim/spawn.ts';
import { waitFor } from '../helpers/sim-helpers.ts';

const MAIN = fileURLToPath(new URL('../../src/sim/main.ts', import.meta.url));
const ORPHAN = fileURLToPath(new URL('../helpers/sim-orphan.ts', import.meta.url));
const env = { ...process.env, STREAMTOP_SIM_CONFIG: undefined } as NodeJS.ProcessEnv;
delete env.STREAMTOP_SIM_CONFIG;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runUntilListening(args: string[], signal: NodeJS.Signals): Promise<{ stdout: string; stderr: string; code: number | null; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  await waitFor(() => stdout.includes('\n') || child.exitCode !== null, 20_000, 'listening line');
  const url = /^listening on (\S+)\n/.exec(stdout)?.[1] ?? '';
  const health = await fetch(`${url}/health`);
  assert.equal(health.status, 200);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return { stdout, stderr, code: await exited, url };
}

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('streamtop sim process', () => {
  it('prints exactly one stdout line and exits 0 on SIGTERM and SIGINT', async () => {
    const runs = await Promise.all((['SIGTERM', 'SIGINT'] as const).map((signal) => runUntilListening(['--port', '0', '--ttft', '5', '--api-key', 'do-not-print'], signal)));
    for (const r of runs) {
      assert.match(r.stdout, /^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
    }
  });

  it('rejects invalid flags with one line naming the flag, exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--ttft', 'abc'], /^streamtop sim: invalid value "abc" for --ttft: expected /],
      [['--bogus'], /^streamtop sim: unknown option '--bogus'/],
      [['--faults', 'explode=1'], /^streamtop sim: invalid value "explode=1" for --faults: expected NAME=PROBABILITY/],
      [['--port', '99999'], /--port: expected an integer from 0 to 65535/],
      [['--slots'], /^streamtop sim: option '--slots <N>' argument missing/],
      [['--api-key', ''], /^streamtop sim: invalid value for --api-key/],
    ];
    // In parallel: each run is mostly node + tsx start-up.
    const results = await Promise.all(cases.map(([args]) => run(args)));
    cases.forEach(([args, re], i) => {
      const r = results[i] as Awaited<ReturnType<typeof run>>;
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
    });
  });

  it('a port in use: one line saying so and what to do, exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = String((blocker.address() as AddressInfo).port);
    try {
      const r = await run(['--port', port]);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `streamtop sim: cannot listen on 127.0.0.1:${port}: the port is in use; choose another --port, or --port 0 for any free port\n`);
    } finally {
      blocker.close();
    }
  });

  it('takes its key from STREAMTOP_SIM_API_KEY (kept out of ps), the flag winning over it', async () => {
    const start = async (args: string[]): Promise<{ url: string; stop(): void }> => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', ...args], {
        env: { ...env, STREAMTOP_SIM_API_KEY: 'sk-from-env' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      await waitFor(() => stdout.includes('\n') || child.exitCode !== null, 20_000, 'listening line');
      return { url: /^listening on (\S+)\n/.exec(stdout)?.[1] ?? '', stop: () => child.kill('SIGTERM') };
    };
    const models = (url: string, key?: string): Promise<number> =>
      fetch(`${url}/v1/models`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    const fromEnv = await start([]);
    const fromFlag = await start(['--api-key', 'sk-from-flag']);
    try {
      assert.equal(await models(fromEnv.url), 401);
      assert.equal(await models(fromEnv.url, 'sk-from-env'), 200);
      assert.equal(await models(fromFlag.url, 'sk-from-env'), 401);
      assert.equal(await models(fromFlag.url, 'sk-from-flag'), 200);
    } finally {
      fromEnv.stop();
      fromFlag.stop();
    }
  });

  it('--help lists every flag, profile and fault', async () => {
    const r = await run(['--help']);
    assert.equal(r.status, 0);
    for (const word of ['--ttft', '--prefill-per-token', '--load-factor', '--faults', '--timestamps', 'overloaded', 'frontier', 'slow-headers', '/admin/config']) {
      assert.ok(r.stdout.includes(word), word);
    }
  });
});

describe('spawnSimulator', () => {
  it('starts a child, serves, and close() stops it', async () => {
    const sim = await spawnSimulator(resolveSimConfig({ ttft: '5', itl: '1', 'output-tokens': '3' }));
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(alive(sim.pid));
    assert.equal((await fetch(`${sim.url}/health`)).status, 200);
    await sim.close();
    assert.equal(alive(sim.pid), false);
    await sim.close(); // idempotent
  });

  it('fails with the reason from the child when it cannot listen', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(spawnSimulator(resolveSimConfig({ port: String(port) })), (e: Error) => {
        assert.equal(e.name, 'SimulatorStartError');
        assert.equal(e.message, `the built-in simulator could not start: cannot listen on 127.0.0.1:${port}: the port is in use; choose another --sim-port, or --sim-port 0 for any free port`);
        return true;
      });
    } finally {
      blocker.close();
    }
  });

  it('the child exits when its parent dies', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', ORPHAN], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    await waitFor(() => out.includes('\n'), 30_000, 'orphan helper ready');
    const simPid = Number(out.split(' ')[0]);
    assert.ok(alive(simPid));
    parent.kill('SIGKILL');
    await waitFor(() => !alive(simPid), 5000, 'simulator child to exit');
  });
});
