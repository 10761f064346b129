import { z } from 'zod';
import { COUNTERS, LATER_COUNTERS, type Counter } from '../engine/accumulator.ts';
import { BASE_METRICS, LATER_METRICS, type MetricName } from '../engine/types.ts';

/**
 * `streamtop.report/1`, declared once. The TypeScript types of a report are inferred from these
 * schemas, `report`/`compare`/`merge` validate what they read against them, and
 * docs/report.schema.json is generated from them (scripts/gen-report-schema.ts; a test keeps it in
 * sync). Objects are loose: fields a newer version adds pass through untouched, and fields that
 * older versions lacked have defaults, so every report ever written still loads.
 */

export const REPORT_SCHEMA = 'streamtop.report/1';

const num = z.number();
const count = z.number().int().nonnegative().meta({ id: 'Count' });

export const metricSummarySchema = z
  .looseObject({ count, mean: num, min: num, p50: num, p90: num, p95: num, p99: num, max: num })
  .meta({ id: 'MetricSummary', description: 'One latency distribution in milliseconds; count 0 means no samples (the other fields are then 0).' });
const EMPTY_SUMMARY = { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };

const tokenSource = z
  .looseObject({ usage: num, tokenizer: num })
  .meta({ id: 'TokenSource', description: 'Output tokens by where the count came from: server usage, or the tokenizer fallback.' });

/**
 * The type of a parsed report without the open index signatures that loose objects add: code
 * works with the fields this version knows, while parsing still lets newer fields through.
 * Records (no named keys) keep their signature.
 */
type KnownKeys<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
export type Known<T> = T extends readonly (infer U)[]
  ? Known<U>[]
  : T extends object
    ? [keyof KnownKeys<T>] extends [never]
      ? T
      : { [K in keyof KnownKeys<T>]: Known<KnownKeys<T>[K]> }
    : T;

/** One schema per key, keeping the keys in the type. */
function shapeOf<K extends string, S extends z.ZodType>(keys: readonly K[], schema: (key: K) => S): Record<K, S> {
  return Object.fromEntries(keys.map((k) => [k, schema(k)])) as Record<K, S>;
}

/** A counter that reports written before it existed lack: read as 0. */
function counterSchema(c: Counter): z.ZodType<number, number | undefined> {
  return LATER_COUNTERS.has(c) ? num.default(0) : num;
}

/** Counters a mode report shows as they are (the token-source pair is shown as `tokenSource`). */
const REPORTED_COUNTERS = COUNTERS.filter(
  (c): c is Exclude<Counter, 'tokensFromUsage' | 'tokensFromTokenizer'> => c !== 'tokensFromUsage' && c !== 'tokensFromTokenizer',
);

const summaryKey = <M extends MetricName>(m: M): `${M}Ms` => `${m}Ms`;

export const modeReportSchema = z.looseObject({
  ...shapeOf(REPORTED_COUNTERS, counterSchema),
  outputTokensPerSec: num,
  requestsPerSec: num,
  tokenSource,
  ...shapeOf(BASE_METRICS.map(summaryKey), () => metricSummarySchema),
  // Summaries of metrics that older reports lack read as empty.
  ...shapeOf(LATER_METRICS.map(summaryKey), () => metricSummarySchema.default(EMPTY_SUMMARY)),
  /** New connections opened by this mode's requests and what they cost (TCP; TLS apart). */
  connectMs: metricSummarySchema.default(EMPTY_SUMMARY),
  tlsMs: metricSummarySchema.default(EMPTY_SUMMARY),
}).meta({ id: 'ModeReport', description: 'Counters, rates and latency summaries of one mode (stream or nonstream).' });
export type ModeReport = Known<z.output<typeof modeReportSchema>>;

const byMode = z.object({ stream: modeReportSchema, nonstream: modeReportSchema }).meta({ id: 'ByMode' });

