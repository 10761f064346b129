import { isatty } from 'node:tty';
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './config/usage-error.ts';
import type { RawOptions } from './config/run-options.ts';
import { SIM_FLAG_SPECS } from './sim/config.ts';
import { VERSION } from './version.ts';

/**
 * Arguments -> validated config -> one of: dashboard, headless run, simulator, report tools.
 * Usage errors print one line naming the flag and exit 2; nothing prints a stack trace.
 */

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

/** `experiment`: sweep and compare-*, which refuse the single-run outputs (hidden from their help). */
function addRunOptions(cmd: Command, experiment = false): Command {
  const singleRun = (flags: string, description: string): Option => new Option(flags, description).hideHelp(experiment);
  cmd
    // Target
    .option('--url <URL>', 'endpoint base URL (OpenAI: include /v1, e.g. https://api.openai.com/v1; Anthropic: https://api.anthropic.com). Default: start the built-in simulator')
    .option('--api <API>', 'wire format: openai | anthropic (default openai)')
    .option('--model <NAME>', 'model name sent with each request (default: streamtop-sim, gpt-4o-mini or claude-haiku-4-5)')
    .option('--api-key-env <VAR>', 'environment variable holding the API key (default OPENAI_API_KEY / ANTHROPIC_API_KEY)')
    .addOption(new Option('--api-key <KEY>').hideHelp())
    .option('--insecure', 'do not verify TLS certificates (prints a warning)')
    .option('--connection <MODE>', 'keepalive | fresh (new connection per request) | prewarm (open the pool first) | h2 (default keepalive)')
    // Load
    .option('-c, --concurrency <N>', 'closed loop: requests in flight (default 8); open loop: cap on in flight (default 1000)')
    .option('--rate <R>', 'open loop: requests per second (latency counted from the intended start)')
    .option('--arrival <KIND>', 'open-loop arrivals: constant | poisson (default constant)')
    .option('--max-queue-delay <TIME>', 'open loop: tickets waiting longer than this are dropped (default 30s)')
    .option('--stream-ratio <R>', 'fraction of requests that stream, 0..1 or a % (default 0.5)')
    .option('-n, --requests <N>', 'stop after N measured requests')
    .option('-d, --duration <TIME>', 'stop after this long, e.g. 30s, 5m (headless default 10s; a bare number is seconds)')
    .option('--grace <TIME>', 'after --duration, let requests in flight finish for up to this long, then cancel them (default 30s)')
    .option('--warmup <N>', 'first N requests are not counted in statistics (default 0)')
    .option('--ramp <TIME>', 'closed loop: reach the pool size gradually over this long (default 0)')
    .option('--seed <N>', 'seed for the stream/non-stream mix, prompt choice, arrivals and backoff (default 1)')
    // Prompts
    .option('--prompt <TEXT>', 'send this prompt')
    .option('--prompts <FILE>', 'JSONL file, one {"prompt": "..."} or {"messages": [...]} per line')
    .option('--system <TEXT>', 'system prompt')
    .option('--max-tokens <N>', 'max output tokens per request')
    // Failures
    .option('--retries <N>', 'retry connection errors, 429 and 5xx before any content, with backoff (default 0)')
    .option('--retry-base <TIME>', 'first backoff (doubles per attempt, jittered over the upper half; retry-after wins) (default 500ms)')
    .option('--retry-max <TIME>', 'longest backoff (default 20s)')
    .option('--connect-timeout <TIME>', 'TCP/TLS connect timeout (default 10s; a bare number is ms)')
    .option('--ttft-timeout <TIME>', 'streams: give up if no content this long after sending (default off)')
    .option('--idle-timeout <TIME>', 'give up after this long without a byte (default 60s)')
    .option('--timeout <TIME>', 'total time limit per request (default off)')
    .option('--bail <N>', 'stop the run after N consecutive failures')
    // Features
    .option('--early-stop <RULES>', 'abort streams early: "min-tokens=N,max-tokens=N,stop=REGEX"')
    .option('--slo <SLOS>', 'objectives for goodput, e.g. "ttft<500ms,tpot<50ms,e2e<10s"')
    .addOption(singleRun('--fail-if <GATES>', 'exit 1 if any holds false, e.g. "p95(ttft)<800ms,error-rate<1%,p99(e2e)<10s"'))
    .option('--price-in <USD>', 'input price, dollars per million tokens (default: built-in table by model)')
    .option('--price-out <USD>', 'output price, dollars per million tokens (default: built-in table by model)')
    .option('--project <N/month>', 'cost projection for N requests a month, e.g. 1000000/month')
    // Output
    .option('--headless', 'no dashboard: progress on stderr, summary on stdout (automatic when stdout is not a terminal or CI is set)')
    .option('--json <FILE>', 'write the full report (streamtop.report/1) as JSON')
    .addOption(singleRun('--ndjson <FILE>', 'write one JSON line per request'))
    .addOption(singleRun('--markdown <FILE>', 'write a Markdown summary (for a pull request)'))
    .option('--window <TIME>', 'rolling window of the live charts and timeline percentiles (default 10s)');
  for (const spec of SIM_FLAG_SPECS) {
    const flag = spec.valueName ? `--sim-${spec.name} <${spec.valueName}>` : `--sim-${spec.name}`;
    cmd.option(flag, `simulator: ${spec.description}`);
  }
  return cmd;
}

