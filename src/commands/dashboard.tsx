import { render } from 'ink';
import { App } from '../app.tsx';
import { printFinished, RemoteEngine } from '../worker/remote-engine.ts';
import { deprioritizeRenderThread } from '../os/priority.ts';
import { installInterruptHandlers } from '../os/signals.ts';

/**
 * The live dashboard, for an engine already starting (see cli.tsx). The engine runs in a worker
 * thread (see worker-protocol.ts for why); this thread only renders the snapshots it publishes
 * ten times a second and turns keys into commands. On quit: stop the engine (aborting requests in flight), unmount Ink so the terminal
 * leaves raw mode, and only then print the summary to stdout.
 */
export async function runDashboard(remote: RemoteEngine, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const target = await remote.started();
  await remote.firstSnapshot();
  // After the worker (and its threads) exist: they keep normal priority, rendering gets less.
  deprioritizeRenderThread();
  let quitting = false;
  const quit = (): void => {
    if (quitting) return;
    quitting = true;
    void remote.commands.stop();
  };
  // A second Ctrl-C (key or signal) while the first is finishing exits at once; Ink's unmount
  // leaves raw mode first, so the shell is usable.
  const forceQuit = (): void => {
    try {
      ink.unmount();
    } catch {
      // Already unmounted.
    }
    process.exit(130);
  };
  let bySignal = false;
  const interrupts = installInterruptHandlers(() => {
    bySignal = true;
    quit();
  }, forceQuit);
  const ink = render(<App source={remote} commands={remote.commands} target={target} onQuit={quit} onForceQuit={forceQuit} />, {
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 10,
    stdout: io.stdout,
  });
  try {
    const done = await remote.finished;
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
    printFinished(done, remote.warnings, io);
    // Quitting with q is the normal way to end the dashboard (exit 0); a signal is an interruption.
    return bySignal && done.exitCode === 0 ? 130 : done.exitCode;
  } finally {
    interrupts.dispose();
    try {
      ink.unmount();
    } catch {
      // Already unmounted.
    }
    await remote.terminate();
  }
}
