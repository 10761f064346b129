import type { EngineSnapshot, SnapshotSource } from './types.ts';

/**
 * Publishes engine snapshots on a timer (default ~12 per second) for React's
 * useSyncExternalStore. The engine is never asked per token, and React never re-renders more
 * often than the timer: a 10,000-token/s run costs the UI the same as an idle one.
 */
export class SnapshotStore implements SnapshotSource {
  private current: EngineSnapshot;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: () => EngineSnapshot,
    private readonly intervalMs = 80,
  ) {
    this.current = read();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.publish(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  publish(): void {
    this.current = this.read();
    for (const l of this.listeners) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): EngineSnapshot => this.current;
}
