import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../shared/usage-error.ts';
import { finishRun } from '../run/outputs.ts';
import { openRun } from '../run/prepare.ts';
import { createAutoTuner } from '../experiments/autotune.ts';
import { Notices } from './notices.ts';
import { applyEngineCommand } from './engine-commands.ts';
import type { LiveMetrics } from '../run/live-metrics.ts';
import type { Command, SimulatorReady, ToMain, ToWorker, WorkerInput } from './worker-protocol.ts';

/**
 * The engine side of the dashboard, inside a worker thread: runs the whole session (simulator,
 * engine, sinks, report files), publishes snapshots on a timer and obeys commands.
 */
if (!parentPort) throw new Error('engine-host must run in a worker thread');
const port = parentPort;
const input = workerData as WorkerInput;
const send = (m: ToMain): void => port.postMessage(m);

// One listener from the start: the simulator's address may arrive before the session exists, and
// so may a command (a stop on Ctrl-C during start-up), which waits for the engine.
let simulatorReady: (s: SimulatorReady) => void = () => undefined;
const simulator = new Promise<SimulatorReady>((resolve) => (simulatorReady = resolve));
const early: Command[] = [];
let onCommand: ((c: Command) => void) | undefined;
/** What the main thread's shutdown closes: the --prometheus endpoint, kept up after the run. */
let keptAlive: LiveMetrics | undefined;
port.on('message', (m: ToWorker) => {
  if (m.kind === 'simulator') simulatorReady(m);
  else if (m.kind === 'shutdown') void shutdown();
  else if (onCommand !== undefined) onCommand(m);
  else early.push(m);
});

/** Closes the endpoint (and its scrapers' connections) and the port, so the thread ends by itself. */
async function shutdown(): Promise<void> {
  await keptAlive?.close().catch(() => undefined);
  port.close();
}

async function main(): Promise<void> {
  const { plan } = input;
  if (plan.targets !== undefined) {
    // Several targets: every engine and the pair gate on this thread (see targets-host.ts).
    const { hostTargets } = await import('./targets-host.ts');
    const link = {
      send,
      onCommand: (fn: (c: Command) => void): void => {
        onCommand = fn;
        for (const c of early.splice(0)) fn(c);
      },
      // Set before the run's 'finished' goes out, so the shutdown that follows it closes it.
      keepAlive: (metrics: LiveMetrics): void => {
        keptAlive = metrics;
      },
    };
    await hostTargets(plan, link, { snapshotIntervalMs: input.snapshotIntervalMs, panes: input.panes });
    return;
  }
  const preset = input.simulatorFromMain ? await simulator : undefined;
  const run = await openRun(plan, {
    panes: input.panes,
    warn: (message) => send({ kind: 'warn', message }),
    ...(preset !== undefined ? { simulator: preset } : {}),
  });
  // --prometheus: listening before the engine starts, so a port in use fails the run before any
  // request (a usage error, exit 2). The module (and prom-client) is loaded only when asked for.
  let live: LiveMetrics | undefined;
  const at = plan.output.prometheus;
  if (at !== undefined) {
    try {
      live = await (await import('../run/live-metrics.ts')).startLiveMetrics(run.session, at);
    } catch (e) {
      await run.close();
      throw e;
    }
  }
  const { engine, target, simAdmin } = run.session;
  const notices = new Notices();
  const tuner = createAutoTuner(
    {
      setConcurrency: (n) => engine.setConcurrency(n),
      flash: notices.flash,
      elapsedMs: () => engine.elapsedMs(),
      addRecordListener: (fn) => engine.addRecordListener(fn),
    },
    plan.output.slo,
  );
  const admin = (body: Record<string, unknown>, what: string): void => {
    if (!simAdmin) return;
    simAdmin.post('/admin/config', body).then(
      () => notices.flash(what),
      (e: unknown) => notices.flash(`simulator admin failed: ${(e as Error).message}`),
    );
  };
  onCommand = (c: Command): void => {
    switch (c.kind) {
      case 'autoTune':
        return tuner.start();
      case 'stop':
        tuner.stop();
        void engine.stop(c.reason);
        return;
      default:
        return applyEngineCommand(engine, c, plan.sim?.ttftMs, admin);
    }
  };
  send({ kind: 'ready', target, simulated: target.simulated, ...(live !== undefined ? { metricsUrl: live.url } : {}) });
  // The first snapshot goes at once (the dashboard's first frame waits for it), then on the timer.
  send({ kind: 'snapshot', snapshot: notices.apply(engine.snapshot()) });
  const timer = setInterval(() => send({ kind: 'snapshot', snapshot: notices.apply(engine.snapshot()) }), input.snapshotIntervalMs);
  try {
    await engine.start();
    for (const c of early.splice(0)) onCommand(c);
    const outcome = await engine.done;
    tuner.stop();
    clearInterval(timer);
    send({ kind: 'snapshot', snapshot: notices.apply(engine.snapshot()) });
    const report = await run.report(outcome);
    const done = finishRun(report, plan.output, await run.finishSinks());
    // The endpoint stays up (it keeps this thread alive) so that a scrape after the run reads the
    // final counts; the main thread asks for a shutdown once it has printed the summary.
    keptAlive = live;
    send({ kind: 'finished', ...done, interrupted: report.interrupted, stopReason: outcome.stopReason });
  } catch (e) {
    await live?.close();
    throw e;
  } finally {
    clearInterval(timer);
    await run.close();
  }
}

main().then(
  // The port stays open for the main thread's shutdown message.
  () => undefined,
  (e: unknown) => {
    send({ kind: 'failed', message: (e as Error)?.message ?? String(e), usage: e instanceof UsageError });
    port.close();
  },
);
