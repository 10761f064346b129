/**
 * The simulator's prefix cache, modelled on vLLM's automatic prefix caching: a prompt's token ids
 * in blocks of BLOCK_TOKENS, each block named by a hash of itself and every block before it, so a
 * block hits only when the whole prefix up to it is the same. Least recently used blocks go
 * first when the cache is full; the blocks one request used count as used together, its deepest
 * first out (as vLLM frees a request's blocks tail first), so a block never outlives the blocks
 * before it. Only full blocks are cached.
 *
 * The blocks form a tree (a prefix is a path from the root), held as segments: the run of new
 * blocks one prompt stored, as an array. Only a segment's first block is indexed; a prompt walks
 * a segment by comparing its blocks with the segment's in order, and looks the index up again
 * only where it leaves one (a child of a node either continues that node's segment or starts a
 * segment of its own). A unique 1,000-token prompt is then one lookup and one new segment of 62
 * blocks, where a table of blocks took 62 lookups, inserts and evictions, each a cache miss in a
 * table of megabytes (~6 µs a prompt in a micro-benchmark, ~11 µs in the simulator's ceiling).
 */

export const BLOCK_TOKENS = 16;
/**
 * Share of the capacity freed at once when the cache overflows: after a prompt is stored, a cache
 * above its capacity drops its least recently used blocks down to (1 - EVICT_SHARE) of it.
 */
const EVICT_SHARE = 1 / 16;

/** A run of blocks one prompt stored: a path down the tree from a node some other segment holds. */
interface Segment {
  /** Key and check of each block, interleaved: 60 bits of hash must match for a hit. */
  readonly blocks: Int32Array;
  /** Blocks still cached: a prefix of `blocks` (eviction takes them from the end). */
  length: number;
  /**
   * The live uses of the segment, oldest first. A use covers blocks 0..end; a newer use that
   * reaches as far or further makes an older one stale, so the ends strictly decrease and the
   * oldest use's blocks beyond the next one's end are the segment's least recently used.
   */
  readonly uses: Use[];
  /** The next segment whose first block has the same 30-bit key (the index chains them). */
  sameKey: Segment | undefined;
}

/** One prompt's use of a segment's blocks 0..end, in the cache's recency order. */
interface Use {
  readonly segment: Segment;
  readonly end: number;
  live: boolean;
}

