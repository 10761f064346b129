/**
 * First Ctrl-C / SIGTERM: a graceful stop (abort in flight, write the summary and reports,
 * marked interrupted). A second one exits at once: a user who presses twice means it.
 */
export function installInterruptHandlers(onFirst: () => void, onSecond: () => void = () => process.exit(130)): {
  dispose(): void;
} {
  let count = 0;
  const handler = (): void => {
    count++;
    if (count === 1) onFirst();
    else onSecond();
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
