/** The signals that interrupt a run, and the exit code each gives (128 + its number, as shells report). */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

const EXIT_CODE: Readonly<Record<InterruptSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** 130 for Ctrl-C / SIGINT, 143 for SIGTERM. */
export function exitCodeFor(signal: InterruptSignal): number {
  return EXIT_CODE[signal];
}

/**
 * First Ctrl-C / SIGTERM: a graceful stop (abort in flight, write the summary and reports,
 * marked interrupted). A second one exits at once: a user who presses twice means it.
 */
export function installInterruptHandlers(
  onFirst: (signal: InterruptSignal) => void,
  onSecond: (signal: InterruptSignal) => void = (signal) => process.exit(exitCodeFor(signal)),
): {
  dispose(): void;
} {
  let count = 0;
  const handler = (signal: InterruptSignal): void => {
    count++;
    if (count === 1) onFirst(signal);
    else onSecond(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
