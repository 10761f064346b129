// The app's one spinner. Its frame is derived from the snapshot's elapsed time instead of a timer
// of its own: no extra renders between snapshots, nothing to clear on unmount, and tests get the
// same frame for the same snapshot.
import type { RunState } from '../engine/types.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
const FRAME_MS = 80;

export function spinnerFrame(elapsedMs: number, state: RunState): string {
  if (state === 'paused') return '‖';
  if (state === 'done') return '■';
  const i = Math.floor(Math.max(0, elapsedMs) / FRAME_MS) % FRAMES.length;
  return FRAMES[i] ?? FRAMES[0];
}
