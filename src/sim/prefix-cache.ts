/**
 * The simulator's prefix cache, modelled on vLLM's automatic prefix caching: a prompt's token ids
 * in blocks of BLOCK_TOKENS, each block named by a hash of itself and every block before it, so a
 * block hits only when the whole prefix up to it is the same. Least recently used blocks go
 * first when the cache is full. Only full blocks are cached.
 */

export const BLOCK_TOKENS = 16;

export class PrefixCache {
  /** Block hash -> present; Map order is recency (oldest first). */
  private readonly blocks = new Map<number, true>();
  private readonly capacity: number;

  /** `tokens`: how many tokens the cache holds (0 = off). */
  constructor(tokens: number) {
    this.capacity = Math.floor(tokens / BLOCK_TOKENS);
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Blocks held, for tests and stats. */
  get size(): number {
    return this.blocks.size;
  }

  /**
   * Looks up the prompt's longest cached prefix within its first `cacheable` tokens, then stores
   * those blocks (as a server does once it has computed them). Returns the tokens served from the
   * cache: at most `ids.length - 1`, since the last token is always computed (it yields the first
   * output token), as in vLLM.
   */
  lookupAndStore(ids: readonly number[], cacheable = ids.length): number {
    if (this.capacity === 0) return 0;
    const fullBlocks = Math.floor(Math.min(cacheable, ids.length) / BLOCK_TOKENS);
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    let hits = 0;
    let missed = false;
    for (let b = 0; b < fullBlocks; b++) {
      for (let i = b * BLOCK_TOKENS, end = i + BLOCK_TOKENS; i < end; i++) {
        const id = ids[i] ?? 0;
        h1 = Math.imul(h1 ^ id, 0x01000193) >>> 0;
        h2 = Math.imul(h2 ^ id, 0x85ebca6b) >>> 0;
      }
      // 53 bits of two 32-bit hashes: a false hit needs both to collide.
      const key = h1 * 0x200000 + (h2 & 0x1fffff);
      if (!missed && this.blocks.has(key)) {
        hits++;
        this.blocks.delete(key);
      } else missed = true;
      this.blocks.set(key, true);
      if (this.blocks.size > this.capacity) {
        const oldest = this.blocks.keys().next();
        if (oldest.done !== true) this.blocks.delete(oldest.value);
      }
    }
    return Math.min(hits * BLOCK_TOKENS, Math.max(0, ids.length - 1));
  }
}
