import type { RunPlan } from '../config/run-options.ts';
import type { EngineSnapshot, NamedTarget, TargetInfo, TargetsSnapshot } from '../engine/types.ts';
import type { RunningSimulator } from '../run/target.ts';

/**
 * Messages between the dashboard (main thread: Ink and React) and the engine (a worker thread).
 * The engine runs in its own thread so that rendering never delays the moment a token is
 * stamped: with both on one event loop, a 30 ms frame shows up as 30 ms of inter-token latency.
 */
export type Command = Addressed<
  | { kind: 'setConcurrency'; n: number }
  | { kind: 'setStreamRatio'; r: number }
  | { kind: 'setRate'; r: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'newSegment' }
  | { kind: 'toggleEarlyStop' }
  | { kind: 'injectLatencySpike' }
  | { kind: 'injectFaultBurst' }
  | { kind: 'autoTune' }
  | { kind: 'stop'; reason: 'interrupted' | 'user' }
>;

/**
 * With several targets (`--target`), `target` (an index, the reference 0) names the one target
 * a command is for; without it the command is for every target. A single-target run ignores it.
 */
type Addressed<C> = C extends unknown ? C & { target?: number } : never;

/**
 * The built-in simulator, started by the main thread while the worker boots (the two overlap;
 * see RemoteEngine). The worker waits for this before opening its session.
 */
export interface SimulatorReady extends RunningSimulator {
  kind: 'simulator';
}

/**
 * Sent by the main thread once it has printed the summary: the worker closes what keeps it alive
 * (the --prometheus endpoint) and exits by itself. Terminating it instead, while the endpoint
 * parses a scrape, aborts the whole process inside Node's HTTP parser (seen in CI on Node 20).
 */
export interface Shutdown {
  kind: 'shutdown';
}

export type ToWorker = Command | SimulatorReady | Shutdown;

export type ToMain =
  /** `metricsUrl`: where --prometheus serves, with the port actually bound. */
  /** `targets`: with several targets, each one (the reference first); `target` is then the reference. */
  | { kind: 'ready'; target: TargetInfo; simulated: boolean; metricsUrl?: string; targets?: NamedTarget[] }
  | { kind: 'snapshot'; snapshot: EngineSnapshot }
  | { kind: 'targetsSnapshot'; snapshot: TargetsSnapshot }
  | { kind: 'warn'; message: string }
  /** `stderr`: lines the run wrote for stderr while the dashboard held the screen, printed after it as they are. */
  | { kind: 'finished'; text: string; exitCode: number; written: string[]; failures: string[]; notices: string[]; interrupted: boolean; stopReason: string; stderr?: string }
  | { kind: 'failed'; message: string; usage: boolean };

export interface WorkerInput {
  plan: RunPlan;
  snapshotIntervalMs: number;
  /** Streams whose text the dashboard can show: the engine keeps a tail for this many. */
  panes: number;
  /** The main thread starts the simulator and sends a SimulatorReady when it listens. */
  simulatorFromMain: boolean;
}
