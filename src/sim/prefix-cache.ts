/**
 * The simulator's prefix cache, modelled on vLLM's automatic prefix caching: a prompt's token ids
 * in blocks of BLOCK_TOKENS, each block named by a hash of itself and every block before it, so a
 * block hits only when the whole prefix up to it is the same. Least recently used blocks go
 * first when the cache is full; the blocks one request used count as used together, its deepest
 * first out (as vLLM frees a request's blocks tail first), so a block never outlives the blocks
 * before it. Only full blocks are cached.
 *
 * The blocks form a tree (a prefix is a path from the root), held as segments: the run of new
 * blocks one prompt stored. Only a segment's first block is indexed; a prompt walks a segment by
 * comparing its blocks with the segment's in order, and looks the index up again only where it
 * leaves one (a child of a node either continues that node's segment or starts a segment of its
 * own). A unique 1,000-token prompt is then one lookup and one new segment of 62 blocks, where a
 * table of blocks took 62 lookups, inserts and evictions, each a cache miss in megabytes.
 *
 * Everything lives in typed arrays that grow and are reused (segments, uses and block chunks on
 * free lists): a segment held as objects cost the simulator ~5 µs of garbage collection a
 * request in its ceiling benchmark, since each one lives for about a thousand requests, long
 * enough to be copied by the young generation and promoted.
 */

export const BLOCK_TOKENS = 16;
/**
 * Share of the capacity freed at once when the cache overflows: after a prompt is stored, a cache
 * above its capacity drops its least recently used blocks down to (1 - EVICT_SHARE) of it.
 */
const EVICT_SHARE = 1 / 16;
/** Blocks per chunk of a segment's storage (a segment is a list of chunks). */
const CHUNK = 16;
const NONE = -1;

/** A growable Int32Array column. */
function grown(a: Int32Array<ArrayBuffer>, need: number, fill = 0): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const next = new Int32Array(Math.max(need, a.length * 2)).fill(fill);
  next.set(a);
  return next;
}

/** A stack of free ids over a column, and the next id never used. */
class Ids {
  private free = new Int32Array(64);
  private freeCount = 0;
  private next = 0;

  take(): number {
    return this.freeCount > 0 ? (this.free[--this.freeCount] as number) : this.next++;
  }

  give(id: number): void {
    this.free = grown(this.free, this.freeCount + 1);
    this.free[this.freeCount++] = id;
  }
}

export class PrefixCache {
  private readonly capacity: number;
  private count = 0;

  /**
   * Segments, a column each. A segment's blocks sit in its chain of chunks, key and check of each
   * interleaved (60 bits of hash must match for a hit); `length` blocks are still cached (a prefix:
   * eviction takes them from the end). Its uses form a list, oldest first (see `use`).
   */
  private readonly segments = new Ids();
  private segFirstChunk = new Int32Array(64);
  private segLength = new Int32Array(64);
  /** The next segment whose first block has the same 30-bit key (the index chains them). */
  private segSameKey = new Int32Array(64);
  private segOldestUse = new Int32Array(64);
  private segNewestUse = new Int32Array(64);
  /** Segments by the key of their first block. */
  private readonly starts = new Map<number, number>();

  /** Chunks of CHUNK blocks, 2 * CHUNK ints each, and the next chunk of the same segment. */
  private readonly chunks = new Ids();
  private chunkBlocks = new Int32Array(64 * 2 * CHUNK);
  private chunkNext = new Int32Array(64);

  /**
   * Uses: a prompt's use of a segment's blocks 0..end. A newer use that reaches as far or further
   * makes an older one stale, so a segment's live uses have strictly decreasing ends, and the
   * oldest one's blocks beyond the next one's end are the segment's least recently used.
   */
  private readonly uses = new Ids();
  private useSegment = new Int32Array(64);
  private useEnd = new Int32Array(64);
  private useNewer = new Int32Array(64);
  /** Where in `order` the use was entered, or NONE once it is stale (a ring entry is live if it matches). */
  private useAt = new Int32Array(64).fill(NONE);

  /** Every use in the order it happened (a ring; `head` and `tail` count entries). */
  private order = new Int32Array(1024);
  private orderMask = 1023;
  private head = 0;
  private tail = 0;

