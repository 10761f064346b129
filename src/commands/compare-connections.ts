import { resolveRunPlan, type RawOptions } from '../config/run-options.ts';
import { COMPARE_CONNECTIONS_COMMAND } from '../config/commands.ts';
import { parseFlags } from '../flags/parse.ts';
import { compareConnections } from '../experiments/comparisons.ts';
import type { Io } from './io.ts';

/** `streamtop compare-connections`: every --connection strategy, interleaved. */
export async function compareConnectionsCommand(opts: RawOptions, io: Io): Promise<number> {
  const parsed = parseFlags(COMPARE_CONNECTIONS_COMMAND, opts);
  const plan = resolveRunPlan(parsed, { headless: true, lengthFromCommand: true });
  return compareConnections(plan, { rounds: parsed.values.rounds, requestsPerRound: parsed.values.roundRequests }, io);
}
