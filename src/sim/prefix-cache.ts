/**
 * The simulator's prefix cache, modelled on vLLM's automatic prefix caching: a prompt's token ids
 * in blocks of BLOCK_TOKENS, each block named by a hash of itself and every block before it, so a
 * block hits only when the whole prefix up to it is the same. Least recently used blocks go
 * first when the cache is full. Only full blocks are cached.
 */

export const BLOCK_TOKENS = 16;
/**
 * Share of the capacity freed at once when the cache overflows: after a prompt is stored, a cache
 * above its capacity drops its least recently used blocks down to (1 - EVICT_SHARE) of it.
 */
const EVICT_SHARE = 1 / 16;
const NONE = -1;
const FIRST_NODES = 1024;

export class PrefixCache {
  /**
   * Each block is a node: a 30-bit key (the block hash) and a 30-bit check (a second hash; 60 bits
   * must match for a hit), linked oldest to newest (prev/next). Nodes live in typed arrays and
   * are found through an open-addressing table of node + 1 (0 = empty), so a block costs a probe
   * or two in flat memory: a 1,000-token prompt stores 62 blocks, and a JavaScript Map of some
   * 60,000 blocks spent ~0.5 µs on each (hashing, chained buckets, the deleted entries eviction
   * leaves behind).
   */
  private keys = new Int32Array(FIRST_NODES);
  private checks = new Int32Array(FIRST_NODES);
  private prev = new Int32Array(FIRST_NODES);
  private next = new Int32Array(FIRST_NODES);
  private table = new Int32Array(FIRST_NODES * 2);
  private tableBits = Math.log2(FIRST_NODES * 2);
  /** Nodes ever handed out; freed ones are chained through `next` from `free`. */
  private used = 0;
  private free = NONE;
  private head = NONE;
  private tail = NONE;
  private count = 0;
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
    return this.count;
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
      const node = this.find(key);
      if (node === NONE) {
        missed = true;
        this.append(this.alloc(key, check));
      } else if (!missed && this.checks[node] === check) {
        // A hit: the block becomes the most recently used.
        hits++;
        this.unlink(node);
        this.append(node);
      } else {
        // After the first miss a block is stored, not looked up: a known key takes the new check
        // and keeps its place in the recency order.
        missed = true;
        this.checks[node] = check;
      }
    }
    if (this.count > this.capacity) this.evict();
    return Math.min(hits * BLOCK_TOKENS, Math.max(0, ids.length - 1));
  }

  /** Drops the least recently used blocks, down to (1 - EVICT_SHARE) of the capacity. */
  private evict(): void {
    const keep = Math.floor(this.capacity * (1 - EVICT_SHARE));
    while (this.count > keep && this.head !== NONE) this.remove(this.head);
  }

  private slotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> (32 - this.tableBits);
  }

  /** The node holding `key`, or NONE. */
  private find(key: number): number {
    const mask = this.table.length - 1;
    for (let s = this.slotOf(key); ; s = (s + 1) & mask) {
      const entry = this.table[s] ?? 0;
      if (entry === 0) return NONE;
      if (this.keys[entry - 1] === key) return entry - 1;
    }
  }

  /** A new node for an absent key, entered in the table (not yet in the recency list). */
  private alloc(key: number, check: number): number {
    let node = this.free;
    if (node !== NONE) this.free = this.next[node] ?? NONE;
    else {
      if (this.used === this.keys.length) this.grow();
      node = this.used++;
    }
    this.keys[node] = key;
    this.checks[node] = check;
    const mask = this.table.length - 1;
    let s = this.slotOf(key);
    while (this.table[s] !== 0) s = (s + 1) & mask;
    this.table[s] = node + 1;
    this.count++;
    return node;
  }

  /** Unlinks the node, takes it out of the table and frees it. */
  private remove(node: number): void {
    this.unlink(node);
    const mask = this.table.length - 1;
    let hole = this.slotOf(this.keys[node] ?? 0);
    while (this.table[hole] !== node + 1) hole = (hole + 1) & mask;
    // Backward-shift deletion: later entries of the probe run move up into the hole, so lookups
    // never need tombstones.
    for (let s = (hole + 1) & mask; ; s = (s + 1) & mask) {
      const entry = this.table[s] ?? 0;
      if (entry === 0) break;
      const home = this.slotOf(this.keys[entry - 1] ?? 0);
      // The entry may move to the hole unless its home slot lies cyclically in (hole, s].
      const stays = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (stays) continue;
      this.table[hole] = entry;
      hole = s;
    }
    this.table[hole] = 0;
    this.next[node] = this.free;
    this.free = node;
    this.count--;
  }

  private unlink(node: number): void {
    const p = this.prev[node] ?? NONE;
    const n = this.next[node] ?? NONE;
    if (p === NONE) this.head = n;
    else this.next[p] = n;
    if (n === NONE) this.tail = p;
    else this.prev[n] = p;
  }

  /** Links the node in as the most recently used. */
  private append(node: number): void {
    this.prev[node] = this.tail;
    this.next[node] = NONE;
    if (this.tail === NONE) this.head = node;
    else this.next[this.tail] = node;
    this.tail = node;
  }

  /** Doubles the node arrays and the table (rebuilt: slots depend on its size). */
  private grow(): void {
    const size = this.keys.length * 2;
    const widen = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.keys = widen(this.keys);
    this.checks = widen(this.checks);
    this.prev = widen(this.prev);
    this.next = widen(this.next);
    this.table = new Int32Array(size * 2);
    this.tableBits++;
    const mask = this.table.length - 1;
    // Every node handed out is either live (in the list) or free; only live ones enter the table.
    for (let node = this.head; node !== NONE; node = this.next[node] ?? NONE) {
      let s = this.slotOf(this.keys[node] ?? 0);
      while (this.table[s] !== 0) s = (s + 1) & mask;
      this.table[s] = node + 1;
    }
  }
}
