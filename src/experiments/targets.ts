import type { RunPlan, TargetRunPlan } from '../config/run-options.ts';
import type { RunOutcome } from '../engine/engine.ts';
import type { EngineSnapshot } from '../engine/types.ts';
import { comparePaired, PairLog, sampleOf } from '../report/paired.ts';
import { GoodputCounter, parseSlo } from '../report/slo.ts';
import { applyTargetsExtras } from '../report/targets-extras.ts';
import { NdjsonSink } from '../run/ndjson.ts';
import { startTargetsMetrics, type LiveMetrics } from '../run/live-metrics.ts';
import type { Report, TargetReport } from '../report/report.ts';
import { formatTargetsSummary } from '../report/targets-text.ts';
import { formatTargetsMarkdown } from '../report/targets-markdown.ts';
import { renderTargetsHtml } from '../report/html/targets-page.ts';
import { fmtMs, fmtNum } from '../report/text.ts';
import { OutputWriteError, writeFileAtomic } from '../shared/atomic-write.ts';
import { UsageError } from '../shared/usage-error.ts';
import { openSession, type Session } from '../run/session.ts';
import { openTarget, type Target } from '../run/target.ts';
import { PairGate } from './pair-gate.ts';
import { exitCodeFor, installInterruptHandlers, type InterruptSignal } from '../os/signals.ts';

/**
 * Several endpoints in one run (`--target`, `--targets`): one engine per target, each with its own
 * pool, all started together with the same seed. The engine draws the k-th request's prompt and
 * stream/non-stream mode from the seed, so the k-th request of every target is the same request:
 * the pairs the verdict compares. Headless, it runs in the main process like the other
 * experiments; the dashboard runs the same function in its engine worker (worker/targets-host.ts)
 * with a LiveView attached, so both end with the same verdict and the same report files.
 */

/** Where the summary (stdout) and the notes (stderr) go: the terminal, or the worker's collector. */
export type Io = { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } };

/**
 * A live view of the run (the dashboard): it reads the engines and sends them commands, and it
 * owns the interruption (the dashboard's own keys and signals), so no progress line is printed
 * and no signal handler installed.
 */
export interface LiveView {
  /** Streams whose text tails each engine keeps for the view's panes. */
  panes: number;
  /**
   * Called once every target is open, before any engine starts. `stop` ends the run (every
   * engine, requests held for a partner cancelled unsent). The returned function detaches the
   * view when the engines are done.
   */
  attach(targets: readonly OpenedTarget[], stop: (reason: 'interrupted' | 'user') => Promise<void>, metricsUrl: string | undefined): () => void;
  /**
   * --prometheus: the endpoint, once the summary is written. It stays up so that a scrape after the
   * run reads the final counts, until the view's main thread has printed the summary and asks the
   * worker to shut down (see worker-protocol.ts, Shutdown).
   */
  keepMetrics(metrics: LiveMetrics): void;
}

/**
 * The target's header-env headers join the run's --header-env list, read when the target is
 * opened; an unset variable is named with its target before anything starts.
 */
function withHeaderEnvs(t: TargetRunPlan, env: NodeJS.ProcessEnv): RunPlan {
  const entries = Object.entries(t.headerEnvs);
  if (entries.length === 0) return t.plan;
  for (const [name, variable] of entries) {
    const value = env[variable];
    if (value === undefined || value === '') throw new UsageError(`--target ${t.name}: header-env ${name}:${variable}: $${variable} is not set (or empty); set it, or drop the header`);
  }
  return { ...t.plan, headerEnv: [...t.plan.headerEnv, ...entries.map(([name, variable]) => ({ name, env: variable }))] };
}

export interface OpenedTarget {
  name: string;
  plan: RunPlan;
  session: Session;
  log: PairLog;
  /** --slo: this target's requests that met every objective. */
  goodput?: GoodputCounter;
}

/** Per-request outputs shared by every target: --ndjson, one file whose lines carry `target`. */
interface SharedSinks {
  ndjson?: NdjsonSink;
}

/** A proxy target's plan with its upstream's address, now that the upstream's simulator listens. */
function withUpstream(plan: RunPlan, upstream: Target): RunPlan {
  const sim = plan.sim;
  if (sim?.proxy === undefined || upstream.simOrigin === undefined) throw new Error('withUpstream: not a proxy in front of a simulator');
  return { ...plan, sim: { ...sim, proxy: { ...sim.proxy, to: upstream.simOrigin } } };
}

/**
 * Opens every target (simulators start in parallel; a proxy target, `proxy:NAME`, once its
 * upstream listens); on any failure closes what was opened.
 */
