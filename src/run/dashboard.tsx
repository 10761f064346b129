import React from 'react';
import { render } from 'ink';
import { App } from '../app.tsx';
import type { RunPlan } from '../config/run-options.ts';
import { SnapshotStore } from '../engine/store.ts';
import type { DashboardCommands } from '../engine/types.ts';
import { finishRun } from './outputs.ts';
import { openRun } from './prepare.ts';
import { simAdmin } from './session.ts';
import { installInterruptHandlers } from './signals.ts';
import { createAutoTuner } from './autotune.ts';

/**
 * The live dashboard. Ink renders snapshots the store publishes ~12 times a second; keys call
 * engine commands. On quit: stop the engine (aborting requests in flight), unmount Ink so the
 * terminal leaves raw mode, and only then print the summary to stdout.
 */
export async function runDashboard(plan: RunPlan, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const warnings: string[] = [];
  const run = await openRun(plan, { warn: (m) => warnings.push(m) });
  const { engine, target, simOrigin } = run.session;
  for (const w of warnings) io.stderr.write(`streamtop: warning: ${w}\n`);

  const store = new SnapshotStore(() => engine.snapshot(), 80);
  const admin = (body: Record<string, unknown>, what: string): void => {
    if (!simOrigin) return;
    simAdmin(simOrigin, body).then(
      () => engine.flash(what),
      (e: unknown) => engine.flash(`simulator admin failed: ${(e as Error).message}`),
    );
  };
  const tuner = createAutoTuner(engine, plan.output.slo);
  let quitting: Promise<void> | undefined;
  const quit = (): Promise<void> => {
    quitting ??= engine.stop();
    return quitting;
  };
  const commands: DashboardCommands = {
    setConcurrency: (n) => engine.setConcurrency(n),
    setStreamRatio: (r) => engine.setStreamRatio(r),
    setRate: (r) => engine.setRate(r),
    pause: () => engine.pause(),
    resume: () => engine.resume(),
    newSegment: () => engine.newSegment('manual'),
    toggleEarlyStop: () => engine.toggleEarlyStop(),
    stop: quit,
    autoTune: () => tuner.start(),
    ...(simOrigin
      ? {
          injectLatencySpike: () =>
            admin({ ttft: Math.max(1000, (plan.sim?.ttftMs ?? 200) * 5), revertAfterMs: 5000 }, 'latency spike: TTFT x5 for 5 s'),
          injectFaultBurst: () =>
            admin(
              { faults: { http500: 0.2, http429: 0.1, disconnect: 0.1 }, revertAfterMs: 5000 },
              'fault burst: 20% 500, 10% 429, 10% disconnect for 5 s',
            ),
        }
      : {}),
  };

  const interrupts = installInterruptHandlers(() => void quit());
  const ink = render(<App source={store} commands={commands} target={target} onQuit={() => void quit()} />, {
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 15,
    stdout: io.stdout,
  });
  try {
    await engine.start();
    store.start();
    const outcome = await engine.done;
    tuner.stop();
    store.publish();
    store.stop();
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
    const report = run.report(outcome);
    const done = finishRun(report, plan.output);
    io.stdout.write(`${done.text}\n`);
    for (const f of done.failures) io.stderr.write(`streamtop: ${f}\n`);
    if (done.written.length > 0) io.stderr.write(`streamtop: wrote ${done.written.join(', ')}\n`);
    return done.exitCode;
  } finally {
    store.stop();
    tuner.stop();
    interrupts.dispose();
    try {
      ink.unmount();
    } catch {
      // Already unmounted.
    }
    await run.close();
  }
}
