import { parseRunOptions, type RawOptions } from '../config/run-options.ts';
import { compareModes } from '../experiments/comparisons.ts';
import { experimentOpts, refuseSingleRunOutputs } from './experiment-options.ts';
import type { Io } from './io.ts';

/** `streamtop compare-modes`: streaming against non-streaming, interleaved. */
export async function compareModesCommand(opts: RawOptions, io: Io): Promise<number> {
  refuseSingleRunOutputs(opts, 'compare-modes');
  const plan = parseRunOptions({ ...opts, requests: '1' }, { stdoutIsTTY: false });
  return compareModes(plan, experimentOpts(opts), io);
}
