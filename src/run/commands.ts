import { parseRunOptions, type RawOptions } from '../config/run-options.ts';
import { UsageError } from '../config/usage-error.ts';
import { parseDuration, parseIntFlag, parseIntList, parseNumberList } from '../config/values.ts';
import { compareConnections, compareModes } from './experiments.ts';
import { runSweep } from './sweep.ts';

/** Option handling for the experiment subcommands (they are always headless). */

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

function str(o: RawOptions, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}

export async function sweepCommand(opts: RawOptions, io: Io): Promise<number> {
  const levelsRaw = str(opts, 'concurrencyLevels');
  const ratesRaw = str(opts, 'rates');
  if (levelsRaw !== undefined && ratesRaw !== undefined)
    throw new UsageError('--concurrency-levels and --rates are alternatives: sweep one of them');
  if (str(opts, 'requests') !== undefined || str(opts, 'duration') !== undefined)
    throw new UsageError('sweep sets the length of each level with --step TIME or --step-requests N, not --requests/--duration');
  const stepRequests = str(opts, 'stepRequests') !== undefined ? parseIntFlag('--step-requests', str(opts, 'stepRequests') ?? '', 1, 1e9) : undefined;
  const stepMs = str(opts, 'step') !== undefined ? parseDuration('--step', str(opts, 'step') ?? '', 's') : stepRequests === undefined ? 10_000 : undefined;
  // Per-level lengths come from --step; the base plan must not add a default duration.
  // TTFT of streams and of whole answers do not mix in one percentile: a sweep streams unless
  // told otherwise.
  const plan = parseRunOptions({ streamRatio: '1', ...opts, requests: '1' }, { stdoutIsTTY: false });
  delete plan.engine.requests;
  const kind = ratesRaw !== undefined ? 'rate' : 'concurrency';
  const levels =
    ratesRaw !== undefined
      ? parseNumberList('--rates', ratesRaw, 0.001)
      : parseIntList('--concurrency-levels', levelsRaw ?? '1,2,4,8,16,32,64', 1, 100_000);
  return runSweep(plan, { kind, levels, ...(stepMs !== undefined ? { stepMs } : {}), ...(stepRequests !== undefined ? { stepRequests } : {}) }, io);
}

function experimentOpts(opts: RawOptions): { rounds: number; requestsPerRound: number } {
  return {
    rounds: str(opts, 'rounds') !== undefined ? parseIntFlag('--rounds', str(opts, 'rounds') ?? '', 1, 1000) : 5,
    requestsPerRound: str(opts, 'roundRequests') !== undefined ? parseIntFlag('--round-requests', str(opts, 'roundRequests') ?? '', 1, 1e6) : 20,
  };
}

export async function compareModesCommand(opts: RawOptions, io: Io): Promise<number> {
  const plan = parseRunOptions({ ...opts, requests: '1' }, { stdoutIsTTY: false });
  return compareModes(plan, experimentOpts(opts), io);
}

export async function compareConnectionsCommand(opts: RawOptions, io: Io): Promise<number> {
  if (str(opts, 'connection') !== undefined) throw new UsageError('compare-connections tries every --connection strategy itself; drop --connection');
  const plan = parseRunOptions({ streamRatio: '1', ...opts, requests: '1' }, { stdoutIsTTY: false });
  return compareConnections(plan, experimentOpts(opts), io);
}