async function openAll(targets: readonly TargetRunPlan[], gate: PairGate | undefined, sinks: SharedSinks, io: Io, panes: number | undefined): Promise<OpenedTarget[]> {
  const plans = targets.map((t) => withHeaderEnvs(t, process.env));
  const open = (plan: RunPlan, i: number): Promise<Target> =>
    openTarget(plan, { env: process.env, warn: (m) => io.stderr.write(`streamtop: warning: ${targets[i]?.name ?? ''}: ${m}\n`) });
  const direct = plans.map((plan, i) => (targets[i]?.proxyOf === undefined ? open(plan, i) : undefined));
  const opening = plans.map((plan, i): Promise<Target> => {
    const own = direct[i];
    if (own !== undefined) return own;
    // run-options checked that the upstream is a simulator target of this run.
    const upstream = targets[i]?.proxyOf ?? '';
    const up = direct[targets.findIndex((t) => t.name === upstream)];
    if (up === undefined) return Promise.reject(new Error(`no simulator target named ${upstream}`));
    return up.then(
      (u) => open(withUpstream(plan, u), i),
      () => Promise.reject(new Error(`its upstream target ${upstream} did not start`)),
    );
  });
  const opened = await Promise.allSettled(opening);
  // The upstream's own failure says more than its proxy's.
  const isFailure = (o: PromiseSettledResult<Target>): o is PromiseRejectedResult => o.status === 'rejected';
  const failed = opened.find((o, i): o is PromiseRejectedResult => isFailure(o) && targets[i]?.proxyOf === undefined) ?? opened.find(isFailure);
  if (failed !== undefined) {
    await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)));
    const i = opened.indexOf(failed);
    const e = failed.reason as Error;
    if (e instanceof Error) e.message = `target ${targets[i]?.name ?? i}: ${e.message}`;
    throw e;
  }
  return plans.map((plan, i) => {
    const target = (opened[i] as PromiseFulfilledResult<Target>).value;
    const name = targets[i]?.name ?? String(i);
    const log = new PairLog();
    const goodput = plan.output.slo !== undefined ? new GoodputCounter(parseSlo('--slo', plan.output.slo)) : undefined;
    const session = openSession(plan, target, {
      onRecord: (r) => {
        log.add(r.id, sampleOf(r));
        goodput?.add(r);
        sinks.ndjson?.write(r, name);
      },
      ...(gate ? { startGate: (id: number) => gate.wait(i, id) } : {}),
      ...(panes !== undefined ? { panes } : {}),
    });
    return { name, plan, session, log, ...(goodput ? { goodput } : {}) };
  });
}

/** One progress line for every target. */
export function targetsProgressLine(elapsedMs: number, snaps: readonly { name: string; s: EngineSnapshot }[]): string {
  const parts = snaps.map(({ name, s }) => {
    const st = s.byMode.stream.ttft;
    return `${name} c=${s.concurrency} done ${s.completed} err ${s.errorsTotal} TTFT p50 ${st.count > 0 ? fmtMs(st.p50) : '-'}`;
  });
  return `[${(elapsedMs / 1000).toFixed(0).padStart(4)}s] ${parts.join(' | ')} | ${fmtNum(snaps.reduce((n, x) => n + x.s.requestsPerSec, 0), 2)} req/s`;
}

function targetReport(name: string, r: Report): TargetReport {
  const { schema: _schema, tool: _tool, createdAt: _createdAt, targets: _targets, comparison: _comparison, ...body } = r;
  return { name, ...body };
}

