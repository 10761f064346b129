import { resolveRunPlan, type RawOptions } from '../config/run-options.ts';
import { SWEEP_COMMAND } from '../config/commands.ts';
import { parseFlags } from '../flags/parse.ts';
import { runSweep } from '../experiments/sweep.ts';
import type { Io } from './io.ts';

/**
 * `streamtop sweep`: its flag table (src/flags/experiment-flags.ts) refuses the run flags it does
 * not use and carries the rules between flags; then one run per level (experiments/sweep.ts).
 */

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