function commanderToUsage(e: CommanderError): UsageError {
  const msg = e.message.replace(/^error:\s*/, '');
  return new UsageError(`${msg} (see streamtop --help)`);
}

function inCi(env: NodeJS.ProcessEnv): boolean {
  if (env.CI === '0' || env.CI === 'false') return false;
  return 'CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some((k) => k.startsWith('CI_'));
}

async function runMain(opts: RawOptions, io: Io): Promise<number> {
  // Loaded on demand: --help and the report subcommands need none of the engine.
  const { parseRunOptions } = await import('./config/run-options.ts');
  // tty.isatty, not process.stdin.isTTY: touching process.stdin creates the stream before Ink
  // does, and Ink then never receives a key (seen with the engine's worker thread running).
  // Under CI (the variables Ink checks) Ink draws no live frames, so the dashboard would look
  // frozen: run headless there, as without a terminal.
  const plan = parseRunOptions(opts, { stdoutIsTTY: io.stdout.isTTY === true && isatty(0) && !inCi(process.env) });
  if (plan.output.headless) {
    const { runHeadless } = await import('./run/headless.ts');
    return runHeadless(plan, io);
  }
  // The engine worker (and the simulator it starts) get going first: loading Ink and React takes
  // ~0.7 s here, and the two now overlap instead of adding up before the first frame.
  const { RemoteEngine } = await import('./run/remote-engine.ts');
  const remote = new RemoteEngine(plan);
  const { runDashboard } = await import('./run/dashboard.tsx');
  return runDashboard(remote, io);
}

const COMMANDS = ['sim', 'sweep', 'compare-modes', 'compare-connections', 'report', 'compare', 'merge'] as const;

/** Edit distance, for "did you mean" on a mistyped command. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The main command takes no positional arguments, so a leading word is always meant as a command:
 * an unknown one is named (with the nearest command) instead of "too many arguments".
 */
