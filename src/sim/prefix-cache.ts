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
/** Int32 fields per slot: key, check, older, newer. */
const FIELDS = 4;
const FIRST_SLOTS = 2048;

export class PrefixCache {
  /**
   * An open-addressing table (linear probing) whose slots hold the blocks themselves: a 30-bit
   * key (the block hash; EMPTY marks a free slot), a 30-bit check (a second hash; 60 bits must
   * match for a hit) and the slots of the next older and next newer block. A probe, the block
   * and its links then share one cache line. A 1,000-token prompt stores 62 blocks and, once the
   * cache is full, evicts as many, and the table (~2 MB at the default size) is rarely in the CPU
   * cache between requests: a JavaScript Map, or nodes spread over parallel arrays, cost several
   * cache misses a block (~0.25 µs) where this costs one or two.
   */
  private slots = filled(FIRST_SLOTS);
  private mask = FIRST_SLOTS - 1;
  private shift = 32 - Math.log2(FIRST_SLOTS);
  /** Oldest and newest block (slot indices). */
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
      const slot = this.find(key);
      if (slot === NONE) {
        missed = true;
        this.insert(key, check);
      } else if (!missed && this.slots[slot * FIELDS + 1] === check) {
        // A hit: the block becomes the most recently used.
        hits++;
        this.unlink(slot);
        this.append(slot);
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
    while (this.count > keep && this.head !== NONE) this.remove(this.head);
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
    const { slots, mask } = this;
    let s = this.home(key);
    while (slots[s * FIELDS] !== EMPTY) s = (s + 1) & mask;
    slots[s * FIELDS] = key;
    slots[s * FIELDS + 1] = check;
    this.append(s);
    this.count++;
  }

  /** Unlinks the block and empties its slot. */
  private remove(slot: number): void {
    this.unlink(slot);
    const { slots, mask } = this;
    // Backward-shift deletion: later blocks of the probe run move up into the hole (their
    // neighbours in the recency order follow them), so lookups never meet tombstones.
    let hole = slot;
    for (let s = (hole + 1) & mask; ; s = (s + 1) & mask) {
      const key = slots[s * FIELDS] ?? EMPTY;
      if (key === EMPTY) break;
      const home = this.home(key);
      // The block may move to the hole unless its home lies cyclically in (hole, s].
      const stays = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (stays) continue;
      this.move(s, hole);
      hole = s;
    }
    slots[hole * FIELDS] = EMPTY;
    this.count--;
  }

  /** Moves a linked block from slot `from` to the empty slot `to`. */
  private move(from: number, to: number): void {
    const { slots } = this;
    const older = slots[from * FIELDS + 2] ?? NONE;
    const newer = slots[from * FIELDS + 3] ?? NONE;
    for (let f = 0; f < FIELDS; f++) slots[to * FIELDS + f] = slots[from * FIELDS + f] ?? EMPTY;
    if (older === NONE) this.head = to;
    else slots[older * FIELDS + 3] = to;
    if (newer === NONE) this.tail = to;
    else slots[newer * FIELDS + 2] = to;
  }

  private unlink(slot: number): void {
    const { slots } = this;
    const older = slots[slot * FIELDS + 2] ?? NONE;
    const newer = slots[slot * FIELDS + 3] ?? NONE;
    if (older === NONE) this.head = newer;
    else slots[older * FIELDS + 3] = newer;
    if (newer === NONE) this.tail = older;
    else slots[newer * FIELDS + 2] = older;
  }

  /** Links the block in as the most recently used. */
  private append(slot: number): void {
    const { slots } = this;
    slots[slot * FIELDS + 2] = this.tail;
    slots[slot * FIELDS + 3] = NONE;
    if (this.tail === NONE) this.head = slot;
    else slots[this.tail * FIELDS + 3] = slot;
    this.tail = slot;
  }

  /** Doubles the table: every block is stored again, oldest first, so the order is kept. */
  private grow(): void {
    const old = this.slots;
    let s = this.head;
    const size = (this.mask + 1) * 2;
    this.slots = filled(size);
    this.mask = size - 1;
    this.shift--;
    this.head = NONE;
    this.tail = NONE;
    this.count = 0;
    while (s !== NONE) {
      this.insert(old[s * FIELDS] ?? 0, old[s * FIELDS + 1] ?? 0);
      s = old[s * FIELDS + 3] ?? NONE;
    }
  }
}

/** A table of `size` empty slots. */
function filled(size: number): Int32Array {
  return new Int32Array(size * FIELDS).fill(EMPTY);
}