export const encodedHistogramSchema = z
  .looseObject({ hdr: z.string(), count, sumMs: num, minMs: num, maxMs: num })
  .meta({ id: 'EncodedHistogram', description: 'An HdrHistogram (V2 compressed, base64, microseconds) with its exact count, sum, min and max in ms.' });

export const encodedAccumulatorSchema = z.looseObject({
  ...shapeOf(COUNTERS, counterSchema),
  histograms: z.looseObject({
    ...shapeOf(BASE_METRICS, () => encodedHistogramSchema),
    ...shapeOf(LATER_METRICS, () => encodedHistogramSchema.optional()),
  }),
  connect: encodedHistogramSchema.optional(),
  tls: encodedHistogramSchema.optional(),
}).meta({ id: 'EncodedModeAccumulator', description: 'Lossless per-mode state: counters and histograms, what merge combines.' });

const percentiles = z.looseObject({ p50: num, p95: num, p99: num }).meta({ id: 'Percentiles' });

export const STOP_REASONS = ['requests', 'duration', 'interrupted', 'bail', 'user'] as const;

export const segmentReportSchema = z.looseObject({
  index: count,
  startMs: num,
  endMs: num.optional(),
  concurrency: num,
  rate: num.optional(),
  streamRatio: num,
  reason: z.string(),
  durationMs: num,
  completed: count.optional().describe('Requests completed (ok or stopped early) while the segment was in force, warm-up excluded; absent in older reports.'),
  requestsPerSec: num.optional().describe('completed / durationMs: what the server delivered under this setting.'),
  outputTokensPerSec: num.optional().describe('Output tokens of those completions / durationMs.'),
  byMode,
}).meta({ id: 'SegmentReport', description: 'One load setting (segment): latencies of requests started in it, throughput of completions during it.' });
export type SegmentReport = Known<z.output<typeof segmentReportSchema>>;

const windowSummary = z
  .looseObject({ count, mean: num, p50: num, p95: num, p99: num })
  .meta({ id: 'WindowSummary', description: 'One metric over the rolling window (--window) at one second: requests counted, mean and percentiles, ms.' });

const timelineModeSchema = z
  .looseObject({
    ttftMs: windowSummary,
    e2eMs: windowSummary,
    ttfoMs: windowSummary.optional().describe('Streams with an output token in the window only.'),
    itlMs: windowSummary.optional().describe('Streams only: gaps between content events.'),
  })
  .meta({ id: 'TimelineMode', description: "One mode's latencies at one second of the timeline." });

export const timelineEntrySchema = z.looseObject({
  tMs: num,
  inFlight: num,
  concurrency: num,
  rate: num.optional(),
  completions: num,
  errors: num,
  outputTokens: num,
  ttftMs: percentiles.describe('Both modes together.'),
  e2eMs: percentiles.describe('Both modes together.'),
  byMode: z
    .looseObject({ stream: timelineModeSchema.optional(), nonstream: timelineModeSchema.optional() })
    .optional()
    .describe('Each mode on its own, with means, TTFO and ITL; a mode with no request in the window is absent. Absent in older reports.'),
});

const tokenSummarySchema = z
  .looseObject({ count, mean: num, min: num, p50: num, p90: num, p95: num, p99: num, max: num })
  .meta({ id: 'TokenSummary', description: 'Tokens per request as the server counted them (usage); count 0 means none reported.' });

const turnModeSchema = z.looseObject({ ttftMs: metricSummarySchema, e2eMs: metricSummarySchema });

export const turnReportSchema = z
  .looseObject({
    turn: z.string().describe('Turn index in its session: "1" to "9", then "10+" for every later turn.'),
    requests: count.describe('Measured requests at this turn index, any outcome.'),
    succeeded: count.describe('Of those, answered (ok or stopped early).'),
    inputTokens: num.describe('Prompt tokens the server reported for them (the conversation so far).'),
    cachedTokens: num.describe('Of those, served from its prefix cache.'),
    stream: turnModeSchema,
    nonstream: turnModeSchema,
  })
  .meta({ id: 'TurnReport', description: 'TTFT and E2E of the requests at one turn index of multi-turn sessions: where prefix caching shows.' });
