import type { RawOptions } from '../config/run-options.ts';
import { UsageError } from '../shared/usage-error.ts';
import { parseIntFlag } from '../config/values.ts';

/** Option handling shared by the experiment subcommands (they are always headless). */

export function str(o: RawOptions, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The experiments write one JSON file of their own (--json) and print their table; the outputs of
 * a single run (per-request lines, a run's Markdown summary, pass/fail gates over one run) have no
 * meaning across levels or variants, so they are refused rather than silently ignored.
 */
export function refuseSingleRunOutputs(opts: RawOptions, command: string): void {
  for (const [key, flag] of [
    ['failIf', '--fail-if'],
    ['markdown', '--markdown'],
    ['ndjson', '--ndjson'],
  ] as const) {
    if (opts[key] !== undefined)
      throw new UsageError(`${command} does not take ${flag} (it applies to a single run); use --json FILE for its results, or run streamtop --headless with ${flag}`);
  }
}

export function experimentOpts(opts: RawOptions): { rounds: number; requestsPerRound: number } {
  return {
    rounds: str(opts, 'rounds') !== undefined ? parseIntFlag('--rounds', str(opts, 'rounds') ?? '', 1, 1000) : 5,
    requestsPerRound: str(opts, 'roundRequests') !== undefined ? parseIntFlag('--round-requests', str(opts, 'roundRequests') ?? '', 1, 1e6) : 20,
  };
}