function checkCommand(word: string | undefined): void {
  if (word === undefined || word.startsWith('-') || (COMMANDS as readonly string[]).includes(word)) return;
  const near = COMMANDS.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d)[0];
  const hint = near !== undefined && near.d <= 2 ? ` (did you mean ${near.c}?)` : '';
  throw new UsageError(`unknown command '${word}'${hint}; commands: ${COMMANDS.join(', ')} (see streamtop --help)`);
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  // `streamtop help [COMMAND]` is `streamtop [COMMAND] --help`.
  if (argv[0] === 'help') argv = [...argv.slice(1, 2), '--help'];
  try {
    checkCommand(argv[0]);
  } catch (e) {
    io.stderr.write(`streamtop: ${(e as Error).message}\n`);
    return 2;
  }
  if (argv[0] === 'sim') {
    const { simMain } = await import('./sim/cli.ts');
    return simMain(argv.slice(1));
  }
  let exitCode = 0;
  const program = new Command('streamtop')
    .description('Live dashboard and headless benchmark for streaming LLM chat APIs (OpenAI and Anthropic formats).\nWith no --url it starts a built-in simulator, so it works offline.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      // Commander's own parse errors are re-thrown below and printed once, our way.
      writeErr: (s) => {
        if (!/^error:/.test(s)) io.stderr.write(s);
      },
    })
    .showSuggestionAfterError(true)
    // Subcommands share the run options; without this the root would take them all.
    .enablePositionalOptions()
    .allowExcessArguments(false);
  addRunOptions(program).action(async (opts: RawOptions) => {
    exitCode = await runMain(opts, io);
  });

  program
    .command('sim')
    .description('run the LLM simulator alone (see streamtop sim --help)')
    .allowUnknownOption(true)
    .helpOption(false);

  addRunOptions(
    program
      .command('sweep')
      .description('run each pool size (or rate) in turn; report throughput, latency and goodput per level and recommend one')
      .option('--concurrency-levels <LIST>', 'pool sizes to try, e.g. 1,2,4,8,16,32,64 (default)')
      .option('--rates <LIST>', 'open-loop rates to try instead, requests/s, e.g. 1,2,5,10')
      .option('--step <TIME>', 'time per level (default 10s)')
      .option('--step-requests <N>', 'requests per level instead of a time'),
    true,
  ).action(async (opts: RawOptions) => {
    const { sweepCommand } = await import('./run/commands.ts');
    exitCode = await sweepCommand(opts, io);
  });
  addRunOptions(
    program
      .command('compare-modes')
      .description('the same prompts streaming and non-streaming, interleaved: TTFT, whole-answer time, bytes, cost')
      .option('--rounds <N>', 'interleaved rounds (default 5)')
      .option('--round-requests <N>', 'requests per mode per round (default 20)'),
    true,
  ).action(async (opts: RawOptions) => {
    const { compareModesCommand } = await import('./run/commands.ts');
    exitCode = await compareModesCommand(opts, io);
  });
  addRunOptions(
    program
      .command('compare-connections')
      .description('keep-alive vs a new connection per request vs pre-warmed pool (vs HTTP/2 over TLS), interleaved')
      .option('--rounds <N>', 'interleaved rounds (default 5)')
      .option('--round-requests <N>', 'requests per strategy per round (default 20)'),
    true,
  ).action(async (opts: RawOptions) => {
    const { compareConnectionsCommand } = await import('./run/commands.ts');
    exitCode = await compareConnectionsCommand(opts, io);
  });

  program
    .command('report')
    .description('re-render a saved run (--json file); --html also renders sweep and compare-* results')
    .argument('<RUN.json>')
    .option('--markdown <FILE>', 'also write it as Markdown')
    .option('--html <FILE>', 'also write a self-contained HTML page with charts (takes a run, sweep or compare-* --json file)')
    .action(async (file: string, o: { markdown?: string; html?: string }) => {
      const { reportCommand } = await import('./report/commands.ts');
      exitCode = await reportCommand(file, o, io);
    });
  program
    .command('compare')
    .description('compare two saved runs: deltas with the direction of change')
    .argument('<A.json>')
    .argument('<B.json>')
    .action(async (a: string, b: string) => {
      const { compareCommand } = await import('./report/commands.ts');
      exitCode = compareCommand(a, b, io);
    });
  program
    .command('merge')
    .description('combine runs made on several processes or machines into one exact report')
    .argument('<RUN.json...>')
    .requiredOption('-o, --output <FILE>', 'where to write the merged report')
    .action(async (files: string[], o: { output: string }) => {
      const { mergeCommand } = await import('./report/commands.ts');
      exitCode = mergeCommand(files, o.output, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      io.stderr.write(`streamtop: ${commanderToUsage(e).message}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`streamtop: ${e.message}\n`);
      return 2;
    }
    // A report that could not be written after the work was done, or a simulator that could not
    // start: say which and why, without "unexpected".
    if (e instanceof Error && (e.name === 'OutputWriteError' || e.name === 'SimulatorStartError')) {
      io.stderr.write(`streamtop: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

// Run when executed (bin/streamtop.js imports this module).
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Leave a moment for stdout to drain, then make sure no stray handle keeps us alive.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (e: unknown) => {
    const err = e as Error;
    process.stderr.write(`streamtop: unexpected error: ${err?.message ?? String(e)}\n`);
    if (process.env.STREAMTOP_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    process.exit(1);
  },
);
