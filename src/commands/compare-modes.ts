import { resolveRunPlan, type RawOptions } from '../config/run-options.ts';
import { COMPARE_MODES_COMMAND } from '../config/commands.ts';
import { parseFlags } from '../flags/parse.ts';
import { compareModes } from '../experiments/comparisons.ts';
import type { Io } from './io.ts';

/** `streamtop compare-modes`: streaming against non-streaming, interleaved. */
export async function compareModesCommand(opts: RawOptions, io: Io): Promise<number> {
  const parsed = parseFlags(COMPARE_MODES_COMMAND, opts);
  const plan = resolveRunPlan(parsed, { headless: true, lengthFromCommand: true });
  return compareModes(plan, { rounds: parsed.values.rounds, requestsPerRound: parsed.values.roundRequests }, io);
}
