import type { ReportOptions } from './options.ts';
import type { Report } from './report.ts';
import { evaluateGates, parseFailIf } from './gates.ts';
import { costOf } from './cost.ts';
import { goodputOf, parseSlo } from './slo.ts';

/**
 * Report additions that depend on options: CI gates, SLO goodput, cost. Each writes its result
 * into `report.extras` (so it lands in --json) and returns lines for the text summary.
 */
export interface ExtrasResult {
  lines: string[];
  exitCode: number;
}

export function applyExtras(report: Report, output: ReportOptions): ExtrasResult {
  const lines: string[] = [];
  let exitCode = 0;
  const extras: Record<string, unknown> = { ...(report.extras ?? {}) };

  if (output.slo !== undefined) {
    const slo = parseSlo('--slo', output.slo);
    const g = goodputOf(report, slo);
    extras.goodput = g;
    lines.push('', `goodput (${output.slo}): ${g.met} of ${g.total} requests met every SLO, ${g.perSec.toFixed(2)} req/s (${g.basis})`);
  }

  const es = report.extras?.earlyStop as
    | { rule: string; streamsStopped: number; tokensReceived: number; estimatedFullTokens: number | null; tokensSaved: number | null; basis: string }
    | undefined;
  if (es) {
    const share = es.estimatedFullTokens ? ` (${((100 * (es.tokensSaved ?? 0)) / es.estimatedFullTokens).toFixed(1)} %)` : '';
    lines.push(
      '',
      `early stop (${es.rule}): ${es.streamsStopped} streams stopped with ${es.tokensReceived} tokens received` +
        (es.tokensSaved !== null ? `; ${Math.round(es.estimatedFullTokens ?? 0)} tokens in full, ${Math.round(es.tokensSaved)} saved${share}` : '') +
        ` (full lengths from ${es.basis})`,
    );
  }

  const cost = costOf(report, output);
  if (cost) {
    extras.cost = cost;
    lines.push('', ...cost.lines);
  }

  if (output.failIf !== undefined) {
    const gates = evaluateGates(report, parseFailIf('--fail-if', output.failIf));
    extras.gates = gates;
    lines.push('', 'gates (--fail-if):');
    for (const g of gates.results) lines.push(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.text}`);
    if (!gates.pass) {
      exitCode = 1;
      lines.push(`${gates.results.filter((g) => !g.pass).length} gate(s) failed: exit code 1`);
    }
  }
  if (Object.keys(extras).length > 0) report.extras = extras;
  return { lines, exitCode };
}
