import { isatty } from 'node:tty';
import { Command, CommanderError } from 'commander';
import { UsageError } from './shared/usage-error.ts';
import type { RawOptions } from './config/run-options.ts';
import { addFlags } from './flags/commander.ts';
import {
  ALL_COMMANDS,
  COMPARE_COMMAND,
  COMPARE_CONNECTIONS_COMMAND,
  COMPARE_MODES_COMMAND,
  MAIN_COMMAND,
  MERGE_COMMAND,
  REPORT_COMMAND,
  SWEEP_COMMAND,
} from './config/commands.ts';
import { parseFlags } from './flags/parse.ts';
import { SIM_COMMAND } from './sim/flags.ts';
import { VERSION } from './version.ts';
import { endOutputQuietlyWhenClosed } from './run/closed-output.ts';

/**
 * Arguments -> validated config -> one of: dashboard, headless run, simulator, report tools.
 * Usage errors print one line naming the flag and exit 2; nothing prints a stack trace.
 */

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

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
    const { runHeadless } = await import('./commands/headless.ts');
    return runHeadless(plan, io);
  }
  // The engine worker (and the simulator it starts) get going first: loading Ink and React takes
  // ~0.7 s here, and the two now overlap instead of adding up before the first frame.
  const { RemoteEngine } = await import('./worker/remote-engine.ts');
  const remote = new RemoteEngine(plan);
  const { runDashboard } = await import('./commands/dashboard.tsx');
  return runDashboard(remote, io);
}

const COMMANDS: readonly string[] = ALL_COMMANDS.map((c) => c.name).filter((n) => n !== '');

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
  if (word === undefined || word.startsWith('-') || COMMANDS.includes(word)) return;
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
    .description(MAIN_COMMAND.description)
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
  addFlags(program, MAIN_COMMAND).action(async (opts: RawOptions) => {
    exitCode = await runMain(opts, io);
  });

  program
    .command(SIM_COMMAND.name)
    .description('run the LLM simulator alone (see streamtop sim --help)')
    .allowUnknownOption(true)
    .helpOption(false);

  const subcommand = (name: string, description: string): Command => program.command(name).description(description);
  addFlags(subcommand(SWEEP_COMMAND.name, SWEEP_COMMAND.description), SWEEP_COMMAND).action(async (opts: RawOptions) => {
    const { sweepCommand } = await import('./commands/sweep.ts');
    exitCode = await sweepCommand(opts, io);
  });
  addFlags(subcommand(COMPARE_MODES_COMMAND.name, COMPARE_MODES_COMMAND.description), COMPARE_MODES_COMMAND).action(async (opts: RawOptions) => {
    const { compareModesCommand } = await import('./commands/compare-modes.ts');
    exitCode = await compareModesCommand(opts, io);
  });
  addFlags(subcommand(COMPARE_CONNECTIONS_COMMAND.name, COMPARE_CONNECTIONS_COMMAND.description), COMPARE_CONNECTIONS_COMMAND).action(async (opts: RawOptions) => {
    const { compareConnectionsCommand } = await import('./commands/compare-connections.ts');
    exitCode = await compareConnectionsCommand(opts, io);
  });
  addFlags(subcommand(REPORT_COMMAND.name, REPORT_COMMAND.description), REPORT_COMMAND).action(async (file: string, opts: RawOptions) => {
    const { values } = parseFlags(REPORT_COMMAND, opts);
    const { reportCommand } = await import('./commands/report.ts');
    exitCode = await reportCommand(file, {
      ...(values.markdown !== undefined ? { markdown: values.markdown } : {}),
      ...(values.html !== undefined ? { html: values.html } : {}),
    }, io);
  });
  addFlags(subcommand(COMPARE_COMMAND.name, COMPARE_COMMAND.description), COMPARE_COMMAND).action(async (a: string, b: string) => {
    const { compareCommand } = await import('./commands/compare.ts');
    exitCode = compareCommand(a, b, io);
  });
  addFlags(subcommand(MERGE_COMMAND.name, MERGE_COMMAND.description), MERGE_COMMAND).action(async (files: string[], opts: RawOptions) => {
    const { values } = parseFlags(MERGE_COMMAND, opts);
    const { mergeCommand } = await import('./commands/merge.ts');
    exitCode = mergeCommand(files, values.output ?? '', io);
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
endOutputQuietlyWhenClosed(process.stdout, 'stdout', (line) => {
  if (!process.stderr.destroyed) process.stderr.write(line);
});
endOutputQuietlyWhenClosed(process.stderr, 'stderr', () => undefined);
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
