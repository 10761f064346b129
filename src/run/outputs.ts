import type { OutputOptions } from '../config/run-options.ts';
import type { Report } from '../report/report.ts';
import { formatSummary } from '../report/text.ts';
import { formatMarkdown } from '../report/markdown.ts';
import { renderRunHtml } from '../report/html/index.ts';
import { applyExtras, type ExtrasResult } from '../report/extras.ts';
import { OutputWriteError, writeFileAtomic } from '../shared/atomic-write.ts';

/**
 * Everything a finished run produces, in one place, so the dashboard, headless runs and
 * interrupted runs write exactly the same things: the summary on stdout, the report files
 * (atomically), and the exit code from --fail-if.
 */
export interface FinishedRun {
  text: string;
  exitCode: number;
  written: string[];
  failures: string[];
  /** Things the reader should not miss, printed after the summary (they do not change the exit code). */
  notices: string[];
}

export function finishRun(report: Report, output: OutputOptions, sinkFailures: readonly string[] = []): FinishedRun {
  const extras: ExtrasResult = applyExtras(report, output);
  const failures: string[] = [...sinkFailures];
  const written: string[] = [];
  const write = (path: string | undefined, data: () => string): void => {
    if (path === undefined) return;
    try {
      writeFileAtomic(path, data());
      written.push(path);
    } catch (e) {
      // A write failure names the file already; anything else (serialising the report) gets it added.
      failures.push(e instanceof OutputWriteError ? e.message : `could not write ${path}: ${(e as Error).message}`);
    }
  };
  write(output.json, () => `${JSON.stringify(report, null, 2)}\n`);
  write(output.markdown, () => formatMarkdown(report));
  write(output.html, () => renderRunHtml(report));
  const text = [formatSummary(report), ...extras.lines].join('\n');
  return { text, exitCode: failures.length > 0 ? 1 : extras.exitCode, written, failures, notices: noticesFor(report, output) };
}

/**
 * A run in which nothing succeeded still exits 0 ("done", as k6 and oha do without thresholds),
 * so say so plainly, with the commonest error and how to make CI fail on it.
 */
function noticesFor(report: Report, output: OutputOptions): string[] {
  const { requests, succeeded, earlyStopped } = report.totals;
  if (requests === 0 || succeeded + earlyStopped > 0) return [];
  const top = Object.entries(report.errors).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))[0];
  const commonest = top !== undefined ? `; most common error: ${top[0]} (${top[1] ?? 0})` : '';
  const gate = output.failIf === undefined ? '; add --fail-if "error-rate<1%" to make this exit non-zero' : '';
  return [`no request succeeded (${requests} measured${commonest})${gate}`];
}
