import type { ReportOptions } from './options.ts';
import { MODES } from '../engine/types.ts';
import { lookupPrice } from './prices.ts';
import type { Report } from './report.ts';
import { fmtNum } from './text.ts';

/**
 * What a run cost and what that load would cost a month, from token counts and prices in
 * dollars per million tokens (flags first, then the built-in table).
 *
 * Counted: tokens of requests that produced output (succeeded and early-stopped). Failed
 * requests may be billed too, but the report has no token counts for them, so they are left out
 * and the estimate is a floor.
 */
export interface CostResult {
  /** Lines for the text summary and the Markdown report. */
  lines: string[];
  /** Dollars per completed request (total / (succeeded + early-stopped)); 0 when none completed. */
  perRequest: number;
  /** Dollars for this run. */
  total: number;
  inputTokens: number;
  outputTokens: number;
  /** False when the server reported no prompt tokens: input cost is then missing, not zero. */
  inputCostKnown: boolean;
  /** $ per million tokens used. */
  priceIn: number;
  priceOut: number;
  /** Where the prices came from. */
  source: string;
  /** Requests a month the projection assumes (--project). */
  projectRequestsPerMonth?: number;
  projectedPerMonth?: number;
  /** Output tokens the early-stopped streams did not generate, and their price (an estimate). */
  savedByEarlyStop?: { tokens: number; dollars: number };
}

/** What the cost reads of a run: a single-target report, or one entry of a multi-target one's `targets`. */
export type CostRun = Pick<Report, 'target' | 'byMode' | 'totals' | 'extras'>;

export function costOf(report: CostRun, output: ReportOptions): CostResult | undefined {
  const table = lookupPrice(report.target.model);
  if (output.priceIn === undefined && output.priceOut === undefined && !table) return undefined;

  const notes: string[] = [];
  let priceIn: number;
  let priceOut: number;
  let source: string;
  if (output.priceIn !== undefined && output.priceOut !== undefined) {
    priceIn = output.priceIn;
    priceOut = output.priceOut;
    source = '--price-in/--price-out';
  } else if (table) {
    // One flag given: it overrides that side of the table's price only.
    priceIn = output.priceIn ?? table.in;
    priceOut = output.priceOut ?? table.out;
    const flag = output.priceIn !== undefined ? ' with --price-in' : output.priceOut !== undefined ? ' with --price-out' : '';
    source = `${table.source}${flag}`;
  } else {
    priceIn = output.priceIn ?? 0;
    priceOut = output.priceOut ?? 0;
    const given = output.priceIn !== undefined ? '--price-in' : '--price-out';
    const missing = output.priceIn !== undefined ? '--price-out' : '--price-in';
    source = given;
    notes.push(`no ${missing} given and model ${report.target.model} is not in the built-in table: counted as $0`);
  }

  let inputTokens = 0;
  let outputTokens = 0;
  for (const m of MODES) {
    inputTokens += report.byMode[m].inputTokens ?? 0;
    outputTokens += report.byMode[m].outputTokens;
  }
  const completed = report.totals.succeeded + report.totals.earlyStopped;
  // Zero prompt tokens with completed requests means the server did not report usage; an
  // estimate from the prompt text would be a guess presented as a bill, so say it is unknown.
  const inputCostKnown = inputTokens > 0 || completed === 0;
  const total = (inputTokens * priceIn + outputTokens * priceOut) / 1e6;
  const perRequest = completed > 0 ? total / completed : 0;

  const lines: string[] = [];
  lines.push(
    `cost (model ${report.target.model}, $${fmtPrice(priceIn)} in / $${fmtPrice(priceOut)} out per million tokens, from ${source}):`,
  );
  lines.push(
    `  this run: ${fmtUsd(total)}${inputCostKnown ? '' : ' (output only)'}, ` +
      (completed > 0 ? `${fmtUsd(perRequest)} per request over ${completed} completed` : 'no request completed'),
  );
  const tokenizer = report.totals.tokenSource.tokenizer > 0 ? ' (partly counted by tokenizer, an estimate)' : '';
  lines.push(
    `  tokens: ${inputCostKnown ? fmtNum(inputTokens) : 'unknown'} in, ${fmtNum(outputTokens)} out${tokenizer}`,
  );
  if (!inputCostKnown)
    lines.push('  input cost unknown: the server did not report prompt tokens (usage), so only output is priced');
  for (const n of notes) lines.push(`  ${n}`);

  const result: CostResult = {
    lines,
    perRequest,
    total,
    inputTokens,
    outputTokens,
    inputCostKnown,
    priceIn,
    priceOut,
    source,
  };

  if (output.projectPerMonth !== undefined) {
    const projected = perRequest * output.projectPerMonth;
    result.projectRequestsPerMonth = output.projectPerMonth;
    result.projectedPerMonth = projected;
    lines.push(
      completed > 0
        ? `  projected: ${fmtUsd(projected)} a month at ${fmtNum(output.projectPerMonth)} requests a month` +
            `${inputCostKnown ? '' : ' (output only)'}`
        : '  projected: not possible, no request completed',
    );
  }

  const saved = tokensSaved(report);
  if (saved !== undefined) {
    const dollars = (saved * priceOut) / 1e6;
    result.savedByEarlyStop = { tokens: saved, dollars };
    lines.push(`  early stop saved about ${fmtNum(saved, 0)} output tokens, ${fmtUsd(dollars)} (see the early stop line for how full lengths were known)`);
  }
  return result;
}

/** extras.earlyStop.tokensSaved is null when no stream ran to the end (nothing to estimate from). */
function tokensSaved(report: CostRun): number | undefined {
  const e = report.extras?.earlyStop;
  if (typeof e !== 'object' || e === null) return undefined;
  const t = (e as { tokensSaved?: unknown }).tokensSaved;
  return typeof t === 'number' && Number.isFinite(t) ? t : undefined;
}

function fmtPrice(v: number): string {
  return String(Number(v.toFixed(4)));
}

/** Dollars with enough digits to be meaningful: a request can cost a hundredth of a cent. */
export function fmtUsd(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v === 0) return '$0';
  const a = Math.abs(v);
  if (a >= 1000) return `$${Math.round(v).toLocaleString('en-US')}`;
  if (a >= 1) return `$${v.toFixed(2)}`;
  // Three significant digits without exponent notation: 0.000123 rather than 1.23e-4.
  const digits = Math.min(12, 2 - Math.floor(Math.log10(a)));
  return `$${v.toFixed(digits)}`;
}
