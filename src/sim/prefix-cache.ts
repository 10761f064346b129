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
const EMPTY = -1;
/** Int32 fields per slot: key, check, and where in `order` the block was last used. */
const FIELDS = 3;
const FIRST_SLOTS = 2048;
/** Blocks evicted per prefetch. */
const EVICT_BATCH = 64;

export class PrefixCache {
  /**
   * The blocks, in an open-addressing table (linear probing): a 30-bit key (the block hash; EMPTY
   * marks a free slot), a 30-bit check (a second hash; 60 bits must match for a hit) and the
   * block's entry in `order`. A 1,000-token prompt stores 62 blocks and, once the cache is full,
   * evicts as many, and the table (~1.5 MB at the default size) is rarely in the CPU cache between
   * requests: each block costs a cache miss on its slot. Those misses are independent of each
   * other (nothing is chained), so they are taken together, by a prefetch pass (see prefetch).
   * In the simulator's ceiling benchmark a JavaScript Map cost ~0.3 µs a block, and a table whose
   * recency order was a linked list through the slots ~0.2 µs (one miss after another).
   */
  private slots = filled(FIRST_SLOTS);
  private mask = FIRST_SLOTS - 1;
  private shift = 32 - Math.log2(FIRST_SLOTS);
  private count = 0;
  /**
   * Recency: a ring of the keys in the order they were last used, oldest at `head` (`head` and
   * `tail` count entries; the ring index is the count & orderMask). A hit appends the key again
   * and leaves its older entry behind, stale (its slot points elsewhere); eviction reads from the
   * head, skipping stale entries; compaction drops them when the ring is full. Unique prompts
   * leave no stale entries, so their ring never fills: eviction makes the room.
   */
  private order = new Int32Array(FIRST_SLOTS);
  private orderMask = FIRST_SLOTS - 1;
  private head = 0;
  private tail = 0;
  private readonly capacity: number;
  /** Scratch: the current prompt's block keys and checks. */
  private keys = new Int32Array(256);
  private checks = new Int32Array(256);
  /** Where the prefetching reads go, so the compiler cannot drop them. */
  private sink = 0;

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
    // The blocks' keys first, then a pass that only reads each one's home slot: those reads do
    // not depend on each other, so the CPU has them all in flight at once (a prefetch), and the
    // pass that follows finds the slots in its cache instead of waiting on one miss at a time.
    if (this.keys.length < fullBlocks) {
      this.keys = new Int32Array(fullBlocks * 2);
      this.checks = new Int32Array(fullBlocks * 2);
    }
    const { keys, checks } = this;
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    for (let b = 0; b < fullBlocks; b++) {
      for (let i = b * BLOCK_TOKENS, end = i + BLOCK_TOKENS; i < end; i++) {
        const id = ids[i] ?? 0;
        h1 = Math.imul(h1 ^ id, 0x01000193) >>> 0;
        h2 = Math.imul(h2 ^ id, 0x85ebca6b) >>> 0;
      }
      keys[b] = h1 & 0x3fffffff;
      checks[b] = h2 & 0x3fffffff;
    }
    this.prefetch(keys, 0, fullBlocks);
    let hits = 0;
    let missed = false;
    for (let b = 0; b < fullBlocks; b++) {
      const key = keys[b] ?? 0;
      const check = checks[b] ?? 0;
      const slot = this.find(key);
      if (slot === NONE) {
        missed = true;
        this.insert(key, check);
      } else if (!missed && this.slots[slot * FIELDS + 1] === check) {
        // A hit: the block becomes the most recently used.
        hits++;
        this.slots[slot * FIELDS + 2] = this.use(key);
      } else {
        // After the first miss a block is stored, not looked up: a known key takes the new check
        // and keeps its place in the recency order (as Map.set does).
        missed = true;
        this.slots[slot * FIELDS + 1] = check;
      }
    }
    if (this.count > this.capacity) this.evict();
    return Math.min(hits * BLOCK_TOKENS, Math.max(0, ids.length - 1));
  }

  /** Drops the least recently used blocks, down to (1 - EVICT_SHARE) of the capacity. */
  private evict(): void {
    const keep = Math.floor(this.capacity * (1 - EVICT_SHARE));
    while (this.count > keep && this.head < this.tail) {
      // In batches: the next keys of the recency order are read in sequence, their slots
      // prefetched together, then removed.
      const end = Math.min(this.tail, this.head + EVICT_BATCH);
      this.prefetch(this.order, this.head, end, this.orderMask);
      while (this.count > keep && this.head < end) {
        const at = this.head++ & this.orderMask;
        const slot = this.find(this.order[at] ?? 0);
        if (slot !== NONE && this.slots[slot * FIELDS + 2] === at) this.remove(slot);
      }
    }
  }

  /** Reads the home slot of keys[from & mask, to & mask) (see lookupAndStore). */
  private prefetch(keys: Int32Array, from: number, to: number, mask = -1): void {
    const { slots } = this;
    let x = 0;
    for (let i = from; i < to; i++) x ^= slots[this.home(keys[i & mask] ?? 0) * FIELDS] ?? 0;
    this.sink ^= x;
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** The slot holding `key`, or NONE. */
  private find(key: number): number {
    const { slots, mask } = this;
    for (let s = this.home(key); ; s = (s + 1) & mask) {
      const k = slots[s * FIELDS] ?? EMPTY;
      if (k === key) return s;
      if (k === EMPTY) return NONE;
    }
  }

  /** Stores an absent key as the most recently used block. */
  private insert(key: number, check: number): void {
    // At most half the slots in use keeps probe runs short.
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const at = this.use(key);
    this.place(key, check, at);
    this.count++;
  }

  private place(key: number, check: number, at: number): void {
    const { slots, mask } = this;
    let s = this.home(key);
    while (slots[s * FIELDS] !== EMPTY) s = (s + 1) & mask;
    slots[s * FIELDS] = key;
    slots[s * FIELDS + 1] = check;
    slots[s * FIELDS + 2] = at;
  }

  /** Empties the slot, moving later blocks of its probe run up (so lookups meet no tombstones). */
  private remove(slot: number): void {
    const { slots, mask } = this;
    let hole = slot;
    for (let s = (hole + 1) & mask; ; s = (s + 1) & mask) {
      const key = slots[s * FIELDS] ?? EMPTY;
      if (key === EMPTY) break;
      const home = this.home(key);
      // The block may move to the hole unless its home lies cyclically in (hole, s].
      const stays = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (stays) continue;
      slots[hole * FIELDS] = key;
      slots[hole * FIELDS + 1] = slots[s * FIELDS + 1] ?? 0;
      slots[hole * FIELDS + 2] = slots[s * FIELDS + 2] ?? 0;
      hole = s;
    }
    slots[hole * FIELDS] = EMPTY;
    this.count--;
  }

  /** Appends `key` to the recency order; returns its entry. */
  private use(key: number): number {
    if (this.tail - this.head === this.order.length) this.compact();
    const at = this.tail++ & this.orderMask;
    this.order[at] = key;
    return at;
  }

  /**
   * Drops the stale entries from the full ring into a new one (twice as large while more than
   * half its entries are live; in place, the wrapped-round part would be overwritten unread).
   */
  private compact(): void {
    const { order, orderMask, slots } = this;
    let live = 0;
    for (let n = this.head; n < this.tail; n++) {
      const at = n & orderMask;
      const slot = this.find(order[at] ?? 0);
      if (slot !== NONE && slots[slot * FIELDS + 2] === at) live++;
    }
    const next = new Int32Array(live * 2 > order.length ? order.length * 2 : order.length);
    live = 0;
    for (let n = this.head; n < this.tail; n++) {
      const at = n & orderMask;
      const key = order[at] ?? 0;
      const slot = this.find(key);
      if (slot === NONE || slots[slot * FIELDS + 2] !== at) continue;
      next[live] = key;
      slots[slot * FIELDS + 2] = live++;
    }
    this.order = next;
    this.orderMask = next.length - 1;
    this.head = 0;
    this.tail = live;
  }

  /** Doubles the table (the recency order is unchanged: it names keys, not slots). */
  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = filled(size);
    this.mask = size - 1;
    this.shift--;
    for (let s = 0; s < old.length; s += FIELDS) {
      const key = old[s] ?? EMPTY;
      if (key !== EMPTY) this.place(key, old[s + 1] ?? 0, old[s + 2] ?? 0);
    }
  }
}

/** A table of `size` empty slots. */
function filled(size: number): Int32Array {
  return new Int32Array(size * FIELDS).fill(EMPTY);
}
