/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms with a
 * TimeoutOverflowWarning. A run limit may be longer than that (--duration up to 30 days), so the
 * wait is cut into legal pieces, each armed when the one before it fires.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

/** Calls `fn` once after `ms`; the timer never keeps the process alive. */
export function setLongTimeout(fn: () => void, ms: number, maxPieceMs = MAX_TIMER_MS): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  const arm = (left: number): void => {
    const piece = Math.min(Math.max(0, left), maxPieceMs);
    timer = setTimeout(() => (left - piece > 0 ? arm(left - piece) : fn()), piece);
    timer.unref();
  };
  arm(ms);
  return {
    clear() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
