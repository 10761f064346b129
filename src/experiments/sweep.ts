import asciichart from 'asciichart';
import type { RunPlan } from '../config/run-options.ts';
import { patchConfig } from '../engine/config.ts';
import { Engine } from '../engine/engine.ts';
import type { RequestRecord } from '../engine/types.ts';
import { modeReport, type ModeReport } from '../report/report.ts';
import { GoodputCounter, defaultSloFor, parseSlo } from '../report/slo.ts';
import { fmtMs, fmtNum, table } from '../report/text.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import { writeResultHtml } from '../report/html/index.ts';
import { engineConfigFor, openTarget } from '../run/target.ts';
import { VERSION } from '../version.ts';
import { exitCodeFor, installInterruptHandlers } from '../os/signals.ts';
import { ModeAccumulator } from '../engine/stats.ts';
import { redactUrl } from '../shared/url-secrets.ts';

/**
 * `streamtop sweep`: runs each pool size (or rate) for a fixed time or count against one target,
 * reports throughput, TTFT and E2E percentiles and goodput per level, draws throughput against
 * latency, and recommends the level with the highest goodput.
 *
 * Each level gets a fresh engine (fresh connections, fresh statistics) against the same server,
 * so one level's tail cannot leak into the next one's numbers.
 */
export interface SweepOptions {
  levels: number[];
  kind: 'concurrency' | 'rate';
  stepMs?: number;
  stepRequests?: number;
}

export interface SweepLevel {
  level: number;
  durationMs: number;
  requests: number;
  succeeded: number;
  failed: number;
  requestsPerSec: number;
  outputTokensPerSec: number;
  goodputPerSec: number;
  goodMet: number;
  ttftMs: ModeReport['ttftMs'];
  e2eMs: ModeReport['e2eMs'];
  tpotMs: ModeReport['tpotMs'];
}

export interface SweepResult {
  schema: 'streamtop.sweep/1';
  tool: { name: 'streamtop'; version: string };
  target: { baseUrl: string; api: string; model: string; simulated: boolean };
  kind: SweepOptions['kind'];
  slo: string;
  levels: SweepLevel[];
  recommended?: number;
  interrupted: boolean;
}

/** Without --slo, the first level (the unloaded server) sets the objective. */
function defaultSlo(first: SweepLevel | undefined): string {
  return defaultSloFor(first && first.ttftMs.count > 0 ? first.ttftMs.p50 : undefined);
}

export async function runSweep(
  plan: RunPlan,
  sweep: SweepOptions,
  io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream },
): Promise<number> {
  const target = await openTarget(plan, { env: process.env, warn: (m) => io.stderr.write(`streamtop: warning: ${m}\n`) });
  let interrupted = false;
  let exitCode = 0;
  let current: Engine | undefined;
  const interrupts = installInterruptHandlers((signal) => {
    interrupted = true;
    exitCode = exitCodeFor(signal);
    io.stderr.write('\nstreamtop: interrupted; finishing the current level and printing what was measured\n');
    void current?.stop();
  });
  const levels: SweepLevel[] = [];
  let sloText = plan.output.slo;
  // Records are kept per level only until the level is summarised (bounded by the level size).
  try {
    for (const level of sweep.levels) {
      if (interrupted) break;
      const records: RequestRecord[] = [];
      const cfg = patchConfig(engineConfigFor(plan, target), {
        load: {
          ...(sweep.kind === 'concurrency' ? { concurrency: level } : { rate: level }),
          ...(sweep.stepRequests !== undefined ? { requests: sweep.stepRequests } : {}),
          ...(sweep.stepMs !== undefined ? { durationMs: sweep.stepMs } : {}),
        },
      });
      const engine = new Engine(cfg, { onRecord: (r) => records.push(r) });
      current = engine;
      io.stderr.write(`streamtop: sweep ${sweep.kind} ${level} ...`);
      await engine.start();
      const outcome = await engine.done;
      const acc = new ModeAccumulator();
      engine.stats.flush();
      for (const m of ['stream', 'nonstream'] as const) acc.merge(engine.stats.cumulative[m]);
      const rep = modeReport(acc, outcome.durationMs);
      acc.dispose();
      engine.dispose();
      if (sloText === undefined) sloText = defaultSlo(levels[0] ?? { ttftMs: rep.ttftMs } as SweepLevel);
      const counter = new GoodputCounter(parseSlo('--slo', sloText));
      for (const r of records) counter.add(r);
      const l: SweepLevel = {
        level,
        durationMs: outcome.durationMs,
        requests: rep.requests - rep.cancelled,
        succeeded: rep.succeeded,
        failed: rep.failed,
        requestsPerSec: rep.requestsPerSec,
        outputTokensPerSec: rep.outputTokensPerSec,
        goodMet: counter.met,
        goodputPerSec: outcome.durationMs > 0 ? (counter.met * 1000) / outcome.durationMs : 0,
        ttftMs: rep.ttftMs,
        e2eMs: rep.e2eMs,
        tpotMs: rep.tpotMs,
      };
      levels.push(l);
      io.stderr.write(` ${fmtNum(l.requestsPerSec, 2)} req/s, TTFT p50 ${fmtMs(l.ttftMs.p50)} ms, goodput ${fmtNum(l.goodputPerSec, 2)}/s\n`);
    }
  } finally {
    interrupts.dispose();
    await target.close();
  }
  const best = levels.reduce<SweepLevel | undefined>((a, b) => (a === undefined || b.goodputPerSec > a.goodputPerSec ? b : a), undefined);
  const result: SweepResult = {
    schema: 'streamtop.sweep/1',
    tool: { name: 'streamtop', version: VERSION },
    target: { baseUrl: redactUrl(target.baseUrl), api: plan.engine.target.api, model: plan.engine.target.model, simulated: target.info.simulated },
    kind: sweep.kind,
    slo: sloText ?? '',
    levels,
    ...(best ? { recommended: best.level } : {}),
    interrupted,
  };
  io.stdout.write(`${formatSweep(result)}\n`);
  if (plan.output.json) {
    writeFileAtomic(plan.output.json, `${JSON.stringify(result, null, 2)}\n`);
    io.stderr.write(`streamtop: wrote ${plan.output.json}\n`);
  }
  if (plan.output.html) {
    writeResultHtml(plan.output.html, { kind: 'sweep', sweep: result });
    io.stderr.write(`streamtop: wrote ${plan.output.html}\n`);
  }
  return exitCode;
}