export type TurnReport = Known<z.output<typeof turnReportSchema>>;

export const workloadReportSchema = z
  .looseObject({
    asked: z
      .looseObject({
        prompts: z.string().describe('Where prompts came from: built-in, prompt, prompts-file, synthetic or dataset.'),
        dataset: z
          .looseObject({
            format: z.string().describe('jsonl, sharegpt or mooncake.'),
            file: z.string().describe("The file's name, without its folder."),
            lines: count.describe('Usable lines (conversations) in the file.'),
            skipped: count.describe('Entries with nothing to send (a conversation without a user turn), skipped.'),
          })
          .optional()
          .describe('--dataset: where the prompts came from.'),
        replaySpeed: num.optional().describe('--replay: the dataset was sent at its timestamps, time scaled by this factor.'),
        inputTokens: z.string().optional().describe('--input-tokens as given: N, MEAN±SD or MIN-MAX.'),
        outputTokens: z.string().optional().describe('--output-tokens as given.'),
        sharedPrefix: z.looseObject({ tokens: count, groups: count, ratio: num }).optional(),
        ignoreEos: z.boolean().optional(),
        sessions: z
          .looseObject({
            source: z.string().describe('synthetic (--turns) or dataset (--multi-turn).'),
            turns: z.string().optional().describe('--turns as given: N, MEAN±SD or MIN-MAX.'),
            history: z.enum(['live', 'dataset']).describe("What later turns resend as the assistant turns: the server's answers (live) or the dataset's."),
            thinkTimeMs: z.string().optional().describe('--think-time in ms: N or MEAN±SD.'),
            scripts: count.describe('Conversations built or read (the run takes them in order, round and round).'),
          })
          .optional()
          .describe('Multi-turn sessions, when the run played them.'),
      })
      .describe('What the run asked for.'),
    inputTokens: tokenSummarySchema.describe('Prompt tokens per successful request, chat template included.'),
    outputTokens: tokenSummarySchema.describe('Output tokens per completed request.'),
    cache: z
      .looseObject({
        promptTokens: num,
        cachedTokens: num,
        hitRatio: num.describe('cachedTokens / promptTokens, measured requests.'),
        hits: count.describe('Requests with at least half of the prompt cached.'),
        misses: count,
        ttftHitMs: metricSummarySchema,
        ttftMissMs: metricSummarySchema,
      })
      .optional()
      .describe('Present when the server reported cached prompt tokens.'),
    sessions: z
      .looseObject({
        started: count,
        completed: count.describe('Every turn answered.'),
        failed: count.describe('Ended by a turn that failed (or an arrival dropped before its first turn).'),
        cut: count.describe('Ended before their last turn by the end of the run, -n, or a smaller pool.'),
      })
      .optional()
      .describe('Multi-turn sessions: how many started and how each ended.'),
    turns: z.array(turnReportSchema).optional().describe('Multi-turn sessions: latency by turn index, measured requests.'),
    replay: z
      .looseObject({
        sent: count.describe('Measured requests sent (warm-up excluded).'),
        lateMs: metricSummarySchema.describe("How late each was sent against its trace time (t0 - timestamp / speed): the client's timer, then any wait for a slot."),
      })
      .optional()
      .describe('--replay: how closely the sends followed the trace.'),
  })
  .meta({ id: 'WorkloadReport', description: 'What the workload asked for and what the server counted.' });
export type WorkloadReport = Known<z.output<typeof workloadReportSchema>>;

const targetSchema = z.looseObject({ baseUrl: z.string(), api: z.enum(['openai', 'anthropic']), model: z.string(), simulated: z.boolean() });

