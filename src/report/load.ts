import { UsageError } from '../shared/usage-error.ts';
import { fmtBytes, InputTooLargeError, MiB, readTextCapped } from '../shared/bounded-read.ts';
import { LatencyHistogram } from '../engine/histogram.ts';
import { METRIC_NAMES, MODES } from '../engine/types.ts';
import { REPORT_SCHEMA, reportSchema, type Report } from './schema.ts';

/**
 * Reads a saved `streamtop.report/1` for `report`, `compare` and `merge`. Everything the report
 * tools read is checked here, so a hand-edited or truncated file fails with the file's name and
 * the field at fault (exit 2) instead of a TypeError deep in a formatter. Objects are loose:
 * fields a newer version adds pass through untouched.
 */

const MAX_ISSUES = 5;

/**
 * Largest report file read. A report holds at most a day of per-second timeline and bounded
 * segments, so real ones stay far below this; the limit keeps a wrong file (a log, a core dump) from
 * exhausting memory, and it stays under V8's longest string.
 */
export const MAX_REPORT_BYTES = 256 * MiB;

export function loadReport(path: string): Report {
  return parseReport(readJsonFile(path), path);
}

/** Reads and parses a JSON file streamtop wrote, with errors that name the file and the problem. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readTextCapped(path, MAX_REPORT_BYTES);
  } catch (e) {
    if (e instanceof InputTooLargeError) {
      const size = e.sizeBytes !== undefined ? `it is ${fmtBytes(e.sizeBytes)}, ` : '';
      throw new UsageError(`cannot read report ${path}: ${size}over the ${fmtBytes(e.limitBytes)} limit for a report; is it a report saved with --json?`);
    }
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
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${path} is not JSON (${(e as Error).message}); expected a report saved with --json`);
  }
}

/** Validates already-parsed JSON; `name` is used in messages (a file name, or "stdin"). */
export function parseReport(data: unknown, name: string): Report {
  // The schema tag first: a wrong kind of file deserves one clear sentence, not twenty issues.
  const schema = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { schema?: unknown }).schema : undefined;
  if (schema !== REPORT_SCHEMA) {
    const seen = schema === undefined ? 'no "schema" field' : `schema ${JSON.stringify(schema)}`;
    throw new UsageError(`${name} is not a streamtop report: ${seen}, expected "${REPORT_SCHEMA}" (save one with --json FILE)`);
  }
  const parsed = reportSchema.safeParse(withCurrentNames(data as Record<string, unknown>));
  if (!parsed.success) {
    throw new UsageError(`${name} is not a valid ${REPORT_SCHEMA} report: ${describeIssues(parsed.error.issues)}`);
  }
  checkHistograms(parsed.data.histograms, name);
  return parsed.data;
}

/**
 * Reports written before the load settings were called segments everywhere name them `phases`
 * (and each request's NDJSON line `phase`); they are read under today's name.
 */
function withCurrentNames(data: Record<string, unknown>): Record<string, unknown> {
  if (data.segments !== undefined || data.phases === undefined) return data;
  const { phases, ...rest } = data;
  return { ...rest, segments: phases };
}

/** The first few schema issues, each with the path of the field at fault. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`);
  const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more` : '';
  return `${shown.join('; ')}${more}`;
}

/** A corrupt base64 blob would otherwise surface only when merge or a gate decodes it. */
function checkHistograms(h: Report['histograms'], name: string): void {
  for (const m of MODES) {
    for (const metric of METRIC_NAMES) {
      const enc = h[m].histograms[metric];
      if (enc === undefined) continue; // a metric newer than the report
      try {
        LatencyHistogram.decode(enc).dispose();
      } catch (e) {
        throw new UsageError(`${name}: histograms.${m}.histograms.${metric} is not a valid HdrHistogram encoding (${(e as Error).message})`);
      }
    }
  }
}
