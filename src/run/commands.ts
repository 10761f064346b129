import { resolveRunPlan, type RawOptions } from '../config/run-options.ts';
import { COMPARE_CONNECTIONS_COMMAND, COMPARE_MODES_COMMAND, SWEEP_COMMAND } from '../flags/commands.ts';
import { parseFlags } from '../flags/parse.ts';
import { compareConnections, compareModes } from './experiments.ts';
import { runSweep } from './sweep.ts';

/**
 * The experiment subcommands (always headless). Their flag tables (src/flags/experiment-flags.ts)
 * refuse the run flags they do not use and carry the rules between flags; what is left here is
 * turning the values into a run plan and the experiment's own options.
 */

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

/** Without --step or --step-requests, each level runs this long. */
const STEP_MS = 10_000;

export async function sweepCommand(opts: RawOptions, io: Io): Promise<number> {
  const parsed = parseFlags(SWEEP_COMMAND, opts);
  const v = parsed.values;
  const kind = v.rates !== undefined ? 'rate' : 'concurrency';
  const levels = v.rates ?? v.concurrencyLevels;
  const stepMs = v.step ?? (v.stepRequests === undefined ? STEP_MS : undefined);
  // A rate sweep is resolved as the open-loop run it is (its first rate stands in for --rate), so
  // open-loop flags apply and the in-flight cap defaults as for --rate.
  const values = { ...v, ...(kind === 'rate' ? { rate: levels[0] } : {}) };
  const plan = resolveRunPlan({ values, sim: parsed.sim }, { headless: true, lengthFromCommand: true });
  return runSweep(plan, { kind, levels, ...(stepMs !== undefined ? { stepMs } : {}), ...(v.stepRequests !== undefined ? { stepRequests: v.stepRequests } : {}) }, io);
}

export async function compareModesCommand(opts: RawOptions, io: Io): Promise<number> {
  const parsed = parseFlags(COMPARE_MODES_COMMAND, opts);
  const plan = resolveRunPlan(parsed, { headless: true, lengthFromCommand: true });
  return compareModes(plan, { rounds: parsed.values.rounds, requestsPerRound: parsed.values.roundRequests }, io);
}

export async function compareConnectionsCommand(opts: RawOptions, io: Io): Promise<number> {
  const parsed = parseFlags(COMPARE_CONNECTIONS_COMMAND, opts);
  const plan = resolveRunPlan(parsed, { headless: true, lengthFromCommand: true });
  return compareConnections(plan, { rounds: parsed.values.rounds, requestsPerRound: parsed.values.roundRequests }, io);
}
