import { checkOutputPath } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import { loadSavedResult, writeResultHtml } from '../report/html/index.ts';
import { formatMarkdown } from '../report/markdown.ts';
import { formatSummary } from '../report/text.ts';
import { formatTargetsSummary } from '../report/targets-text.ts';
import { formatTargetsMarkdown } from '../report/targets-markdown.ts';
import type { Io } from './io.ts';

/**
 * `streamtop report FILE`: a saved run's summary again, and optionally as Markdown or a
 * self-contained HTML page. `--html` also takes what sweep and compare-* save with --json.
 */
export async function reportCommand(file: string, o: { markdown?: string; html?: string }, io: Io): Promise<number> {
  if (o.markdown !== undefined) checkOutputPath('--markdown', o.markdown);
  if (o.html !== undefined) checkOutputPath('--html', o.html);
  const saved = loadSavedResult(file);
  if (saved.kind === 'run' && saved.report.targets !== undefined) {
    io.stdout.write(`${formatTargetsSummary(saved.report)}\n`);
  } else if (saved.kind === 'run') {
    io.stdout.write(`${formatSummary(saved.report)}\n`);
  } else {
    if (o.markdown !== undefined) throw new UsageError(`--markdown renders a run report; ${file} is a ${saved.kind} result: use --html FILE for it`);
    if (saved.kind === 'sweep') {
      // The sweep module loads the engine; only a sweep file needs its formatter.
      const { formatSweep } = await import('../experiments/sweep.ts');
      io.stdout.write(`${formatSweep(saved.sweep)}\n`);
    } else if (o.html === undefined) {
      throw new UsageError(`${file} is a ${saved.comparison.experiment} result: render it with --html FILE (its table was printed when it ran)`);
    }
  }
  if (o.markdown !== undefined && saved.kind === 'run') {
    writeFileAtomic(o.markdown, saved.report.targets !== undefined ? formatTargetsMarkdown(saved.report) : formatMarkdown(saved.report));
    io.stderr.write(`streamtop: wrote ${o.markdown}\n`);
  }
  if (o.html !== undefined) {
    writeResultHtml(o.html, saved);
    io.stderr.write(`streamtop: wrote ${o.html}\n`);
  }
  return 0;
}
