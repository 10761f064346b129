// Fault injection: names, the `--faults` syntax and the per-request draw.

import type { Rng } from './prng.ts';

export const FAULT_NAMES = ['http429', 'http500', 'http503', 'disconnect', 'stall', 'malformed', 'slow-headers', 'tool-args-invalid'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];
export type FaultRates = Record<FaultName, number>;

export const FAULT_DESCRIPTIONS: Record<FaultName, string> = {
  http429: 'answer 429 (rate limited) with retry-after, in the provider error shape',
  http500: 'answer 500 (server error)',
  http503: 'answer 503 (overloaded) with retry-after',
  disconnect: 'destroy the socket mid-stream after some tokens (non-streaming: before the body)',
  stall: 'send nothing for --stall-ms mid-stream (non-streaming: the body comes --stall-ms late)',
  malformed: 'write one invalid JSON data line mid-stream (non-streaming: a truncated JSON body)',
  'slow-headers': 'hold the response headers (and the start of generation) for --stall-ms',
  'tool-args-invalid': 'answer with a tool call whose JSON arguments are cut off (not valid JSON)',
};

export function noFaults(): FaultRates {
  return { http429: 0, http500: 0, http503: 0, disconnect: 0, stall: 0, malformed: 0, 'slow-headers': 0, 'tool-args-invalid': 0 };
}

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** Why a fault spec is invalid, phrased to follow "expected ..." in a usage error. */
export class FaultSpecError extends Error {}

/**
 * Parses `http429=0.02,disconnect=0.01` (or `none`) into rates over a zero baseline. Each rate is a
 * probability in [0, 1]; a request suffers at most one fault, so the rates must sum to at most 1.
 */
export function parseFaultSpec(spec: string): FaultRates {
  const rates = noFaults();
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none') return rates;
  for (const part of trimmed.split(',')) {
    const [rawName, rawValue, extra] = part.split('=');
    const name = (rawName ?? '').trim();
    if (!isFaultName(name) || rawValue === undefined || extra !== undefined) {
      throw new FaultSpecError(`NAME=PROBABILITY pairs separated by commas, NAME one of ${FAULT_NAMES.join(', ')}`);
    }
    rates[name] = parseProbability(rawValue.trim());
  }
  checkTotal(rates);
  return rates;
}

function parseProbability(text: string): number {
  const value = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= 1)) throw new FaultSpecError('each probability between 0 and 1');
  return value;
}

export function checkTotal(rates: FaultRates): void {
  const total = FAULT_NAMES.reduce((sum, n) => sum + rates[n], 0);
  if (total > 1 + 1e-9) throw new FaultSpecError('probabilities that add up to at most 1 (one fault per request)');
}

export function formatFaultSpec(rates: FaultRates): string {
  const parts = FAULT_NAMES.filter((n) => rates[n] > 0).map((n) => `${n}=${rates[n]}`);
  return parts.length > 0 ? parts.join(',') : 'none';
}

/** Draws at most one fault for a request: one uniform draw walked over the cumulative rates. */
export function drawFault(rates: FaultRates, rng: Rng): FaultName | undefined {
  const u = rng();
  let acc = 0;
  for (const name of FAULT_NAMES) {
    acc += rates[name];
    if (u < acc) return name;
  }
  return undefined;
}
