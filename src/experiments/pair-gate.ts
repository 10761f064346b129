import { Prng } from '../engine/prng.ts';

/**
 * Starts the k-th request of every target together (closed-loop runs with several targets). Each
 * engine holds request k at the gate once it has a slot for it; when every target still running
 * has arrived, the pair is released, in an order shuffled per pair (seeded) so that no target
 * always writes first. When one engine ends, the gate closes: no pair can form without it.
 *
 * No deadlock: the smallest id waiting anywhere is reached by every other target, whose requests
 * in flight all have smaller ids, are not held, and so finish and free the slots for it (while
 * every engine runs; the first to end closes the gate).
 */
export class PairGate {
  /** id -> target index -> release (true: write it). */
  private readonly waiting = new Map<number, Map<number, (go: boolean) => void>>();
  private closed = false;
  private readonly targets: number;
  private readonly prng: Prng;
  /** Targets in the order each released pair went out (for tests and the report). */
  readonly firstCounts: number[];

  constructor(targets: number, seed: number) {
    this.targets = targets;
    this.prng = new Prng(seed).fork(7);
    this.firstCounts = Array.from({ length: targets }, () => 0);
  }

  /** Resolves true when request `id` of `target` may be written, false once the gate is closed. */
  wait(target: number, id: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      let pair = this.waiting.get(id);
      if (pair === undefined) this.waiting.set(id, (pair = new Map()));
      pair.set(target, resolve);
      this.tryRelease(id);
    });
  }

  /**
   * The comparison is over (an engine ended): requests held now and later are not sent, so no
   * engine waits out its grace period for a pair that will never form.
   */
  close(): void {
    this.closed = true;
    const held = [...this.waiting.values()];
    this.waiting.clear();
    for (const pair of held) for (const release of pair.values()) release(false);
  }

  /** Requests held now (for tests). */
  get held(): number {
    let n = 0;
    for (const pair of this.waiting.values()) n += pair.size;
    return n;
  }

  private tryRelease(id: number): void {
    const pair = this.waiting.get(id);
    if (pair === undefined) return;
    if (pair.size < this.targets) return;
    this.waiting.delete(id);
    const order = [...pair.entries()];
    // Fisher-Yates with the seeded generator: the pair's writing order.
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.prng.int(i + 1);
      [order[i], order[j]] = [order[j] as [number, (go: boolean) => void], order[i] as [number, (go: boolean) => void]];
    }
    const first = order[0];
    if (first !== undefined) this.firstCounts[first[0]] = (this.firstCounts[first[0]] ?? 0) + 1;
    // Promise continuations run in resolution order: the first released writes its request first.
    // Released from a microtask, so the target that arrived last (and completed the pair inside
    // its own wait()) has attached its continuation like the others and does not always go last.
    queueMicrotask(() => {
      for (const [, release] of order) release(true);
    });
  }
}