export class PrefixCache {
  /** Segments by the key of their first block. */
  private readonly starts = new Map<number, Segment>();
  /** Every use in the order it happened: eviction reads from `head`, skipping stale ones. */
  private order: Use[] = [];
  private head = 0;
  private liveUses = 0;
  private count = 0;
  private readonly capacity: number;
  /** Scratch: the current prompt's block keys and checks, interleaved. */
  private hashes = new Int32Array(512);
  /** Scratch: the segments the current prompt walked and how far, in the order walked. */
  private readonly walked: Segment[] = [];
  private readonly walkedEnds: number[] = [];

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
    if (fullBlocks === 0) return 0;
    const hashes = this.hash(ids, fullBlocks);
    const { walked, walkedEnds } = this;
    walked.length = 0;
    walkedEnds.length = 0;
    let b = 0;
    for (let segment = this.find(hashes, 0); segment !== undefined; segment = this.find(hashes, b)) {
      const { blocks, length } = segment;
      // The first block matched in find.
      let j = 1;
      b++;
      while (j < length && b < fullBlocks && blocks[2 * j] === hashes[2 * b] && blocks[2 * j + 1] === hashes[2 * b + 1]) {
        j++;
        b++;
      }
      walked.push(segment);
      walkedEnds.push(j - 1);
      if (b === fullBlocks) break;
    }
    const hits = b;
    // Recency: the new blocks are the deepest this prompt used, so they go in first (out first),
    // then the walked segments from the deepest up.
    if (b < fullBlocks) this.store(hashes.slice(2 * b, 2 * fullBlocks));
    for (let i = walked.length - 1; i >= 0; i--) this.use(walked[i] as Segment, walkedEnds[i] ?? 0);
    if (this.count > this.capacity) this.evict();
    return Math.min(hits * BLOCK_TOKENS, Math.max(0, ids.length - 1));
  }

  /** Each full block's key and check: two hashes of the block and every block before it. */
  private hash(ids: ArrayLike<number>, fullBlocks: number): Int32Array {
    if (this.hashes.length < 2 * fullBlocks) this.hashes = new Int32Array(4 * fullBlocks);
    const { hashes } = this;
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    for (let b = 0; b < fullBlocks; b++) {
      for (let i = b * BLOCK_TOKENS, end = i + BLOCK_TOKENS; i < end; i++) {
        const id = ids[i] ?? 0;
        h1 = Math.imul(h1 ^ id, 0x01000193) >>> 0;
        h2 = Math.imul(h2 ^ id, 0x85ebca6b) >>> 0;
      }
      hashes[2 * b] = h1 & 0x3fffffff;
      hashes[2 * b + 1] = h2 & 0x3fffffff;
    }
    return hashes;
  }

  /** The segment that starts with block `b` of the prompt, if one is cached. */
  private find(hashes: Int32Array, b: number): Segment | undefined {
    const check = hashes[2 * b + 1];
    for (let s = this.starts.get(hashes[2 * b] ?? 0); s !== undefined; s = s.sameKey) if (s.blocks[1] === check) return s;
    return undefined;
  }

  /** A new segment of these blocks (key and check interleaved), the most recently used. */
  private store(blocks: Int32Array): void {
    const key = blocks[0] ?? 0;
    const segment: Segment = { blocks, length: blocks.length / 2, uses: [], sameKey: this.starts.get(key) };
    this.starts.set(key, segment);
    this.count += segment.length;
    this.use(segment, segment.length - 1);
  }

  /** Blocks 0..end of the segment become the most recently used. */
  private use(segment: Segment, end: number): void {
    const { uses } = segment;
    for (let last = uses[uses.length - 1]; last !== undefined && last.end <= end; last = uses[uses.length - 1]) {
      last.live = false;
      uses.pop();
      this.liveUses--;
    }
    const use: Use = { segment, end, live: true };
    uses.push(use);
    this.order.push(use);
    this.liveUses++;
    // Stale uses pile up when the same prompts hit again and again without evicting anything.
    if (this.order.length - this.head > 2 * this.liveUses + 1024) this.compact();
  }

  /** Drops the least recently used blocks, down to (1 - EVICT_SHARE) of the capacity. */
  private evict(): void {
    const keep = Math.floor(this.capacity * (1 - EVICT_SHARE));
    while (this.count > keep && this.head < this.order.length) {
      const use = this.order[this.head] as Use;
      if (!use.live) {
        this.head++;
        continue;
      }
      // The oldest live use overall is its segment's oldest: its blocks past the next use's end.
      const { segment } = use;
      const floor = (segment.uses[1]?.end ?? -1) + 1;
      const need = this.count - keep;
      if (segment.length - floor > need) {
        segment.length -= need;
        this.count -= need;
        break;
      }
      this.count -= segment.length - floor;
      segment.length = floor;
      segment.uses.shift();
      use.live = false;
      this.liveUses--;
      this.head++;
      if (segment.length === 0) this.unlink(segment);
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) this.compact();
  }

  /** Takes an emptied segment out of the index. */
  private unlink(segment: Segment): void {
    const key = segment.blocks[0] ?? 0;
    const first = this.starts.get(key);
    if (first === segment) {
      if (segment.sameKey === undefined) this.starts.delete(key);
      else this.starts.set(key, segment.sameKey);
      return;
    }
    for (let s = first; s !== undefined; s = s.sameKey) {
      if (s.sameKey === segment) {
        s.sameKey = segment.sameKey;
        return;
      }
    }
  }

  /** The recency order without the uses already read or made stale. */
  private compact(): void {
    const live: Use[] = [];
    for (let i = this.head; i < this.order.length; i++) {
      const use = this.order[i] as Use;
      if (use.live) live.push(use);
    }
    this.order = live;
    this.head = 0;
  }
}