export function formatSweep(r: SweepResult): string {
  const unit = r.kind === 'concurrency' ? 'pool' : 'rate';
  const rows = [
    [unit, 'req/s', 'tok/s', 'goodput/s', 'ok', 'fail', 'TTFT p50', 'p95', 'p99', 'E2E p50', 'p95', 'p99'],
    ...r.levels.map((l) => [
      String(l.level),
      fmtNum(l.requestsPerSec, 2),
      fmtNum(l.outputTokensPerSec),
      fmtNum(l.goodputPerSec, 2),
      String(l.succeeded),
      String(l.failed),
      fmtMs(l.ttftMs.p50),
      fmtMs(l.ttftMs.p95),
      fmtMs(l.ttftMs.p99),
      fmtMs(l.e2eMs.p50),
      fmtMs(l.e2eMs.p95),
      fmtMs(l.e2eMs.p99),
    ]),
  ];
  const out = [
    `sweep of ${unit} sizes against ${r.target.simulated ? 'the built-in simulator' : redactUrl(r.target.baseUrl)} (${r.target.api}, ${r.target.model}); latencies in ms`,
    table(rows),
    '',
  ];
  if (r.levels.length >= 2) {
    // Throughput against latency: one point per level, in level order.
    const tput = r.levels.map((l) => l.requestsPerSec);
    const lat = r.levels.map((l) => l.ttftMs.p95);
    out.push(`throughput (req/s, by ${unit} level ${r.levels.map((l) => l.level).join(', ')}):`);
    out.push(asciichart.plot(stretch(tput), { height: 6, format: (v: number) => fmtNum(v, 1).padStart(8) }));
    out.push(`TTFT p95 (ms) at the same levels:`);
    out.push(asciichart.plot(stretch(lat), { height: 6, format: (v: number) => fmtMs(v).padStart(8) }));
    out.push('');
  }
  if (r.recommended !== undefined) {
    const b = r.levels.find((l) => l.level === r.recommended);
    out.push(
      `recommended ${unit}: ${r.recommended} (highest goodput, ${fmtNum(b?.goodputPerSec ?? 0, 2)} req/s meeting ${r.slo}${r.interrupted ? '; sweep interrupted' : ''})`,
    );
  }
  return out.join('\n');
}

/** asciichart draws one column per point; repeat points so a short sweep is readable. */
function stretch(values: number[]): number[] {
  const per = Math.max(1, Math.floor(48 / Math.max(1, values.length)));
  return values.flatMap((v) => Array.from({ length: per }, () => v));
}
