// The store adapter: how React reads the engine. The engine publishes snapshots on its own timer
// (10-15 a second); React reads them through useSyncExternalStore, so there is exactly one React
// update per published snapshot and none per token.
import { useSyncExternalStore } from 'react';
import type { EngineSnapshot, SnapshotSource } from '../engine/types.ts';

export function useEngineSnapshot(source: SnapshotSource): EngineSnapshot {
  // getSnapshot must return the same object until the store publishes a new one, or React
  // re-renders in a loop; the engine's store guarantees that by publishing immutable snapshots.
  return useSyncExternalStore(source.subscribe, source.getSnapshot);
}

export interface ManualSource extends SnapshotSource {
  /** Publishes a new snapshot and notifies subscribers. */
  set(next: EngineSnapshot): void;
  listenerCount(): number;
}

/**
 * A SnapshotSource you drive by hand: for tests, demos and replaying a recorded run.
 * Methods are bound (arrow functions) because React calls subscribe/getSnapshot unbound.
 */
export function createManualSource(initial: EngineSnapshot): ManualSource {
  let current = initial;
  const listeners = new Set<() => void>();
  return {
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    getSnapshot: () => current,
    set: (next) => {
      current = next;
      for (const l of [...listeners]) l();
    },
    listenerCount: () => listeners.size,
  };
}
