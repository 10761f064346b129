import type { RunPlan } from '../config/run-options.ts';
import type { TargetsSnapshot } from '../engine/types.ts';
import { runTargets, type Io, type OpenedTarget } from '../experiments/targets.ts';
import type { LiveMetrics } from '../run/live-metrics.ts';
import { Notices } from './notices.ts';
import { applyEngineCommand } from './engine-commands.ts';
import type { Command, ToMain } from './worker-protocol.ts';

/**
 * The dashboard's engine worker when several targets are compared (`--target`): every target's
 * engine and the pair gate run here, on this one thread, through the same runTargets as the
 * headless run, so the verdict and the report files are the headless run's.
 *
 * Why one worker for all targets, not one per target with the gate on the main thread: the gate
 * releases a pair by resolving its members' promises in one microtask run, so they are written
 * back to back in the shuffled order, microseconds apart. Across threads every release would be
 * a postMessage hop per target (tens of microseconds when idle, milliseconds when a thread is
 * busy, each thread on its own schedule), and with the gate on the main thread every pair would
 * also wait for a frame being rendered. Headless runs have all targets on one event loop too, so
 * the two modes measure alike. Measured (bench/pair-release.ts, 1,000 pairs, 2 cores, load 8):
 * the two releases of a pair 0.3 us apart at p50 (15 us p99) in one thread; across two workers
 * 28 us p50 / 1.3 ms p99 when idle, 1.0 ms p50 / 5.4 ms p99 / 96 ms max when they are busy.
 */

/** Commands for targets, applied to one target (`target` set) or every target. */
export class TargetsControl {
  readonly notices = new Notices();
  private readonly queued: Command[] = [];

  constructor(
    private readonly targets: readonly OpenedTarget[],
    private readonly stop: (reason: 'interrupted' | 'user') => Promise<void>,
  ) {}

  /** Every target's snapshot, the reference first, with a run-level notice laid over. */
  snapshot(): TargetsSnapshot {
    this.flushQueued();
    const targets = this.targets.map((t) => t.session.engine.snapshot());
    const notice = this.notices.text();
    return notice !== undefined ? { targets, notice } : { targets };
  }

  /**
   * Applies a command. Until every engine has started, commands wait (as the single-target
   * host's do) and are applied in order with the next snapshot: a stop applied to an engine not
   * yet started would be undone by its start.
   */
  command(c: Command): void {
    if (!this.started()) {
      this.queued.push(c);
      return;
    }
    if (c.kind === 'stop') {
      void this.stop(c.reason);
      return;
    }
    for (const t of this.addressed(c.target)) this.apply(t, c);
  }

  private started(): boolean {
    return this.targets.every((t) => t.session.engine.load().state !== 'starting');
  }

  private flushQueued(): void {
    if (this.queued.length === 0 || !this.started()) return;
    for (const c of this.queued.splice(0)) this.command(c);
  }

  private addressed(target: number | undefined): readonly OpenedTarget[] {
    if (target === undefined) return this.targets;
    const t = this.targets[target];
    return t === undefined ? [] : [t];
  }

  private apply(t: OpenedTarget, c: Exclude<Command, { kind: 'stop' }>): void {
    // Tuning one target's pool against goodput means nothing while pairs pace every target.
    if (c.kind === 'autoTune') return this.notices.flash('autotune works with one target');
    applyEngineCommand(t.session.engine, c, t.plan.sim?.ttftMs, (body, what) => this.admin(t, body, `${t.name}: ${what}`));
  }

  private admin(t: OpenedTarget, body: Record<string, unknown>, what: string): void {
    const admin = t.session.simAdmin;
    if (!admin) return;
    admin.post('/admin/config', body).then(
      () => this.notices.flash(what),
      (e: unknown) => this.notices.flash(`${t.name}: simulator admin failed: ${(e as Error).message}`),
    );
  }
}

/** Text written for stdout or stderr while the dashboard holds the screen, sent when the run ends. */
class Collector {
  text = '';
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

export interface TargetsHostLink {
  send(m: ToMain): void;
  /** Routes the main thread's commands (and any that arrived before) to `fn`. */
  onCommand(fn: (c: Command) => void): void;
  /**
   * The --prometheus endpoint, after the run: kept up (it keeps the thread alive) until the main
   * thread has printed the summary and sends its shutdown, which closes it (engine-host.ts).
   */
  keepAlive(metrics: LiveMetrics): void;
}

/** Runs a multi-target plan for the dashboard: snapshots out on a timer, commands in. */
export async function hostTargets(plan: RunPlan, link: TargetsHostLink, opts: { snapshotIntervalMs: number; panes: number }): Promise<void> {
  const stdout = new Collector();
  const stderr = new Collector();
  const io: Io = { stdout, stderr };
  // Set by a stop from the dashboard; otherwise the run reached its -n or -d.
  let stopReason = 'ended';
  let detached = false;
  const exitCode = await runTargets(plan, io, {
    // The panes the dashboard has room for, shared between the targets.
    panes: Math.max(1, Math.ceil(opts.panes / Math.max(1, plan.targets?.length ?? 1))),
    keepMetrics: (metrics) => link.keepAlive(metrics),
    attach(targets, stop, metricsUrl) {
      const control = new TargetsControl(targets, (reason) => {
        stopReason = reason;
        return stop(reason);
      });
      link.onCommand((c) => control.command(c));
      const first = targets[0];
      link.send({
        kind: 'ready',
        target: first?.session.target ?? { label: '', api: 'openai', model: '', simulated: false },
        simulated: targets.every((t) => t.session.target.simulated),
        targets: targets.map((t) => ({ name: t.name, info: t.session.target })),
        ...(metricsUrl !== undefined ? { metricsUrl } : {}),
      });
      const publish = (): void => link.send({ kind: 'targetsSnapshot', snapshot: control.snapshot() });
      publish();
      const timer = setInterval(publish, opts.snapshotIntervalMs);
      return () => {
        if (detached) return;
        detached = true;
        clearInterval(timer);
        // The final numbers (every engine done) for the last frame.
        publish();
      };
    },
  });
  link.send({
    kind: 'finished',
    text: stdout.text.replace(/\n$/, ''),
    exitCode,
    written: [],
    failures: [],
    notices: [],
    interrupted: stopReason === 'interrupted',
    stopReason,
    stderr: stderr.text,
  });
}
