/**
 * The simulator's prefix cache, modelled on vLLM's automatic prefix caching: a prompt's token ids
 * in blocks of BLOCK_TOKENS, each block named by a hash of itself and every block before it, so a
 * block hits only when the whole prefix up to it is the same. Least recently used blocks go
 * first when the cache is full. Only full blocks are cached.
 */

export const BLOCK_TOKENS = 16;
/**
 * Share of the capacity freed at once when the cache overflows. Evicting one block per insert
 * would walk, on every insert, the deleted slots V8 leaves at the front of a Map until it next
 * rehashes (1.4 ms a 1,000-token prompt once full); one walk per batch costs nothing per block.
 */
const EVICT_SHARE = 1 / 16;

export class PrefixCache {
  /**
   * Block hash -> a second hash of it; Map order is recency (oldest first). Both are 30-bit, so
   * V8 keeps them as small integers (no heap numbers): 60 bits must match for a hit.
   */
  private readonly blocks = new Map<number, number>();
  private readonly capacity: number;

  /** `tokens`: how many tokens the cache holds (0 = off). */
  constructor(tokens: number) {
    this.capacity = Math.floor(tokens / BLOCK_TOKENS);
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Drops the least recently used blocks, down to (1 - EVICT_SHARE) of the capacity. */
  private evict(): void {
    const keep = Math.floor(this.capacity * (1 - EVICT_SHARE));
    let excess = this.blocks.size - keep;
    for (const key of this.blocks.keys()) {
      if (excess-- <= 0) break;
      this.blocks.delete(key);
    }
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
  lookupAndStore(ids: ArrayLike<number>, cacheable = ids.length): number {
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
      const key = h1 & 0x3fffffff;
      const check = h2 & 0x3fffffff;
      if (!missed && this.blocks.get(key) === check) {
        hits++;
        this.blocks.delete(key);
      } else missed = true;
      this.blocks.set(key, check);
    }
    if (this.blocks.size > this.capacity) this.evict();
    return Math.min(hits * BLOCK_TOKENS, Math.max(0, ids.length - 1));
  }
}
