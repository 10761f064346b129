import type { RunPlan } from '../config/run-options.ts';
import type { EngineSnapshot } from '../engine/types.ts';
import { fmtMs, fmtNum } from '../report/text.ts';
import { printFinished, printMetricsUrl, RemoteEngine } from '../worker/remote-engine.ts';
import { exitCodeFor, installInterruptHandlers, type InterruptSignal } from '../os/signals.ts';

/**
 * `streamtop --headless` (also when stdout is not a terminal): a progress line at most once a
 * second on stderr, the summary on stdout, report files, and an exit code for CI.
 *
 * The engine runs in a worker thread here too, as in the dashboard: the same code path, and
 * the worker gets a larger young generation than the main thread's default (fewer GC pauses
 * on the per-token hot path).
 */
export function progressLine(s: EngineSnapshot): string {
  const st = s.byMode.stream.ttft;
  const e2e = s.byMode.stream.e2e.count > 0 ? s.byMode.stream.e2e : s.byMode.nonstream.e2e;
  // Nothing measured yet reads "-", not a latency of 0.
  const ms = (v: number, n: number): string => (n > 0 ? fmtMs(v) : '-');
  return (
    `[${(s.elapsedMs / 1000).toFixed(0).padStart(4)}s] ${s.replay !== undefined ? `replay ${s.replay.released}/${s.replay.total} queued ${s.queued}` : s.loadMode === 'open' ? `rate ${fmtNum(s.rate ?? 0)}/s queued ${s.queued}` : `c=${s.concurrency}`}` +
    ` in-flight ${s.inFlight} done ${s.completed} err ${s.errorsTotal}` +
    ` | ${fmtNum(s.requestsPerSec, 2)} req/s ${fmtNum(s.outputTokensPerSec)} tok/s` +
    ` | TTFT p50 ${ms(st.p50, st.count)} p99 ${ms(st.p99, st.count)} ms | E2E p50 ${ms(e2e.p50, e2e.count)} ms`
  );
}

export async function runHeadless(plan: RunPlan, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  if (plan.targets !== undefined) {
    // Several endpoints: one engine each, in this process (experiments/targets.ts).
    const { runTargets } = await import('../experiments/targets.ts');
    return runTargets(plan, io);
  }
  const remote = new RemoteEngine(plan, 1000);
  let interruptedBy: InterruptSignal | undefined;
  const interrupts = installInterruptHandlers((signal) => {
    interruptedBy = signal;
    io.stderr.write('\nstreamtop: interrupted; aborting requests in flight and writing the report (Ctrl-C again to quit at once)\n');
    void remote.commands.stop();
  });
  const off = remote.subscribe(() => {
    const s = remote.getSnapshot();
    if (s.state === 'running' || s.state === 'paused' || s.state === 'stopping') io.stderr.write(`${progressLine(s)}\n`);
  });
  try {
    await remote.started();
    printMetricsUrl(remote, io);
    // Warnings from opening the session (a missing key, --insecure) come before the progress.
    for (const w of remote.warnings.splice(0)) io.stderr.write(`streamtop: warning: ${w}\n`);
    const done = await remote.finished;
    printFinished(done, remote.warnings, io);
    if (interruptedBy !== undefined) return done.exitCode === 0 ? exitCodeFor(interruptedBy) : done.exitCode;
    // --bail: the run was cut short by failures; CI must not read that as a pass.
    if (done.stopReason === 'bail') {
      io.stderr.write('streamtop: stopped early by --bail (consecutive failures)\n');
      return 1;
    }
    return done.exitCode;
  } finally {
    off();
    interrupts.dispose();
    await remote.terminate();
  }
}