export async function runTargets(plan: RunPlan, io: Io, live?: LiveView): Promise<number> {
  const list = plan.targets ?? [];
  // Closed loop: pairs start together (the gate). Open loop: every engine draws the same arrival
  // times from the seed, so the k-th arrivals already coincide; a gate would only add queueing.
  const gate = plan.engine.load.rate === undefined ? new PairGate(list.length, plan.engine.load.seed) : undefined;
  const sinks: SharedSinks = plan.output.ndjson !== undefined ? { ndjson: new NdjsonSink(plan.output.ndjson) } : {};
  let targets: OpenedTarget[];
  try {
    targets = await openAll(list, gate, sinks, io, live?.panes);
  } catch (e) {
    await sinks.ndjson?.close();
    throw e;
  }
  // --prometheus: listening before the engines start, so the first scrape sees the first request.
  let metrics: LiveMetrics | undefined;
  if (plan.output.prometheus !== undefined) {
    try {
      metrics = await startTargetsMetrics(targets, plan.output.prometheus);
    } catch (e) {
      await sinks.ndjson?.close();
      await Promise.all(targets.map((t) => t.session.close()));
      throw e;
    }
    // The live view shows the address before its first frame (see LiveView.attach).
    if (live === undefined) io.stderr.write(`streamtop: metrics at ${metrics.url}\n`);
  }
  let interruptedBy: InterruptSignal | undefined;
  const stopAll = async (reason: 'interrupted' | 'user' = 'interrupted'): Promise<void> => {
    await Promise.all(targets.map((t) => t.session.engine.stop(reason)));
  };
  // The live view owns the interruption (its keys, and the signals its main thread receives).
  const interrupts = live
    ? undefined
    : installInterruptHandlers((signal) => {
        interruptedBy = signal;
        gate?.close();
        io.stderr.write('\nstreamtop: interrupted; aborting requests in flight and writing the report (Ctrl-C again to quit at once)\n');
        void stopAll();
      });
  const detach = live?.attach(
    targets,
    (reason) => {
      gate?.close();
      return stopAll(reason);
    },
    metrics?.url,
  );
  const t0 = Date.now();
  const progress = live
    ? undefined
    : setInterval(() => {
        io.stderr.write(`${targetsProgressLine(Date.now() - t0, targets.map((t) => ({ name: t.name, s: t.session.engine.snapshot() })))}\n`);
      }, 1000);
  // The summary was written: a live view keeps the --prometheus endpoint up after this returns.
  let summarised = false;
  try {
    await Promise.all(targets.map((t) => t.session.engine.start()));
    // One target bailing out (--bail) ends the comparison: the others would run on alone.
    const outcomes: RunOutcome[] = await Promise.all(
      targets.map(async (t) => {
        const o = await t.session.engine.done;
        // The first engine to end (its -n or -d reached, or stopped) ends the comparison: no pair
        // can form without it, so requests held for it are cancelled unsent. (Engines do not start
        // at the same instant, one loading its tokenizer say, so one may end before the others.)
        gate?.close();
        if (o.stopReason === 'bail') void stopAll();
        return o;
      }),
    );
    clearInterval(progress);
    detach?.();
    const reports = targets.map((t, i) => {
      const r = t.session.report(outcomes[i] as RunOutcome);
      if (t.goodput) r.extras = { ...(r.extras ?? {}), goodputCounts: { met: t.goodput.met, total: t.goodput.total } };
      return r;
    });
    const ref = reports[0] as Report;
    const report: Report = {
      ...ref,
      targets: reports.map((r, i) => targetReport(targets[i]?.name ?? String(i), r)),
      comparison: comparePaired(
        targets.map((t) => t.name),
        targets.map((t) => t.log),
        {
          seed: plan.engine.load.seed,
          pairing: gate
            ? 'request index; each pair started together, in a seeded shuffled order'
            : 'request index; open loop: every target got the same seeded arrival times',
        },
      ),
    };
    const extras = applyTargetsExtras(report, plan.output);
    io.stdout.write(`${[formatTargetsSummary(report), ...extras.lines].join('\n')}\n`);
    summarised = true;
    let exitCode = extras.exitCode;
    const failures = await finishSinks(sinks);
    const write = (path: string | undefined, data: () => string): void => {
      if (path === undefined) return;
      try {
        writeFileAtomic(path, data());
        io.stderr.write(`streamtop: wrote ${path}\n`);
      } catch (e) {
        failures.push(e instanceof OutputWriteError ? e.message : `could not write ${path}: ${(e as Error).message}`);
      }
    };
    write(plan.output.json, () => `${JSON.stringify(report, null, 2)}\n`);
    write(plan.output.markdown, () => formatTargetsMarkdown(report));
    write(plan.output.html, () => renderTargetsHtml(report));
    for (const f of failures) io.stderr.write(`streamtop: ${f}\n`);
    if (failures.length > 0) exitCode = 1;
    if (plan.output.ndjson !== undefined && failures.length === 0) io.stderr.write(`streamtop: wrote ${plan.output.ndjson}\n`);
    if (interruptedBy !== undefined) return exitCode === 0 ? exitCodeFor(interruptedBy) : exitCode;
    if (outcomes.some((o) => o.stopReason === 'bail')) {
      io.stderr.write('streamtop: stopped early by --bail (consecutive failures)\n');
      return 1;
    }
    return exitCode;
  } finally {
    clearInterval(progress);
    detach?.();
    interrupts?.dispose();
    // After the summary: the endpoint answers with the final values until the run's output is out.
    // The live view prints the summary on its main thread, after this returns: the endpoint is
    // handed to it (closed at the worker's shutdown), unless the run failed.
    if (metrics !== undefined) {
      if (live !== undefined && summarised) live.keepMetrics(metrics);
      else await metrics.close();
    }
    await sinks.ndjson?.close();
    await Promise.all(targets.map((t) => t.session.close()));
  }
}

/** Flushes the per-request files; returns what could not be written. */
async function finishSinks(sinks: SharedSinks): Promise<string[]> {
  await sinks.ndjson?.close();
  return sinks.ndjson?.failure !== undefined ? [sinks.ndjson.failure] : [];
}
