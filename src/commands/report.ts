import { checkOutputPath } from '../shared/output-path.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import { loadReport } from '../report/load.ts';
import { formatMarkdown } from '../report/markdown.ts';
import { formatSummary } from '../report/text.ts';
import type { Io } from './io.ts';

/** `streamtop report RUN.json`: a saved run re-rendered as text (and Markdown). */
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
