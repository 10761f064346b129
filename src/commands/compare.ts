import { basename } from 'node:path';
import { compareReports } from '../report/compare.ts';
import { loadReport, refuseMultiTarget } from '../report/load.ts';
import type { Io } from './io.ts';

/** `streamtop compare A.json B.json`: the deltas between two saved runs. */
export function compareCommand(a: string, b: string, io: Io): number {
  const ra = loadReport(a);
  const rb = loadReport(b);
  refuseMultiTarget(ra, a, 'compare');
  refuseMultiTarget(rb, b, 'compare');
  io.stdout.write(`${compareReports(ra, rb, [basename(a), basename(b)])}\n`);
  return 0;
}
