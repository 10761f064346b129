import { z } from 'zod';
import { UsageError } from '../../shared/usage-error.ts';
import { describeIssues, parseReport, readJsonFile } from '../load.ts';
import { REPORT_SCHEMA, metricSummarySchema, modeReportSchema, type Known, type Report } from '../schema.ts';

/**
 * The three kinds of file streamtop writes with --json, told apart and validated, so that
 * `streamtop report FILE --html OUT` renders any of them and a hand-edited file fails with the
 * field at fault instead of a TypeError in a renderer.
 */

export const SWEEP_SCHEMA = 'streamtop.sweep/1';

const target = z.looseObject({ baseUrl: z.string(), api: z.string(), model: z.string(), simulated: z.boolean() });
const tool = z.looseObject({ name: z.literal('streamtop'), version: z.string() });

export const sweepResultSchema = z.looseObject({
  schema: z.literal(SWEEP_SCHEMA),
  tool,
  target,
  kind: z.enum(['concurrency', 'rate']),
  slo: z.string(),
  levels: z.array(
    z.looseObject({
      level: z.number(),
      durationMs: z.number(),
      requests: z.number(),
      succeeded: z.number(),
      failed: z.number(),
      requestsPerSec: z.number(),
      outputTokensPerSec: z.number(),
      goodputPerSec: z.number(),
      goodMet: z.number(),
      ttftMs: metricSummarySchema,
      e2eMs: metricSummarySchema,
      tpotMs: metricSummarySchema,
    }),
  ),
  recommended: z.number().optional(),
  interrupted: z.boolean(),
});
export type SweepFile = Known<z.output<typeof sweepResultSchema>>;

export const comparisonResultSchema = z.looseObject({
  experiment: z.enum(['compare-modes', 'compare-connections']),
  rounds: z.number(),
  requestsPerRound: z.number(),
  // Files written before these were recorded lack them; the page then says "not recorded".
  tool: tool.optional(),
  target: target.optional(),
  concurrency: z.number().optional(),
  results: z.array(
    z.looseObject({
      label: z.string(),
      ttftFromIssueMs: metricSummarySchema,
      wallMs: z.number(),
      report: modeReportSchema,
      newConnections: z.number(),
    }),
  ),
  interrupted: z.boolean(),
});
export type ComparisonFile = Known<z.output<typeof comparisonResultSchema>>;

export type SavedResult = { kind: 'run'; report: Report } | { kind: 'sweep'; sweep: SweepFile } | { kind: 'comparison'; comparison: ComparisonFile };

function validate<T>(schema: z.ZodType<T>, data: unknown, name: string, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new UsageError(`${name} is not a valid ${what}: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

export function parseSavedResult(data: unknown, name: string): SavedResult {
  const obj = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  if (obj.schema === SWEEP_SCHEMA) return { kind: 'sweep', sweep: validate(sweepResultSchema, data, name, `${SWEEP_SCHEMA} result`) as SweepFile };
  if (obj.experiment === 'compare-modes' || obj.experiment === 'compare-connections') {
    return { kind: 'comparison', comparison: validate(comparisonResultSchema, data, name, `${obj.experiment} result`) as ComparisonFile };
  }
  if (obj.schema !== REPORT_SCHEMA && obj.schema !== undefined) {
    throw new UsageError(`${name} has schema ${JSON.stringify(obj.schema)}: expected a run report ("${REPORT_SCHEMA}"), a sweep ("${SWEEP_SCHEMA}") or a compare-modes/compare-connections result (saved with --json FILE)`);
  }
  return { kind: 'run', report: parseReport(data, name) };
}

export function loadSavedResult(path: string): SavedResult {
  return parseSavedResult(readJsonFile(path), path);
}
