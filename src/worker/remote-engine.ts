import { Worker } from 'node:worker_threads';
import type { RunPlan } from '../config/run-options.ts';
import type { EngineSnapshot, NamedTarget, SnapshotSource, TargetInfo, TargetsSnapshot, TargetsSource } from '../engine/types.ts';
import type { DashboardCommands } from '../ui/dashboard-commands.ts';
import type { Command, ToMain, ToWorker, WorkerInput } from './worker-protocol.ts';
import { UsageError } from '../shared/usage-error.ts';
import { spawnSimulator, type SpawnedSimulator } from '../sim/spawn.ts';

/**
 * Streams whose text tails the engine keeps for the dashboard: more than a large terminal shows
 * (the layout picks how many fit), few enough that the tails cost nothing measurable.
 */
export const DASHBOARD_PANES = 24;

/**
 * The dashboard's handle on an engine running in a worker thread: a SnapshotSource for React and
 * the command methods, each a message. Nothing here waits on the engine.
 */
export interface Finished {
  text: string;
  exitCode: number;
  written: string[];
  failures: string[];
  notices: string[];
  interrupted: boolean;
  stopReason: string;
  /** What the run wrote for stderr while the dashboard held the screen (several targets). */
  stderr?: string;
}

const YOUNG_GENERATION_MB = 96;

/** How long a worker gets to end by itself after the shutdown message before it is terminated. */
const SHUTDOWN_GRACE_MS = 2000;

export class RemoteEngine implements SnapshotSource {
  private current: EngineSnapshot | undefined;
  private currentTargets: TargetsSnapshot | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private hasExited = false;
  readonly ready: Promise<TargetInfo>;
  readonly finished: Promise<Finished>;
  readonly warnings: string[] = [];
  /** Where --prometheus serves /metrics, once the worker listens (set before `ready` resolves). */
  metricsUrl: string | undefined;
  /** Commands for the whole run (with several targets: for every target). */
  readonly commands: DashboardCommands;
  /** With several targets (`--target`): each one, the reference first, once the worker opened them. */
  targets: NamedTarget[] | undefined;
  /** With several targets: every target's snapshot (the same listeners as this source). */
  readonly targetsSource: TargetsSource;
  private readonly send: (c: ToWorker) => void;
  private readonly plan: RunPlan;

  /** The built-in simulator, when this thread started it (it outlives the worker's session). */
  private readonly simulator: Promise<SpawnedSimulator> | undefined;

