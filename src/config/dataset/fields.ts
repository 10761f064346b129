import { MAX_RUN_MS } from '../../flags/values.ts';
import { UsageError } from '../../shared/usage-error.ts';

/** Checks of the numeric fields dataset lines carry; each error names the line, the field and the bound. */

export function wholeField(o: Record<string, unknown>, key: string, where: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new UsageError(`${where}: "${key}" is ${JSON.stringify(v)}; expected a whole number from ${min} to ${max.toLocaleString('en-US')}`);
  return v;
}

/** `timestamp`: ms from the start of the run, a number >= 0 within the longest run. */
export function timestampField(o: Record<string, unknown>, where: string): number | undefined {
  const v = o.timestamp;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_RUN_MS)
    throw new UsageError(
      `${where}: "timestamp" is ${JSON.stringify(v)}; expected milliseconds from the start of the run, a number from 0 to ${MAX_RUN_MS.toLocaleString('en-US')} (30 days)`,
    );
  return v;
}