/** What one run of one target carries: a single-target report's body, and each entry of `targets`. */
const runBody = {
  /** True when the run was cut short (Ctrl-C, SIGTERM, --bail). */
  interrupted: z.boolean(),
  stopReason: z.enum(STOP_REASONS),
  target: targetSchema,
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
  /** Failed requests by error code, and the last message seen for each. */
  errors: z.record(z.string(), count),
  errorMessages: z.record(z.string(), z.string()),
  segments: z.array(segmentReportSchema),
  timeline: z.array(timelineEntrySchema),
  /** Lossless state for merging: per mode, counters and HdrHistograms (microseconds). */
  histograms: z.object({ stream: encodedAccumulatorSchema, nonstream: encodedAccumulatorSchema }),
  /** Added in issue 14; absent in older reports. */
  workload: workloadReportSchema.optional(),
  /** Filled by the features that need them (early stop, cost, gates). */
  extras: z.record(z.string(), z.unknown()).optional(),
};

export const targetReportSchema = z
  .looseObject({ name: z.string(), ...runBody })
  .meta({ id: 'TargetReport', description: 'One target of a multi-target run (--target): what a single-target report carries, under its name.' });
export type TargetReport = Known<z.output<typeof targetReportSchema>>;

const intervalSchema = z
  .object({ diff: num, lo: num.nullable(), hi: num.nullable() })
  .meta({ id: 'Interval', description: 'A difference (target - reference) with its 95 % bootstrap interval; lo and hi are null with fewer than 10 pairs.' });

export const COMPARISON_METRICS = ['ttft', 'e2e', 'itl', 'throughput', 'errorRate'] as const;

export const comparisonRowSchema = z
  .looseObject({
    metric: z.enum(COMPARISON_METRICS),
    mode: z.enum(['stream', 'nonstream']),
    unit: z.enum(['ms', 'tok/s', 'ratio']),
    higherIsBetter: z.boolean(),
    target: z.string(),
    pairs: count,
    /** p50/p95/p99 (or rate) of the reference and of the target over these pairs. */
    reference: z.record(z.string(), num),
    value: z.record(z.string(), num),
    diff: z.record(z.string(), intervalSchema),
    /** The p50 (or rate) difference's interval holds 0. */
    withinNoise: z.boolean(),
  })
  .meta({ id: 'ComparisonRow', description: 'One metric of one mode: a target against the reference over their paired requests.' });
export type ComparisonRow = Known<z.output<typeof comparisonRowSchema>>;

export const pairedComparisonSchema = z
  .looseObject({
    reference: z.string(),
    targets: z.array(z.string()),
    confidence: num,
    iterations: count,
    seed: num,
    /** How requests were paired across targets. */
    pairing: z.string(),
    rows: z.array(comparisonRowSchema),
  })
  .meta({ id: 'PairedComparison', description: 'The verdict of a multi-target run: differences to the reference with paired-bootstrap intervals.' });
export type PairedComparison = Known<z.output<typeof pairedComparisonSchema>>;

export const reportSchema = z.looseObject({
  schema: z.literal(REPORT_SCHEMA),
  tool: z.looseObject({ name: z.literal('streamtop'), version: z.string() }),
  createdAt: z.string(),
  ...runBody,
  /**
   * A multi-target run (--target): every target, the reference first. The top-level run fields
   * are then the reference's, so a reader that knows one target still reads a valid run.
   */
  targets: z.array(targetReportSchema).optional(),
  comparison: pairedComparisonSchema.optional(),
});
export type Report = Known<z.output<typeof reportSchema>>;

/** The JSON Schema published as docs/report.schema.json: what a valid saved report looks like. */
export function reportJsonSchemaText(): string {
  const schema = z.toJSONSchema(reportSchema, { io: 'input', target: 'draft-2020-12' });
  const doc = {
    ...schema,
    title: REPORT_SCHEMA,
    description: 'A run saved by streamtop --json FILE: summaries per mode and segment, a per-second timeline, errors, and serialised HdrHistograms for exact merging.',
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
