import { basename } from 'node:path';
import { checkOutputPath } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import { mergeReports } from '../report/merge.ts';
import { loadReport, refuseMultiTarget } from '../report/load.ts';
import { formatSummary } from '../report/text.ts';
import type { Io } from './io.ts';

/** `streamtop merge A.json B.json -o ALL.json`: runs from several machines as one exact report. */
export function mergeCommand(files: string[], output: string, io: Io): number {
  if (files.length < 2) throw new UsageError('merge needs at least two reports: streamtop merge A.json B.json -o ALL.json');
  checkOutputPath('--output', output);
  const reports = files.map((f) => {
    const r = loadReport(f);
    refuseMultiTarget(r, f, 'merge');
    return r;
  });
  const merged = mergeReports(reports);
  merged.settings = { ...merged.settings, mergedFrom: files.map((f) => basename(f)) };
  writeFileAtomic(output, `${JSON.stringify(merged, null, 2)}\n`);
  io.stdout.write(`${formatSummary(merged)}\n`);
  io.stderr.write(`streamtop: merged ${files.length} runs into ${output}\n`);
  return 0;
}
