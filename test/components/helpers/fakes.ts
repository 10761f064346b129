// Fake engine pieces for dashboard tests: commands that record their calls, and (optionally)
// apply setting changes to a manual snapshot source the way the engine would.
import type { EngineSnapshot } from '../../../src/engine/types.ts';
import type { DashboardCommands } from '../../../src/ui/dashboard-commands.ts';
import type { ManualSource } from '../../../src/ui/snapshot-store.ts';

export type Call = [string, ...unknown[]];

export interface FakeCommandsOptions {
  /** When given, setters publish a snapshot with the new value, like the engine does. */
  source?: ManualSource;
  simulator?: boolean;
  autoTune?: boolean;
}

export function fakeCommands(opts: FakeCommandsOptions = {}): { commands: DashboardCommands; calls: Call[] } {
  const calls: Call[] = [];
  const { source } = opts;
  const publish = (patch: Partial<EngineSnapshot>): void => {
    if (source !== undefined) source.set({ ...source.getSnapshot(), ...patch });
  };
  const commands: DashboardCommands = {
    setConcurrency: (n) => {
      calls.push(['setConcurrency', n]);
      publish({ concurrency: n });
    },
    setStreamRatio: (r) => {
      calls.push(['setStreamRatio', r]);
      publish({ streamRatio: r });
    },
    setRate: (r) => {
      calls.push(['setRate', r]);
      publish({ rate: r });
    },
    pause: () => {
      calls.push(['pause']);
      publish({ state: 'paused' });
    },
    resume: () => {
      calls.push(['resume']);
      publish({ state: 'running' });
    },
    newSegment: () => calls.push(['newSegment']),
    toggleEarlyStop: () => {
      calls.push(['toggleEarlyStop']);
      if (source !== undefined) publish({ earlyStopEnabled: !source.getSnapshot().earlyStopEnabled });
    },
    stop: async () => {
      calls.push(['stop']);
    },
  };
  if (opts.simulator !== false) {
    commands.injectLatencySpike = () => calls.push(['injectLatencySpike']);
    commands.injectFaultBurst = () => calls.push(['injectFaultBurst']);
  }
  if (opts.autoTune === true) commands.autoTune = () => calls.push(['autoTune']);
  return { commands, calls };
}
