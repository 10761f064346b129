import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../shared/usage-error.ts';
import { LatencyHistogram } from '../engine/histogram.ts';
import { METRIC_NAMES, MODES } from '../engine/types.ts';
import { REPORT_SCHEMA, type Report } from './report.ts';

/**
 * Reads a saved `streamtop.report/1` for `report`, `compare` and `merge`. Everything the report
 * tools read is checked here, so a hand-edited or truncated file fails with the file's name and
 * the field at fault (exit 2) instead of a TypeError deep in a formatter. Objects are loose:
 * fields a newer version adds pass through untouched.
 */

const num = z.number();
const count = z.number().int().nonnegative();

const summary = z.looseObject({ count, mean: num, min: num, p50: num, p90: num, p95: num, p99: num, max: num });
const tokenSource = z.looseObject({ usage: num, tokenizer: num });

const modeReport = z.looseObject({
  requests: count,
  succeeded: count,
  failed: count,
  earlyStopped: count,
  cancelled: count,
  outputTokens: num,
  // Reports from before prompt tokens were recorded lack it; 0 is what "not reported" means.
  inputTokens: num.default(0),
  outputTokensPerSec: num,
  requestsPerSec: num,
  tokenSource,
  bytesReceived: num,
  ttftMs: summary,
  ttfbMs: summary,
  itlMs: summary,
  tpotMs: summary,
  e2eMs: summary,
  queueMs: summary,
});
const byMode = z.object({ stream: modeReport, nonstream: modeReport });

const encodedHistogram = z.looseObject({ hdr: z.string(), count, sumMs: num, minMs: num, maxMs: num });
const encodedAccumulator = z.looseObject({
  requests: count,
  succeeded: count,
  failed: count,
  earlyStopped: count,
  cancelled: count,
  outputTokens: num,
  inputTokens: num.optional(),
  tokensFromUsage: num,
  tokensFromTokenizer: num,
  bytesReceived: num,
  histograms: z.looseObject({
    ttft: encodedHistogram,
    ttfb: encodedHistogram,
    itl: encodedHistogram,
    tpot: encodedHistogram,
    e2e: encodedHistogram,
    queue: encodedHistogram,
  }),
});

const percentiles = z.looseObject({ p50: num, p95: num, p99: num });

export const reportSchema = z.looseObject({
  schema: z.literal(REPORT_SCHEMA),
  tool: z.looseObject({ name: z.literal('streamtop'), version: z.string() }),
  createdAt: z.string(),
  interrupted: z.boolean(),
  stopReason: z.enum(['requests', 'duration', 'interrupted', 'bail']),
  target: z.looseObject({ baseUrl: z.string(), api: z.enum(['openai', 'anthropic']), model: z.string(), simulated: z.boolean() }),
  settings: z.record(z.string(), z.unknown()),
  durationMs: z.number().nonnegative(),
  totals: z.looseObject({
    requests: count,
    succeeded: count,
    failed: count,
    earlyStopped: count,
    cancelled: count,
    dropped: count,
    warmup: count,
    outputTokens: num,
    requestsPerSec: num,
    outputTokensPerSec: num,
    tokenSource,
  }),
  byMode,
  errors: z.record(z.string(), count),
  errorMessages: z.record(z.string(), z.string()),
  phases: z.array(
    z.looseObject({
      index: count,
      startMs: num,
      endMs: num.optional(),
      concurrency: num,
      rate: num.optional(),
      streamRatio: num,
      reason: z.string(),
      durationMs: num,
      byMode,
    }),
  ),
  timeline: z.array(
    z.looseObject({
      tMs: num,
      inFlight: num,
      concurrency: num,
      rate: num.optional(),
      completions: num,
      errors: num,
      outputTokens: num,
      ttftMs: percentiles,
      e2eMs: percentiles,
    }),
  ),
  histograms: z.object({ stream: encodedAccumulator, nonstream: encodedAccumulator }),
  extras: z.record(z.string(), z.unknown()).optional(),
});

const MAX_ISSUES = 5;

export function loadReport(path: string): Report {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (code ?? (e as Error).message);
    throw new UsageError(`cannot read report ${path}: ${why}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not JSON (${(e as Error).message}); expected a report saved with --json`);
  }
  return parseReport(data, path);
}

/** Validates already-parsed JSON; `name` is used in messages (a file name, or "stdin"). */
export function parseReport(data: unknown, name: string): Report {
  // The schema tag first: a wrong kind of file deserves one clear sentence, not twenty issues.
  const schema = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { schema?: unknown }).schema : undefined;
  if (schema !== REPORT_SCHEMA) {
    const seen = schema === undefined ? 'no "schema" field' : `schema ${JSON.stringify(schema)}`;
    throw new UsageError(`${name} is not a streamtop report: ${seen}, expected "${REPORT_SCHEMA}" (save one with --json FILE)`);
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, MAX_ISSUES).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
    const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more` : '';
    throw new UsageError(`${name} is not a valid ${REPORT_SCHEMA} report: ${shown.join('; ')}${more}`);
  }
  checkHistograms(parsed.data.histograms, name);
  // The schema mirrors Report field by field; zod's inferred type only differs in spelling
  // (string record keys for ErrorCode, loose index signatures), so the cast is sound.
  return parsed.data as unknown as Report;
}

/** A corrupt base64 blob would otherwise surface only when merge or a gate decodes it. */
function checkHistograms(h: z.infer<typeof reportSchema>['histograms'], name: string): void {
  for (const m of MODES) {
    for (const metric of METRIC_NAMES) {
      const enc = h[m].histograms[metric];
      try {
        LatencyHistogram.decode(enc).dispose();
      } catch (e) {
        throw new UsageError(`${name}: histograms.${m}.histograms.${metric} is not a valid HdrHistogram encoding (${(e as Error).message})`);
      }
    }
  }
}
