import { parseRunOptions, type RawOptions } from '../config/run-options.ts';
import { invalidFlag, UsageError } from '../shared/usage-error.ts';
import { MAX_RUN_MS, parseDuration, parseIntFlag, parseIntList, parseNumberList } from '../config/values.ts';
import { runSweep } from '../experiments/sweep.ts';
import { refuseSingleRunOutputs, str } from './experiment-options.ts';
import type { Io } from './io.ts';

/** `streamtop sweep`: its flags checked, then one run per level (experiments/sweep.ts). */

export async function sweepCommand(opts: RawOptions, io: Io): Promise<number> {
  refuseSingleRunOutputs(opts, 'sweep');
  const levelsRaw = str(opts, 'concurrencyLevels');
  const ratesRaw = str(opts, 'rates');
  if (levelsRaw !== undefined && ratesRaw !== undefined)
    throw new UsageError('--concurrency-levels and --rates are alternatives: sweep one of them');
  if (str(opts, 'requests') !== undefined || str(opts, 'duration') !== undefined)
    throw new UsageError('sweep sets the length of each level with --step TIME or --step-requests N, not --requests/--duration');
  const stepRequests = str(opts, 'stepRequests') !== undefined ? parseIntFlag('--step-requests', str(opts, 'stepRequests') ?? '', 1, 1e9) : undefined;
  const stepMs = str(opts, 'step') !== undefined ? parseDuration('--step', str(opts, 'step') ?? '', 's', MAX_RUN_MS) : stepRequests === undefined ? 10_000 : undefined;
  if (stepMs !== undefined && stepMs < 100) throw invalidFlag('--step', str(opts, 'step'), 'a time per level of at least 100ms, e.g. 10s');
  // Per-level lengths come from --step; the base plan must not add a default duration.
  // TTFT of streams and of whole answers do not mix in one percentile: a sweep streams unless
  // told otherwise.
  const kind = ratesRaw !== undefined ? 'rate' : 'concurrency';
  if (kind === 'rate') {
    if (str(opts, 'rate') !== undefined) throw new UsageError('sweep --rates sets the rate of each level: drop --rate');
    if (str(opts, 'ramp') !== undefined)
      throw new UsageError('sweep --rates: --ramp applies to pool-size levels (--concurrency-levels LIST); drop --ramp');
  } else {
    if (str(opts, 'rate') !== undefined) throw new UsageError('sweep takes --rates LIST for open-loop levels, not --rate');
    if (str(opts, 'concurrency') !== undefined)
      throw new UsageError('sweep sets the pool size of each level (--concurrency-levels LIST): drop -c/--concurrency');
    for (const [key, flag] of [
      ['maxQueueDelay', '--max-queue-delay'],
      ['arrival', '--arrival'],
    ] as const) {
      if (str(opts, key) !== undefined)
        throw new UsageError(`sweep: ${flag} applies to open-loop levels; sweep rates with --rates LIST, or drop ${flag}`);
    }
  }
  const levels =
    ratesRaw !== undefined
      ? parseNumberList('--rates', ratesRaw, 0.001)
      : parseIntList('--concurrency-levels', levelsRaw ?? '1,2,4,8,16,32,64', 1, 100_000);
  // A rate sweep is parsed as the open-loop run it is (its first rate stands in for --rate), so
  // open-loop flags are accepted and the in-flight cap defaults as for --rate.
  const base = { streamRatio: '1', ...opts, ...(kind === 'rate' ? { rate: String(levels[0]) } : {}), requests: '1' };
  const plan = parseRunOptions(base, { stdoutIsTTY: false });
  delete plan.engine.requests;
  return runSweep(plan, { kind, levels, ...(stepMs !== undefined ? { stepMs } : {}), ...(stepRequests !== undefined ? { stepRequests } : {}) }, io);
}
