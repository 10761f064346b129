import { parseRunOptions, type RawOptions } from '../config/run-options.ts';
import { UsageError } from '../shared/usage-error.ts';
import { compareConnections } from '../experiments/comparisons.ts';
import { experimentOpts, refuseSingleRunOutputs, str } from './experiment-options.ts';
import type { Io } from './io.ts';

/** `streamtop compare-connections`: every --connection strategy, interleaved. */
export async function compareConnectionsCommand(opts: RawOptions, io: Io): Promise<number> {
  refuseSingleRunOutputs(opts, 'compare-connections');
  if (str(opts, 'connection') !== undefined) throw new UsageError('compare-connections tries every --connection strategy itself; drop --connection');
  const plan = parseRunOptions({ streamRatio: '1', ...opts, requests: '1' }, { stdoutIsTTY: false });
  return compareConnections(plan, experimentOpts(opts), io);
}