  /** `panes`: in-flight streams whose text the dashboard shows (the engine keeps their tails). */
  constructor(plan: RunPlan, snapshotIntervalMs = 100, panes = DASHBOARD_PANES) {
    // The simulator process starts now, from this thread, while the worker boots: started by the
    // worker it waited for the worker's ~0.3 s of loading, on the way to the first frame.
    // With several targets the worker starts each target's simulator (plan.sim is the reference's).
    this.plan = plan;
    this.simulator = plan.sim !== undefined && plan.targets === undefined ? spawnSimulator(plan.sim) : undefined;
    const data: WorkerInput = { plan, snapshotIntervalMs, panes, simulatorFromMain: this.simulator !== undefined };
    this.worker = new Worker(new URL('./engine-worker.js', import.meta.url), {
      workerData: data,
      // A larger young generation (32 MiB semi-spaces, 96 MiB in all) halves the scavenges on the
      // per-token hot path; 64 MiB semi-spaces were faster still but pushed 10,000 streams over
      // 450 MiB RSS. Measured in bench/engine-throughput.ts and engine-memory.ts (BENCHMARKS.md).
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    let resolveReady!: (t: TargetInfo) => void;
    let rejectReady!: (e: Error) => void;
    let resolveFinished!: (f: Finished) => void;
    let rejectFinished!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.finished = new Promise((res, rej) => {
      resolveFinished = res;
      rejectFinished = rej;
    });
    // Both may reject before anyone awaits them; that is reported through the other.
    this.ready.catch(() => undefined);
    this.finished.catch(() => undefined);
    this.worker.on('message', (m: ToMain) => {
      switch (m.kind) {
        case 'ready':
          this.metricsUrl = m.metricsUrl;
          this.targets = m.targets;
          resolveReady(m.target);
          return;
        case 'snapshot':
          this.current = m.snapshot;
          for (const l of this.listeners) l();
          return;
        case 'targetsSnapshot':
          this.currentTargets = m.snapshot;
          for (const l of this.listeners) l();
          return;
        case 'warn':
          this.warnings.push(m.message);
          return;
        case 'finished':
          resolveFinished(m);
          return;
        case 'failed': {
          const err = Object.assign(new Error(m.message), { usage: m.usage });
          rejectReady(err);
          rejectFinished(err);
          return;
        }
      }
    });
    this.worker.on('error', (e) => {
      rejectReady(e);
      rejectFinished(e);
    });
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.hasExited = true;
        resolve();
      }),
    );
    this.worker.on('exit', (code) => {
      const e = new Error(`engine worker exited (code ${code})`);
      rejectReady(e);
      rejectFinished(e);
    });
    const send = (c: ToWorker): void => this.worker.postMessage(c);
    this.send = send;
    this.simulator?.then(
      (sim) => send({ kind: 'simulator', url: sim.url, ...(sim.ca !== undefined ? { ca: sim.ca } : {}) }),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        rejectReady(err);
        rejectFinished(err);
      },
    );
    this.commands = this.commandsFor(undefined);
    this.targetsSource = {
      subscribe: this.subscribe,
      getSnapshot: () => {
        if (!this.currentTargets) throw new Error('no snapshot yet: wait for the first one before rendering');
        return this.currentTargets;
      },
    };
  }

  /**
   * Commands for one target (its index, the reference 0) or, with `undefined`, for the whole
   * run. Stop always ends the whole run. Autotune is for single-target runs: with several
   * targets the pairs pace every pool, so tuning one pool alone measures nothing.
   */
  commandsFor(target: number | undefined): DashboardCommands {
    const to = (c: Command): void => this.send(target === undefined ? c : { ...c, target });
    const several = this.plan.targets !== undefined;
    const simulated = target === undefined ? this.plan.sim !== undefined && !several : this.plan.targets?.[target]?.plan.sim !== undefined;
    return {
      setConcurrency: (n) => to({ kind: 'setConcurrency', n }),
      setStreamRatio: (r) => to({ kind: 'setStreamRatio', r }),
      setRate: (r) => to({ kind: 'setRate', r }),
      pause: () => to({ kind: 'pause' }),
      resume: () => to({ kind: 'resume' }),
      newSegment: () => to({ kind: 'newSegment' }),
      toggleEarlyStop: () => to({ kind: 'toggleEarlyStop' }),
      stop: async (reason = 'interrupted') => {
        this.send({ kind: 'stop', reason });
        await this.finished.catch(() => undefined);
      },
      ...(several ? {} : { autoTune: () => to({ kind: 'autoTune' }) }),
      ...(simulated
        ? {
            injectLatencySpike: () => to({ kind: 'injectLatencySpike' }),
            injectFaultBurst: () => to({ kind: 'injectFaultBurst' }),
          }
        : {}),
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): EngineSnapshot => {
    if (!this.current) throw new Error('no snapshot yet: wait for the first one before rendering');
    return this.current;
  };

  /**
   * The target, once the worker has opened its session. A usage error inside the worker (an
   * unreachable --url, say) comes back as a UsageError, so the CLI prints it and exits 2.
   */
  async started(): Promise<TargetInfo> {
    try {
      return await this.ready;
    } catch (e) {
      await this.terminate();
      const err = e as Error & { usage?: boolean };
      if (err.usage) throw new UsageError(err.message);
      throw err;
    }
  }

  /** Waits until the first snapshot arrived (the App renders from it). */
  firstSnapshot(): Promise<void> {
    if (this.current || this.currentTargets) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.subscribe(() => {
        off();
        resolve();
      });
    });
  }

  /**
   * Stops the worker, then the simulator this thread started (after the worker's last use of it).
   * The worker is asked to close its endpoint and end by itself; it is terminated only if it has
   * not within SHUTDOWN_GRACE_MS (a terminate while its HTTP parser runs aborts the process).
   * Resolves with how the worker ended: by itself ('exited'), or 'terminated' after the grace.
   */
  async terminate(): Promise<'exited' | 'terminated'> {
    let how: 'exited' | 'terminated' = 'exited';
    if (!this.hasExited) {
      this.worker.postMessage({ kind: 'shutdown' } satisfies ToWorker);
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)));
      await Promise.race([this.exited, graceOver]);
      clearTimeout(timer);
      if (!this.hasExited) {
        how = 'terminated';
        await this.worker.terminate().catch(() => undefined);
      }
    }
    const sim = await this.simulator?.catch(() => undefined);
    await sim?.close();
    return how;
  }
}

/** Prints what a finished run produced: warnings, the summary (stdout), write failures, files written. */
export function printFinished(done: Finished, warnings: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): void {
  for (const w of warnings) io.stderr.write(`streamtop: warning: ${w}\n`);
  io.stdout.write(`${done.text}\n`);
  if (done.stderr !== undefined && done.stderr !== '') io.stderr.write(done.stderr);
  for (const n of done.notices) io.stderr.write(`streamtop: warning: ${n}\n`);
  for (const f of done.failures) io.stderr.write(`streamtop: ${f}\n`);
  if (done.written.length > 0) io.stderr.write(`streamtop: wrote ${done.written.join(', ')}\n`);
}

/** The --prometheus address, on stderr (a port 0 is shown as the port picked). */
export function printMetricsUrl(remote: Pick<RemoteEngine, 'metricsUrl'>, io: { stderr: NodeJS.WriteStream }): void {
  if (remote.metricsUrl !== undefined) io.stderr.write(`streamtop: metrics at ${remote.metricsUrl}\n`);
}
