import { writeFileAtomic } from '../../shared/atomic-write.ts';
import type { Report } from '../report.ts';
import { renderComparisonHtml } from './comparison-page.ts';
import type { SavedResult } from './inputs.ts';
import { renderRunHtml } from './run-page.ts';
import { renderSweepHtml } from './sweep-page.ts';
import { renderTargetsHtml } from './targets-page.ts';

/**
 * Self-contained HTML reports: one file with its styles, script, chart library and data inline,
 * which opens in any browser with no network. Pages are built from report data only (never from
 * options or the environment), so what the report writer scrubbed stays scrubbed.
 */

export { renderRunHtml } from './run-page.ts';
export { renderSweepHtml } from './sweep-page.ts';
export { renderComparisonHtml } from './comparison-page.ts';
export { renderTargetsHtml } from './targets-page.ts';

/** A run's page: one target's, or the page of several (--target) with their verdict. */
export function renderReportHtml(report: Report): string {
  return report.targets !== undefined ? renderTargetsHtml(report) : renderRunHtml(report);
}
export { loadSavedResult, parseSavedResult, type SavedResult, type SweepFile, type ComparisonFile } from './inputs.ts';

export function renderHtml(r: SavedResult): string {
  switch (r.kind) {
    case 'run':
      return renderReportHtml(r.report);
    case 'sweep':
      return renderSweepHtml(r.sweep);
    case 'comparison':
      return renderComparisonHtml(r.comparison);
  }
}

/** Writes a run's page atomically (a reader never sees half a file). */
export function writeHtmlReport(path: string, report: Report): void {
  writeFileAtomic(path, renderReportHtml(report));
}

/** Writes the page of any saved result: a run, a sweep or a comparison. */
export function writeResultHtml(path: string, result: SavedResult): void {
  writeFileAtomic(path, renderHtml(result));
}
