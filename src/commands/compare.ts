import { basename } from 'node:path';
import { compareReports } from '../report/compare.ts';
import { loadReport } from '../report/load.ts';
import { targetAsReport } from '../report/merge.ts';
import type { Report } from '../report/report.ts';
import { UsageError } from '../shared/usage-error.ts';
import type { Io } from './io.ts';

/** `streamtop compare A.json B.json`: the deltas between two saved runs. */
export function compareCommand(a: string, b: string, io: Io): number {
  const ra = loadReport(a);
  const rb = loadReport(b);
  if (ra.targets !== undefined || rb.targets !== undefined) {
    io.stdout.write(`${compareTargets(ra, rb, a, b)}\n`);
    return 0;
  }
  io.stdout.write(`${compareReports(ra, rb, [basename(a), basename(b)])}\n`);
  return 0;
}

const names = (r: Report): string[] => (r.targets ?? []).map((t) => t.name);

/**
 * Two multi-target runs (--target), target by target: each target of A against the target of the
 * same name in B, as two single runs are compared. Targets in only one file are named and left out.
 */
export function compareTargets(ra: Report, rb: Report, a: string, b: string): string {
  if (ra.targets === undefined || rb.targets === undefined) {
    const [multi, single] = ra.targets !== undefined ? [a, b] : [b, a];
    const r = ra.targets !== undefined ? ra : rb;
    throw new UsageError(
      `compare: ${multi} is a multi-target run (${names(r).join(', ')}) and ${single} a run of one endpoint: compare two runs of the same kind ` +
        `(to compare targets within one run, streamtop report ${multi} shows its verdict)`,
    );
  }
  const common = names(ra).filter((n) => names(rb).includes(n));
  if (common.length === 0)
    throw new UsageError(`compare: ${a} has the targets ${names(ra).join(', ')} and ${b} has ${names(rb).join(', ')}: no target in common; compare compares each target with the same target of the other run`);
  const out: string[] = [];
  const onlyA = names(ra).filter((n) => !common.includes(n));
  const onlyB = names(rb).filter((n) => !common.includes(n));
  if (onlyA.length > 0 || onlyB.length > 0)
    out.push(`note: targets in one file only, left out: ${[...onlyA.map((n) => `${n} (${basename(a)})`), ...onlyB.map((n) => `${n} (${basename(b)})`)].join(', ')}`, '');
  for (const name of common) {
    const ta = ra.targets.find((t) => t.name === name);
    const tb = rb.targets.find((t) => t.name === name);
    if (ta === undefined || tb === undefined) continue;
    out.push(`== target ${name} ==`, compareReports(targetAsReport(ra, ta), targetAsReport(rb, tb), [basename(a), basename(b)]), '');
  }
  return out.join('\n').trimEnd();
}
