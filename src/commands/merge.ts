import { basename } from 'node:path';
import { checkOutputPath } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import { mergeReports, mergeTargetReports } from '../report/merge.ts';
import { loadReport } from '../report/load.ts';
import { formatSummary } from '../report/text.ts';
import { formatTargetsSummary } from '../report/targets-text.ts';
import type { Io } from './io.ts';

/** `streamtop merge A.json B.json -o ALL.json`: runs from several machines as one exact report. */
export function mergeCommand(files: string[], output: string, io: Io): number {
  if (files.length < 2) throw new UsageError('merge needs at least two reports: streamtop merge A.json B.json -o ALL.json');
  checkOutputPath('--output', output);
  const reports = files.map((f) => loadReport(f));
  // Several targets (--target): each target merged with the same target of the other files.
  const multi = reports.findIndex((r) => r.targets !== undefined);
  if (multi >= 0) {
    const merged = mergeTargetReports(reports, files);
    const mergedFrom = files.map((f) => basename(f));
    merged.settings = { ...merged.settings, mergedFrom };
    for (const t of merged.targets ?? []) t.settings = { ...t.settings, mergedFrom };
    writeFileAtomic(output, `${JSON.stringify(merged, null, 2)}\n`);
    io.stdout.write(`${formatTargetsSummary(merged)}\n`);
    io.stderr.write(`streamtop: merged ${files.length} runs of ${merged.targets?.length ?? 0} targets into ${output} (the paired verdict is per run and not merged)\n`);
    return 0;
  }
  const merged = mergeReports(reports);
  merged.settings = { ...merged.settings, mergedFrom: files.map((f) => basename(f)) };
  writeFileAtomic(output, `${JSON.stringify(merged, null, 2)}\n`);
  io.stdout.write(`${formatSummary(merged)}\n`);
  io.stderr.write(`streamtop: merged ${files.length} runs into ${output}\n`);
  return 0;
}
