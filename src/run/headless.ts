import type { RunPlan } from '../config/run-options.ts';
import { fmtMs, fmtNum } from '../report/text.ts';
import { finishRun } from './outputs.ts';
import { openRun } from './prepare.ts';
import { installInterruptHandlers } from './signals.ts';

/**
 * `streamtop --headless` (also when stdout is not a terminal): a progress line at most once a
 * second on stderr, the summary on stdout, report files, and an exit code for CI.
 */
export async function runHeadless(plan: RunPlan, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const run = await openRun(plan, { warn: (m) => io.stderr.write(`streamtop: warning: ${m}\n`) });
  const { engine } = run.session;
  const interrupts = installInterruptHandlers(() => {
    io.stderr.write('\nstreamtop: interrupted; finishing requests in flight and writing the report (Ctrl-C again to quit at once)\n');
    void engine.stop();
  });
  const progress = setInterval(() => {
    const s = engine.snapshot();
    const st = s.byMode.stream.ttft;
    const e2e = s.byMode.stream.e2e.count > 0 ? s.byMode.stream.e2e : s.byMode.nonstream.e2e;
    io.stderr.write(
      `[${(s.elapsedMs / 1000).toFixed(0).padStart(4)}s] ${s.loadMode === 'open' ? `rate ${fmtNum(s.rate ?? 0)}/s queued ${s.queued}` : `c=${s.concurrency}`}` +
        ` in-flight ${s.inFlight} done ${s.completed} err ${s.errorsTotal}` +
        ` | ${fmtNum(s.requestsPerSec, 2)} req/s ${fmtNum(s.outputTokensPerSec)} tok/s` +
        ` | TTFT p50 ${fmtMs(st.p50)} p99 ${fmtMs(st.p99)} ms | E2E p50 ${fmtMs(e2e.p50)} ms\n`,
    );
  }, 1000);
  progress.unref();
  try {
    await engine.start();
    const outcome = await engine.done;
    clearInterval(progress);
    const report = await run.report(outcome);
    const done = finishRun(report, plan.output);
    await run.close();
    io.stdout.write(`${done.text}\n`);
    for (const f of done.failures) io.stderr.write(`streamtop: ${f}\n`);
    if (done.written.length > 0) io.stderr.write(`streamtop: wrote ${done.written.join(', ')}\n`);
    if (outcome.stopReason === 'interrupted') return done.exitCode === 0 ? 130 : done.exitCode;
    return done.exitCode;
  } finally {
    clearInterval(progress);
    interrupts.dispose();
    await run.close();
  }
}
