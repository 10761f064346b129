import { basename } from 'node:path';
import { checkOutputPath } from '../config/output-path.ts';
import { UsageError } from '../config/usage-error.ts';
import { writeFileAtomic } from '../run/atomic-write.ts';
import { compareReports } from './compare.ts';
import { loadSavedResult, writeResultHtml } from './html/index.ts';
import { loadReport } from './load.ts';
import { formatMarkdown } from './markdown.ts';
import { mergeReports } from './merge.ts';
import { formatSummary } from './text.ts';

/** `streamtop report | compare | merge`: saved runs in, text or a merged report out. */

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

/**
 * `report FILE`: a saved run's summary again, and optionally as Markdown or a self-contained HTML
 * page. `--html` also takes what sweep and compare-* save with --json.
 */
export async function reportCommand(file: string, o: { markdown?: string; html?: string }, io: Io): Promise<number> {
  if (o.markdown !== undefined) checkOutputPath('--markdown', o.markdown);
  if (o.html !== undefined) checkOutputPath('--html', o.html);
  const saved = loadSavedResult(file);
  if (saved.kind === 'run') {
    io.stdout.write(`${formatSummary(saved.report)}\n`);
  } else {
    if (o.markdown !== undefined) throw new UsageError(`--markdown renders a run report; ${file} is a ${saved.kind} result: use --html FILE for it`);
    if (saved.kind === 'sweep') {
      // The sweep module loads the engine; only a sweep file needs its formatter.
      const { formatSweep } = await import('../run/sweep.ts');
      io.stdout.write(`${formatSweep(saved.sweep)}\n`);
    }
    else if (o.html === undefined) throw new UsageError(`${file} is a ${saved.comparison.experiment} result: render it with --html FILE (its table was printed when it ran)`);
  }
  if (o.markdown && saved.kind === 'run') {
    writeFileAtomic(o.markdown, formatMarkdown(saved.report));
    io.stderr.write(`streamtop: wrote ${o.markdown}\n`);
  }
  if (o.html) {
    writeResultHtml(o.html, saved);
    io.stderr.write(`streamtop: wrote ${o.html}\n`);
  }
  return 0;
}

export function compareCommand(a: string, b: string, io: Io): number {
  const ra = loadReport(a);
  const rb = loadReport(b);
  io.stdout.write(`${compareReports(ra, rb, [basename(a), basename(b)])}\n`);
  return 0;
}

export function mergeCommand(files: string[], output: string, io: Io): number {
  if (files.length < 2) throw new UsageError('merge needs at least two reports: streamtop merge A.json B.json -o ALL.json');
  checkOutputPath('--output', output);
  const merged = mergeReports(files.map(loadReport));
  merged.settings = { ...merged.settings, mergedFrom: files.map((f) => basename(f)) };
  writeFileAtomic(output, `${JSON.stringify(merged, null, 2)}\n`);
  io.stdout.write(`${formatSummary(merged)}\n`);
  io.stderr.write(`streamtop: merged ${files.length} runs into ${output}\n`);
  return 0;
}