  /** Scratch: the current prompt's block keys and checks, interleaved; the segments it walked. */
  private hashes = new Int32Array(512);
  private walked = new Int32Array(64);
  private walkedEnds = new Int32Array(64);

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
    let walked = 0;
    let b = 0;
    for (let s = this.find(hashes, 0); s !== NONE; s = this.find(hashes, b)) {
      const length = this.segLength[s] as number;
      // The first block matched in find.
      let j = 1;
      b++;
      let chunk = this.segFirstChunk[s] as number;
      while (j < length && b < fullBlocks) {
        if (j % CHUNK === 0) chunk = this.chunkNext[chunk] as number;
        const at = chunk * 2 * CHUNK + 2 * (j % CHUNK);
        if (this.chunkBlocks[at] !== hashes[2 * b] || this.chunkBlocks[at + 1] !== hashes[2 * b + 1]) break;
        j++;
        b++;
      }
      if (walked === this.walked.length) {
        this.walked = grown(this.walked, walked + 1);
        this.walkedEnds = grown(this.walkedEnds, walked + 1);
      }
      this.walked[walked] = s;
      this.walkedEnds[walked++] = j - 1;
      if (b === fullBlocks) break;
    }
    const hits = b;
    // Recency: the new blocks are the deepest this prompt used, so they go in first (out first),
    // then the walked segments from the deepest up.
    if (b < fullBlocks) this.store(hashes, b, fullBlocks);
    for (let i = walked - 1; i >= 0; i--) this.use(this.walked[i] as number, this.walkedEnds[i] as number);
    if (this.count > this.capacity) this.evict();
    return Math.min(hits * BLOCK_TOKENS, Math.max(0, ids.length - 1));
  }

  /** Each full block's key and check: two hashes of the block and every block before it. */
  private hash(ids: ArrayLike<number>, fullBlocks: number): Int32Array {
    this.hashes = grown(this.hashes, 2 * fullBlocks);
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

  /** The segment that starts with block `b` of the prompt, or NONE. */
  private find(hashes: Int32Array, b: number): number {
    const check = hashes[2 * b + 1];
    for (let s = this.starts.get(hashes[2 * b] ?? 0) ?? NONE; s !== NONE; s = this.segSameKey[s] as number) {
      if (this.chunkBlocks[(this.segFirstChunk[s] as number) * 2 * CHUNK + 1] === check) return s;
    }
    return NONE;
  }

  /** A new segment of the prompt's blocks [from, to), the most recently used. */
  private store(hashes: Int32Array, from: number, to: number): void {
    const s = this.segments.take();
    if (s >= this.segLength.length) {
      const n = s + 1;
      this.segFirstChunk = grown(this.segFirstChunk, n);
      this.segLength = grown(this.segLength, n);
      this.segSameKey = grown(this.segSameKey, n);
      this.segOldestUse = grown(this.segOldestUse, n);
      this.segNewestUse = grown(this.segNewestUse, n);
    }
    let previous = NONE;
    for (let b = from; b < to; b += CHUNK) {
      const chunk = this.newChunk();
      if (previous === NONE) this.segFirstChunk[s] = chunk;
      else this.chunkNext[previous] = chunk;
      const { chunkBlocks } = this;
      for (let i = 2 * b, end = 2 * Math.min(to, b + CHUNK), at = chunk * 2 * CHUNK; i < end; i++) chunkBlocks[at++] = hashes[i] as number;
      previous = chunk;
    }
    this.chunkNext[previous] = NONE;
    const key = hashes[2 * from] ?? 0;
    this.segLength[s] = to - from;
    this.segSameKey[s] = this.starts.get(key) ?? NONE;
    this.segOldestUse[s] = NONE;
    this.segNewestUse[s] = NONE;
    this.starts.set(key, s);
    this.count += to - from;
    this.use(s, to - from - 1);
  }

  private newChunk(): number {
    const chunk = this.chunks.take();
    if (chunk >= this.chunkNext.length) {
      this.chunkNext = grown(this.chunkNext, chunk + 1);
      this.chunkBlocks = grown(this.chunkBlocks, this.chunkNext.length * 2 * CHUNK);
    }
    return chunk;
  }

  /** Blocks 0..end of segment `s` become the most recently used. */
  private use(s: number, end: number): void {
    // Newer uses reaching as far or further make older ones stale: drop them from the newest.
    for (let u = this.segNewestUse[s] as number; u !== NONE && (this.useEnd[u] as number) <= end; u = this.segNewestUse[s] as number) {
      const older = this.olderOf(s, u);
      this.segNewestUse[s] = older;
      if (older === NONE) this.segOldestUse[s] = NONE;
      else this.useNewer[older] = NONE;
      this.dropUse(u);
    }
    const u = this.uses.take();
    if (u >= this.useEnd.length) {
      const n = u + 1;
      this.useSegment = grown(this.useSegment, n);
      this.useEnd = grown(this.useEnd, n);
      this.useNewer = grown(this.useNewer, n);
      this.useAt = grown(this.useAt, n, NONE);
    }
    this.useSegment[u] = s;
    this.useEnd[u] = end;
    this.useNewer[u] = NONE;
    const newest = this.segNewestUse[s] as number;
    if (newest === NONE) this.segOldestUse[s] = u;
    else this.useNewer[newest] = u;
    this.segNewestUse[s] = u;
    if (this.tail - this.head === this.order.length) this.compact();
    this.useAt[u] = this.tail;
    this.order[this.tail++ & this.orderMask] = u;
  }

  /**
   * The use before `u` in its segment's list. The list is singly linked (oldest to newest) and
   * short: a segment has as many live uses as distinct depths it was last used to.
   */
  private olderOf(s: number, u: number): number {
    let older = NONE;
    for (let v = this.segOldestUse[s] as number; v !== u && v !== NONE; v = this.useNewer[v] as number) older = v;
    return older;
  }

  private dropUse(u: number): void {
    this.useAt[u] = NONE;
    this.uses.give(u);
  }

  /** Drops the least recently used blocks, down to (1 - EVICT_SHARE) of the capacity. */
  private evict(): void {
    const keep = Math.floor(this.capacity * (1 - EVICT_SHARE));
    while (this.count > keep && this.head < this.tail) {
      const at = this.head;
      const u = this.order[at & this.orderMask] as number;
      if (this.useAt[u] !== at) {
        this.head++;
        continue;
      }
      // The oldest live use overall is its segment's oldest: its blocks past the next use's end.
      const s = this.useSegment[u] as number;
      const newer = this.useNewer[u] as number;
      const floor = newer === NONE ? 0 : (this.useEnd[newer] as number) + 1;
      const length = this.segLength[s] as number;
      const need = this.count - keep;
      if (length - floor > need) {
        this.truncate(s, length - need);
        this.count -= need;
        break;
      }
      this.count -= length - floor;
      this.segOldestUse[s] = newer;
      if (newer === NONE) this.segNewestUse[s] = NONE;
      this.dropUse(u);
      this.head++;
      if (floor === 0) this.remove(s);
      else this.truncate(s, floor);
    }
  }

  /** Keeps the first `length` blocks of segment `s` (at least one), freeing the chunks after them. */
  private truncate(s: number, length: number): void {
    this.segLength[s] = length;
    let chunk = this.segFirstChunk[s] as number;
    for (let kept = CHUNK; kept < length; kept += CHUNK) chunk = this.chunkNext[chunk] as number;
    this.freeChunksAfter(chunk);
  }

  private freeChunksAfter(chunk: number): void {
    let next = this.chunkNext[chunk] as number;
    this.chunkNext[chunk] = NONE;
    while (next !== NONE) {
      const after = this.chunkNext[next] as number;
      this.chunks.give(next);
      next = after;
    }
  }

  /** Takes an emptied segment out of the index and frees its storage. */
  private remove(s: number): void {
    const first = this.segFirstChunk[s] as number;
    const key = this.chunkBlocks[first * 2 * CHUNK] as number;
    const same = this.segSameKey[s] as number;
    const indexed = this.starts.get(key);
    if (indexed === s) {
      if (same === NONE) this.starts.delete(key);
      else this.starts.set(key, same);
    } else {
      for (let p = indexed ?? NONE; p !== NONE; p = this.segSameKey[p] as number) {
        if (this.segSameKey[p] === s) {
          this.segSameKey[p] = same;
          break;
        }
      }
    }
    this.freeChunksAfter(first);
    this.chunks.give(first);
    this.segLength[s] = 0;
    this.segments.give(s);
  }

  /**
   * Drops the stale entries from the full ring into a new one (twice as large while more than
   * half its entries are live; in place, the wrapped-round part would be overwritten unread).
   */
  private compact(): void {
    const { order, orderMask } = this;
    let live = 0;
    for (let n = this.head; n < this.tail; n++) if (this.useAt[order[n & orderMask] as number] === n) live++;
    const next = new Int32Array(live * 2 > order.length ? order.length * 2 : order.length);
    live = 0;
    for (let n = this.head; n < this.tail; n++) {
      const u = order[n & orderMask] as number;
      if (this.useAt[u] !== n) continue;
      next[live] = u;
      this.useAt[u] = live++;
    }
    this.order = next;
    this.orderMask = next.length - 1;
    this.head = 0;
    this.tail = live;
  }
}
