// `streamtop sim [flags]`: parses flags with its own commander instance, starts the server, prints
// exactly one stdout line (`listening on URL`) and serves until SIGINT / SIGTERM (or, when a parent
// process started it, until the parent goes away).

import { Command, CommanderError } from 'commander';
import { UsageError } from '../shared/usage-error.ts';
import { addFlags } from '../flags/commander.ts';
import { parseFlags } from '../flags/parse.ts';
import { SIM_COMMAND } from './flags.ts';
import { SIM_PROFILES, SIM_PROFILE_NAMES, resolveSimConfig, withKeyFromEnv, type SimConfig } from './config.ts';
import { FAULT_DESCRIPTIONS, FAULT_NAMES } from './faults.ts';
import { startSimulator } from './server.ts';
import type { ProxySettings } from './proxy-settings.ts';

/** Set by spawn.ts: exit when stdin (a pipe from the parent) closes, i.e. when the parent dies. */
export const PARENT_PIPE_ENV = 'STREAMTOP_SIM_PARENT_PIPE';

function helpFooter(): string {
  const profiles = SIM_PROFILE_NAMES.map((p) => `  ${p.padEnd(12)} ${SIM_PROFILES[p].description}`).join('\n');
  const faults = FAULT_NAMES.map((f) => `  ${f.padEnd(13)} ${FAULT_DESCRIPTIONS[f]}`).join('\n');
  return `
Profiles (--profile; explicit flags override):
${profiles}

Faults (--faults "NAME=P,..."; at most one per request):
${faults}

Endpoints:
  POST /v1/chat/completions   OpenAI chat completions (stream or not)
  POST /v1/messages           Anthropic messages (stream or not)
  GET  /v1/models, GET /health
  GET  /admin/stats           counters and server-side TTFT / ITL summaries
  GET  /admin/requests/:id    the server's own times for a request (by x-request-id)
  GET  /admin/requests?ids=a,b   POST /admin/requests/lookup {"ids": [...]}
  POST /admin/config          change knobs live, e.g. {"ttft": 1500, "revertAfterMs": 3000}
  POST /admin/stats/reset

Gateway emulation (--proxy-to):
  streamtop sim --port 8001 --proxy-to http://127.0.0.1:8000 --added-latency 30
  forwards every request (headers, keys included, and body) to the upstream, waits the added
  latency before it does, and passes the response through piece by piece. Only --host, --port,
  --seed and --max-body-bytes apply besides; GET /admin/stats counts the forwarded requests.

Environment:
  STREAMTOP_SIM_API_KEY       the key to require when --api-key is not given (a flag shows in ps)

Examples:
  streamtop sim --port 8000
  streamtop sim --profile overloaded --faults "http429=0.02,disconnect=0.01"
  streamtop sim --ttft 200 --itl 20 --slots 4 --load-factor 1 --timestamps
`;
}

function buildCommand(): Command {
  const program = new Command('streamtop sim')
    .description(SIM_COMMAND.description)
    .exitOverride()
    .allowExcessArguments(false)
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined })
    .addHelpText('after', helpFooter());
  return addFlags(program, SIM_COMMAND);
}

export async function simMain(argv: string[]): Promise<number> {
  // `streamtop sim --help | head` closes the pipe early: that is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const program = buildCommand();
  let config: SimConfig;
  try {
    program.parse(argv, { from: 'user' });
    const parsed = parseFlags(SIM_COMMAND, program.opts());
    const { proxyTo, addedLatency, addedChunkLatency } = parsed.values;
    if (proxyTo === undefined) config = resolveSimConfig(withKeyFromEnv(parsed.sim, process.env));
    else {
      // A proxy checks no key (STREAMTOP_SIM_API_KEY is the upstream's business): it passes the client's on.
      const proxy: ProxySettings = { to: proxyTo, addedLatency, addedChunkLatencyMs: addedChunkLatency };
      config = { ...resolveSimConfig(parsed.sim), proxy };
    }
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
      process.stderr.write(`streamtop sim: ${oneLine(err.message.replace(/^error: /, ''))} (see streamtop sim --help)\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`streamtop sim: ${oneLine(err.message)}\n`);
      return 2;
    }
    throw err;
  }
  return serve(config, '--port');
}

/**
 * Starts the simulator, prints the listening line and resolves with the exit code on shutdown.
 * `portFlag`: how the user set the port, for the advice when it is taken (--port, or --sim-port).
 */
export async function serve(config: SimConfig, portFlag: string): Promise<number> {
  let server: { url: string; close(): Promise<void> };
  try {
    // The proxy module (undici and all) loads only when asked for.
    server = config.proxy !== undefined ? await (await import('./proxy.ts')).startProxy(config) : await startSimulator(config);
  } catch (err) {
    process.stderr.write(`streamtop sim: cannot listen on ${config.host}:${config.port}: ${oneLine(listenFailure(err, portFlag))}\n`);
    return 1;
  }
  process.stdout.write(`listening on ${server.url}\n`);
  const running = server;
  return new Promise<number>((resolve) => {
    let closing = false;
    const shutdown = (): void => {
      if (closing) return;
      closing = true;
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      process.stdin.off('end', shutdown);
      process.stdin.off('close', shutdown);
      if (process.env[PARENT_PIPE_ENV] === '1') process.stdin.destroy();
      running.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    if (process.env[PARENT_PIPE_ENV] === '1') {
      process.stdin.on('end', shutdown);
      process.stdin.on('close', shutdown);
      process.stdin.resume();
    }
  });
}

/** Why listen() failed, and what to do about it. */
function listenFailure(err: unknown, portFlag: string): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return `the port is in use; choose another ${portFlag}, or ${portFlag} 0 for any free port`;
    case 'EACCES':
      return `permission denied (ports below 1024 need privileges); choose a ${portFlag} above 1023, or 0 for any free port`;
    case 'EADDRNOTAVAIL':
      return 'that address is not on this machine; use 127.0.0.1, or 0.0.0.0 for every interface';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'cannot resolve the host name; use an IP address such as 127.0.0.1';
    default:
      return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
