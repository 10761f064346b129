import { render } from 'ink';
import { App, type QuitHow } from '../app.tsx';
import { TargetsApp } from '../targets-app.tsx';
import { printFinished, printMetricsUrl, RemoteEngine } from '../worker/remote-engine.ts';
import { deprioritizeRenderThread } from '../os/priority.ts';
import { exitCodeFor, installInterruptHandlers } from '../os/signals.ts';

/**
 * The live dashboard, for an engine already starting (see cli.tsx). The engine runs in a worker
 * thread (see worker-protocol.ts for why); this thread only renders the snapshots it publishes
 * ten times a second and turns keys into commands. On quit: stop the engine (aborting requests in flight), unmount Ink so the terminal
 * leaves raw mode, and only then print the summary to stdout.
 */
export async function runDashboard(remote: RemoteEngine, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const target = await remote.started();
  // Before the first frame: the dashboard draws over the screen, and the address stays above it.
  printMetricsUrl(remote, io);
  await remote.firstSnapshot();
  // After the worker (and its threads) exist: they keep normal priority, rendering gets less.
  deprioritizeRenderThread();
  // q ends the run normally (exit 0); Ctrl-C (a key in raw mode) and the signals interrupt it:
  // 130 for Ctrl-C / SIGINT, 143 for SIGTERM, and the report is marked interrupted.
  let quitting = false;
  let interruptCode: number | undefined;
  const quit = (how: QuitHow): void => {
    if (quitting) return;
    quitting = true;
    if (how === 'interrupt') interruptCode ??= exitCodeFor('SIGINT');
    void remote.commands.stop(how === 'user' ? 'user' : 'interrupted');
  };
  // A second Ctrl-C (key or signal) while the first is finishing exits at once; Ink's unmount
  // leaves raw mode first, so the shell is usable.
  const forceQuit = (): void => {
    try {
      ink.unmount();
    } catch {
      // Already unmounted.
    }
    process.exit(interruptCode ?? exitCodeFor('SIGINT'));
  };
  const interrupts = installInterruptHandlers((signal) => {
    interruptCode = exitCodeFor(signal);
    quit('interrupt');
  }, forceQuit);
  // Several targets (--target): one worker runs them all; the view compares them side by side.
  const commandsFor = (i: number | undefined): ReturnType<RemoteEngine['commandsFor']> => remote.commandsFor(i);
  const view =
    remote.targets !== undefined ? (
      <TargetsApp source={remote.targetsSource} targets={remote.targets} commandsFor={commandsFor} onQuit={quit} onForceQuit={forceQuit} />
    ) : (
      <App source={remote} commands={remote.commands} target={target} onQuit={quit} onForceQuit={forceQuit} />
    );
  const ink = render(view, {
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
    return interruptCode !== undefined && done.exitCode === 0 ? interruptCode : done.exitCode;
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
