import { parseRunOptions, type RawOptions } from '../config/run-options.ts';
import { invalidFlag, UsageError } from '../shared/usage-error.ts';
import { parseDuration, parseIntFlag, parseIntList, parseNumberList } from '../config/values.ts';
import { compareConnections, compareModes } from '../experiments/comparisons.ts';
import { runSweep } from '../experiments/sweep.ts';

/** Option handling for the experiment subcommands (they are always headless). */

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

function str(o: RawOptions, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The experiments write one JSON file of their own (--json) and print their table; the outputs of
 * a single run (per-request lines, a run's Markdown summary, pass/fail gates over one run) have no
 * meaning across levels or variants, so they are refused rather than silently ignored.
 */
function refuseSingleRunOutputs(opts: RawOptions, command: string): void {
  for (const [key, flag] of [
    ['failIf', '--fail-if'],
    ['markdown', '--markdown'],
    ['ndjson', '--ndjson'],
  ] as const) {
    if (opts[key] !== undefined)
      throw new UsageError(`${command} does not take ${flag} (it applies to a single run); use --json FILE for its results, or run streamtop --headless with ${flag}`);
  }
}

export async function sweepCommand(opts: RawOptions, io: Io): Promise<number> {
  refuseSingleRunOutputs(opts, 'sweep');
  const levelsRaw = str(opts, 'concurrencyLevels');
  const ratesRaw = str(opts, 'rates');
  if (levelsRaw !== undefined && ratesRaw !== undefined)
    throw new UsageError('--concurrency-levels and --rates are alternatives: sweep one of them');
  if (str(opts, 'requests') !== undefined || str(opts, 'duration') !== undefined)
    throw new UsageError('sweep sets the length of each level with --step TIME or --step-requests N, not --requests/--duration');
  const stepRequests = str(opts, 'stepRequests') !== undefined ? parseIntFlag('--step-requests', str(opts, 'stepRequests') ?? '', 1, 1e9) : undefined;
  const stepMs = str(opts, 'step') !== undefined ? parseDuration('--step', str(opts, 'step') ?? '', 's') : stepRequests === undefined ? 10_000 : undefined;
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

function experimentOpts(opts: RawOptions): { rounds: number; requestsPerRound: number } {
  return {
    rounds: str(opts, 'rounds') !== undefined ? parseIntFlag('--rounds', str(opts, 'rounds') ?? '', 1, 1000) : 5,
    requestsPerRound: str(opts, 'roundRequests') !== undefined ? parseIntFlag('--round-requests', str(opts, 'roundRequests') ?? '', 1, 1e6) : 20,
  };
}

export async function compareModesCommand(opts: RawOptions, io: Io): Promise<number> {
  refuseSingleRunOutputs(opts, 'compare-modes');
  const plan = parseRunOptions({ ...opts, requests: '1' }, { stdoutIsTTY: false });
  return compareModes(plan, experimentOpts(opts), io);
}

export async function compareConnectionsCommand(opts: RawOptions, io: Io): Promise<number> {
  refuseSingleRunOutputs(opts, 'compare-connections');
  if (str(opts, 'connection') !== undefined) throw new UsageError('compare-connections tries every --connection strategy itself; drop --connection');
  const plan = parseRunOptions({ streamRatio: '1', ...opts, requests: '1' }, { stdoutIsTTY: false });
  return compareConnections(plan, experimentOpts(opts), io);
}
