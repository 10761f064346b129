import type { OutputOptions } from '../config/run-options.ts';
import type { Report } from '../report/report.ts';
import { formatSummary } from '../report/text.ts';
import { formatMarkdown } from '../report/markdown.ts';
import { applyExtras, type ExtrasResult } from '../report/extras.ts';
import { writeFileAtomic } from './atomic-write.ts';

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
}

export function finishRun(report: Report, output: OutputOptions): FinishedRun {
  const extras: ExtrasResult = applyExtras(report, output);
  const failures: string[] = [];
  const written: string[] = [];
  const write = (path: string | undefined, data: () => string): void => {
    if (path === undefined) return;
    try {
      writeFileAtomic(path, data());
      written.push(path);
    } catch (e) {
      failures.push(`could not write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  write(output.json, () => `${JSON.stringify(report, null, 2)}\n`);
  write(output.markdown, () => formatMarkdown(report));
  const text = [formatSummary(report), ...extras.lines].join('\n');
  return { text, exitCode: failures.length > 0 ? 1 : extras.exitCode, written, failures };
}
