import { basename } from 'node:path';
import { checkOutputPath } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import { compareReports } from '../report/compare.ts';
import { loadReport } from '../report/load.ts';
import { formatMarkdown } from '../report/markdown.ts';
import { mergeReports } from '../report/merge.ts';
import { formatSummary } from '../report/text.ts';

/** `streamtop report | compare | merge`: saved runs in, text or a merged report out. */

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

export function reportCommand(file: string, o: { markdown?: string }, io: Io): number {
  if (o.markdown !== undefined) checkOutputPath('--markdown', o.markdown);
  const r = loadReport(file);
  io.stdout.write(`${formatSummary(r)}\n`);
  if (o.markdown) {
    writeFileAtomic(o.markdown, formatMarkdown(r));
    io.stderr.write(`streamtop: wrote ${o.markdown}\n`);
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
