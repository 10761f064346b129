import type { ReportOptions } from './options.ts';
import type { Report, TargetReport } from './report.ts';
import { checkGateTargets, evaluateGates, parseFailIf } from './gates.ts';
import { costOf } from './cost.ts';
import { goodputOf, parseSlo } from './slo.ts';
import type { ExtrasResult } from './extras.ts';

/**
 * The report additions of a multi-target run (extras.ts is the single-target one): goodput
 * (--slo) and cost (prices known, --project) per target, each into its target's `extras`, and
 * the gates (--fail-if, which may name targets) over the whole run into the top-level `extras`.
 * The top-level run fields are the reference's, so its goodput and cost are mirrored there too.
 *
 * Per-target goodput and cost are printed by the summary (targets-text.ts) from `extras`, so
 * `streamtop report FILE` shows them again; the gates' lines are returned here, as extras.ts does.
 */
export function applyTargetsExtras(report: Report, output: ReportOptions): ExtrasResult {
  const targets = report.targets ?? [];
  const slo = output.slo !== undefined ? parseSlo('--slo', output.slo) : undefined;
  for (const t of targets) {
    const extras: Record<string, unknown> = { ...(t.extras ?? {}) };
    if (slo !== undefined) extras.goodput = { ...goodputOf(t, slo), slo: output.slo };
    const cost = costOf(t, output);
    if (cost) extras.cost = cost;
    if (Object.keys(extras).length > 0) t.extras = extras;
  }
  const top: Record<string, unknown> = { ...(report.extras ?? {}), ...(targets[0]?.extras ?? {}) };
  const lines: string[] = [];
  let exitCode = 0;
  if (output.failIf !== undefined) {
    const gates = parseFailIf('--fail-if', output.failIf);
    checkGateTargets('--fail-if', output.failIf, gates, targets.map((t) => t.name));
    const ev = evaluateGates(report, gates);
    top.gates = ev;
    lines.push('', `gates (--fail-if; a metric without @ is the reference's, ${targets[0]?.name ?? '?'}):`);
    for (const g of ev.results) lines.push(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.text}`);
    if (!ev.pass) {
      exitCode = 1;
      lines.push(`${ev.results.filter((g) => !g.pass).length} gate(s) failed: exit code 1`);
    }
  }
  if (Object.keys(top).length > 0) report.extras = top;
  return { lines, exitCode };
}

/** A target's goodput as the summaries show it, read defensively (a loaded report's extras are untyped JSON). */
export function targetGoodput(t: Pick<TargetReport, 'extras'>): { met: number; total: number; perSec: number; basis: string; slo?: string } | undefined {
  const g = t.extras?.goodput;
  if (typeof g !== 'object' || g === null) return undefined;
  const { met, total, perSec, basis, slo } = g as Record<string, unknown>;
  if (typeof met !== 'number' || typeof total !== 'number' || typeof perSec !== 'number') return undefined;
  return { met, total, perSec, basis: typeof basis === 'string' ? basis : '', ...(typeof slo === 'string' ? { slo } : {}) };
}

/** A target's cost as the summaries show it, read defensively. */
export function targetCost(t: Pick<TargetReport, 'extras'>): { total: number; perRequest: number; source: string; inputCostKnown: boolean; projectedPerMonth?: number; projectRequestsPerMonth?: number } | undefined {
  const c = t.extras?.cost;
  if (typeof c !== 'object' || c === null) return undefined;
  const { total, perRequest, source, inputCostKnown, projectedPerMonth, projectRequestsPerMonth } = c as Record<string, unknown>;
  if (typeof total !== 'number' || typeof perRequest !== 'number') return undefined;
  return {
    total,
    perRequest,
    source: typeof source === 'string' ? source : '',
    inputCostKnown: inputCostKnown !== false,
    ...(typeof projectedPerMonth === 'number' ? { projectedPerMonth } : {}),
    ...(typeof projectRequestsPerMonth === 'number' ? { projectRequestsPerMonth } : {}),
  };
}
