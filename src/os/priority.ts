// The dashboard's render thread yields the CPU to the measurement. Linux keeps a nice value per
// thread, so lowering this (main) thread's priority after the engine worker exists leaves the
// worker, which takes every timestamp, and the simulator process at normal priority: when the
// two cores are contended, the scheduler runs them first and the frames wait. Elsewhere the
// call would lower the whole process, so it is skipped.

import { setPriority } from 'node:os';

/** Nice value for the render thread: low enough that CFS gives it ~10 % against a busy peer. */
const RENDER_NICE = 10;

/** Returns whether the priority was lowered. */
export function deprioritizeRenderThread(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // pid 0: the calling thread (Linux setpriority semantics for PRIO_PROCESS).
    setPriority(0, RENDER_NICE);
    return true;
  } catch {
    return false; // e.g. a sandbox that forbids it: the dashboard works the same, only unshielded
  }
}
