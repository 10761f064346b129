import { AS_TEXT, loadO200k } from '../shared/o200k.ts';

/**
 * The simulator's prompt tokenizer: o200k token ids of a prompt, exact, and cheap enough for
 * thousands of requests a second.
 *
 * A text is cut where o200k's pre-tokenizer always starts a new piece: at a space that follows a
 * non-space character and precedes an ASCII letter (the space opens the next word; no pattern
 * carries a space across a word). BPE never merges across pieces, so encoding the cuts apart
 * gives the ids of the whole. Three memos, coarsest first:
 * - remembered texts (passages): a known sentence, then as many of the sentences after it as the
 *   new text shares with the passage, in one comparison (prompts cut from the same documents,
 *   conversation histories, shared prefixes);
 * - sentences, each remembered on its second sighting;
 * - words, each encoded by gpt-tokenizer and remembered on its second sighting.
 * A run of more than MAX_RUN characters without such a cut (code, CJK, base64) is encoded in
 * MAX_RUN-character slices, bounding gpt-tokenizer's quadratic cost on long pieces at the price
 * of a token or so per forced cut in such text.
 */

const MAX_RUN = 512;
/** Entries kept in each memo; a memo is emptied when full (cheap, and the next prompts refill it). */
const MEMO_MAX = 200_000;
/** Slots of the filter that admits a sentence to the memo on its second sighting (a power of 2). */
const SEEN_SLOTS = 1 << 16;
/** Leading characters a memo key takes whole (see sampleKey): a lead word of up to 7, and its space. */
const LEAD_CHARS = 8;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * A growable array of token ids, reused for every prompt: a 1,000-token prompt then costs no
 * allocation, and a remembered run of sentences is copied in with one `set` (a memcpy) instead
 * of a push per id.
 */
export class TokenIds {
  ids = new Int32Array(4096);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  push(id: number): void {
    if (this.length === this.ids.length) this.grow(1);
    this.ids[this.length++] = id;
  }

  append(src: Int32Array): void {
    if (this.length + src.length > this.ids.length) this.grow(src.length);
    this.ids.set(src, this.length);
    this.length += src.length;
  }

  appendArray(src: readonly number[]): void {
    if (this.length + src.length > this.ids.length) this.grow(src.length);
    for (let i = 0; i < src.length; i++) this.ids[this.length++] = src[i] as number;
  }

  /** The ids so far, as a view (no copy). */
  view(): Int32Array {
    return this.ids.subarray(0, this.length);
  }

  private grow(extra: number): void {
    const next = new Int32Array(Math.max(this.ids.length * 2, this.length + extra));
    next.set(this.ids.subarray(0, this.length));
    this.ids = next;
  }
}

/**
 * A text the memo remembers, cut into its sentences: `cuts` holds where each sentence starts and,
 * last, the text's length; `tokenAt` where each starts in `ids`. A sentence that recurs in a new
 * prompt is found by its key; the sentences after it are then matched as a run, by comparing the
 * prompt with the rest of the passage in one go.
 */
interface Passage {
  text: string;
  ids: Int32Array;
  cuts: Int32Array;
  tokenAt: Int32Array;
}

/** A memoised sentence: sentence `index` of a passage. */
interface Sentence {
  passage: Passage;
  index: number;
}

/**
 * A text becomes a passage when this many of its sentence lookups found them known (in the memo,
 * or seen once before): it was pieced together from several passages or sentences, and next time
 * it, or any stretch of it, is one run. Fewer would remember most synthetic prompts (each a
 * window of one corpus) again and again; more would leave long runs unlearnt.
 */
const PASSAGE_AFTER_LOOKUPS = 6;
/** Characters of passage text held before the memo is emptied (a bound on its memory). */
const PASSAGE_CHARS_MAX = 32 * 1024 * 1024;

export class PromptTokenizer {
  private readonly memo = new Map<string, readonly number[]>();
  /**
   * Sentences by a key made of their length and 16 characters sampled along them (a small
   * integer, so the lookup hashes no string). A key match is confirmed by comparing the text
   * with the passage's (a native memcmp), so a clash costs a miss, never a wrong id.
   */
  private readonly sentences = new Map<number, Sentence>();
  private passageChars = 0;
  /**
   * Keys of sentences seen once. A sentence enters the memo on its second sighting: a prompt made
   * unique by a lead word or a random tail would otherwise add one or two entries that never hit
   * again, until the memo fills and is emptied (losing the sentences that do repeat).
   */
  private readonly seen = new Int32Array(SEEN_SLOTS);
  /**
   * The same for words: a prompt's unique lead word (a request counter, a random tag) would
   * otherwise add an entry per request, and a memo grown to 100,000 entries made every lookup
   * slower (~12 µs a 1,000-token prompt at the start, ~20 µs after 80,000 unique ones).
   */
  private readonly seenWords = new Int32Array(SEEN_SLOTS);
  /** Scratch ids of a sentence that missed the memo. */
  private readonly scratch: number[] = [];
  /** Sentence starts and their token offsets in the text being encoded (for its passage). */
  private readonly cuts: number[] = [];
  private readonly tokenAt: number[] = [];
  /** The next ". ", "! " and "? " at or after the current position (-1: none left). */
  private dot = -1;
  private bang = -1;
  private ask = -1;

  /**
   * Appends the ids of `text` to `out`, sentence by sentence (cut at a space after . ! or ? and
   * before a capital, which is also a word cut). Prompts cut from the same text share most
   * sentences whole, and mostly in the same order: a known sentence is one lookup, and the known
   * sentences after it one comparison, instead of a lookup per word. Over known sentences no loop
   * over the characters runs in JavaScript (~4 ns a character, more than all the rest): the cuts
   * come from native searches, the matches from native comparisons, the ids from typed-array
   * copies. Only unknown sentences go word by word.
   */
  encodeInto(text: string, out: TokenIds): void {
    const n = text.length;
    const base = out.length;
    const cuts = this.cuts;
    const tokenAt = this.tokenAt;
    cuts.length = 0;
    tokenAt.length = 0;
    this.dot = text.indexOf('. ');
    this.bang = text.indexOf('! ');
    this.ask = text.indexOf('? ');
    let lookups = 0;
    let pos = 0;
    while (pos < n) {
      const end = this.nextCut(text, pos);
      cuts.push(pos);
      tokenAt.push(out.length - base);
      const key = sampleKey(text, pos, end);
      const hit = this.sentences.get(key);
      if (hit !== undefined && isSentence(hit, text, pos, end)) {
        lookups++;
        const { passage, index } = hit;
        const last = this.run(text, pos, passage, index);
        const from = passage.cuts[index] ?? 0;
        const tokens = passage.tokenAt[index] ?? 0;
        for (let j = index + 1; j < last; j++) {
          cuts.push(pos + (passage.cuts[j] ?? 0) - from);
          tokenAt.push(out.length - base + (passage.tokenAt[j] ?? 0) - tokens);
        }
        out.append(passage.ids.subarray(tokens, passage.tokenAt[last]));
        pos += (passage.cuts[last] ?? 0) - from;
        continue;
      }
      const ids = this.scratch;
      ids.length = 0;
      const s = text.slice(pos, end);
      this.words(s, ids);
      out.appendArray(ids);
      const slot = key & (SEEN_SLOTS - 1);
      if (this.seen[slot] === key) {
        lookups++;
        this.remember(detached(s), Int32Array.from(ids), [0, s.length], [0, ids.length]);
      } else this.seen[slot] = key;
      pos = end;
    }
    // A text that took several lookups of known sentences (pieces of several passages, or a text
    // seen before whose sentences were remembered one by one) is remembered whole, so that next
    // time it, or a stretch of it, is one run.
    if (lookups >= PASSAGE_AFTER_LOOKUPS) {
      cuts.push(n);
      tokenAt.push(out.length - base);
      // The text itself, not a copy: a prompt's text is its own string (JSON.parse made it), so
      // this keeps nothing else alive (at worst, for a cache_control split, the whole message).
      this.remember(text, out.ids.slice(base, out.length), cuts, tokenAt);
    }
  }

  /** The ids of `text` (tests, tools). */
  encode(text: string): number[] {
    const out = new TokenIds();
    this.encodeInto(text, out);
    return Array.from(out.view());
  }

  /** Token count of `text`. */
  count(text: string): number {
    const out = new TokenIds();
    this.encodeInto(text, out);
    return out.length;
  }

  /**
   * Where the sentence starting at `pos` ends: the first cut after it, or the text's end. The
   * searches for the three marks only ever move forward, so a text costs each one scan.
   */
  private nextCut(text: string, pos: number): number {
    if (this.dot >= 0 && this.dot < pos) this.dot = text.indexOf('. ', pos);
    if (this.bang >= 0 && this.bang < pos) this.bang = text.indexOf('! ', pos);
    if (this.ask >= 0 && this.ask < pos) this.ask = text.indexOf('? ', pos);
    for (;;) {
      let mark = this.dot;
      if (this.bang >= 0 && (mark < 0 || this.bang < mark)) mark = this.bang;
      if (this.ask >= 0 && (mark < 0 || this.ask < mark)) mark = this.ask;
      if (mark < 0) return text.length;
      if (isCapital(text.charCodeAt(mark + 2))) return mark + 1;
      if (mark === this.dot) this.dot = text.indexOf('. ', mark + 1);
      else if (mark === this.bang) this.bang = text.indexOf('! ', mark + 1);
      else this.ask = text.indexOf('? ', mark + 1);
    }
  }

  /**
   * The text at `pos` matches sentence `index` of the passage: returns the passage cut where the
   * match ends, as far as the text goes on as the passage does. The longest equal stretch is
   * found by binary search over the passage's cuts (equal up to a cut means equal up to every
   * cut before it), each step one native comparison. The stretch must end where the text cuts
   * too (or at its end): the character after a passage cut lies outside the compared stretch.
   */
  private run(text: string, pos: number, passage: Passage, index: number): number {
    const { cuts } = passage;
    const from = cuts[index] ?? 0;
    const room = text.length - pos;
    let lo = index + 1; // known to match
    let hi = cuts.length - 1;
    while (hi > lo && (cuts[hi] ?? 0) - from > room) hi--;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (sameText(text, pos, (cuts[mid] ?? 0) - from, passage.text, from)) lo = mid;
      else hi = mid - 1;
    }
    const end = pos + (cuts[lo] ?? 0) - from;
    // The cut before it lies inside the compared stretch, so the text cuts there as well.
    if (lo > index + 1 && end < text.length && !isCutAt(text, end)) lo--;
    return lo;
  }

  /** Enters a passage's sentences into the memo (newer passages take over shared sentences). */
  private remember(text: string, ids: Int32Array, cuts: readonly number[], tokenAt: readonly number[]): void {
    if (this.sentences.size + cuts.length > MEMO_MAX || this.passageChars + text.length > PASSAGE_CHARS_MAX) {
      this.sentences.clear();
      this.passageChars = 0;
    }
    const passage: Passage = { text, ids, cuts: Int32Array.from(cuts), tokenAt: Int32Array.from(tokenAt) };
    this.passageChars += text.length;
    for (let j = 0; j + 1 < cuts.length; j++) this.sentences.set(sampleKey(text, cuts[j] ?? 0, cuts[j + 1] ?? 0), { passage, index: j });
  }

  /** The ids of `text` word by word. */
  private words(text: string, out: number[]): void {
    const n = text.length;
    let start = 0;
    for (let i = 1; i < n - 1; i++) {
      if (text.charCodeAt(i) !== 0x20) {
        if (i - start >= MAX_RUN) {
          this.piece(text.slice(start, i), out);
          start = i;
        }
        continue;
      }
      const before = text.charCodeAt(i - 1);
      const after = text.charCodeAt(i + 1) | 0x20;
      if (before === 0x20 || before === 0x0a || before === 0x09 || before === 0x0d || after < 0x61 || after > 0x7a) continue;
      if (i > start) this.piece(text.slice(start, i), out);
      start = i;
    }
    if (start < n) this.piece(text.slice(start), out);
  }

  private piece(p: string, out: number[]): void {
    let ids = this.memo.get(p);
    if (ids === undefined) {
      ids = encode(p);
      const key = sampleKey(p, 0, p.length);
      const slot = key & (SEEN_SLOTS - 1);
      if (this.seenWords[slot] === key) {
        if (this.memo.size >= MEMO_MAX) this.memo.clear();
        this.memo.set(detached(p), ids);
      } else this.seenWords[slot] = key;
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i] as number);
  }
}

const isCapital = (c: number): boolean => c >= 0x41 && c <= 0x5a; // false for NaN (past the end)

/** Whether `text` cuts at `i`: a space after . ! or ? and before a capital. */
function isCutAt(text: string, i: number): boolean {
  const before = text.charCodeAt(i - 1);
  return text.charCodeAt(i) === 0x20 && (before === 0x2e || before === 0x21 || before === 0x3f) && isCapital(text.charCodeAt(i + 1));
}

/**
 * Whether text[pos, pos + length) equals other[at, at + length). Two slices compared with ===:
 * V8 compares their characters with memcmp, ~0.03 ns a character against ~1 ns for startsWith
 * at an offset, for the price of two small allocations.
 */
function sameText(text: string, pos: number, length: number, other: string, at: number): boolean {
  if (pos + length > text.length || at + length > other.length) return false;
  return text.slice(pos, pos + length) === other.slice(at, at + length);
}

/** Whether the memo's sentence is text[pos, end): the same length and the same characters. */
function isSentence(hit: Sentence, text: string, pos: number, end: number): boolean {
  const { cuts, text: other } = hit.passage;
  const from = cuts[hit.index] ?? 0;
  return (cuts[hit.index + 1] ?? 0) - from === end - pos && sameText(text, pos, end - pos, other, from);
}

/**
 * A 30-bit key of text[start, end): its length, its first LEAD_CHARS characters and 16 more spread
 * along it (exported for tests). The first characters are taken whole because texts made unique by
 * a short lead word (synthetic prompts, a request counter) differ only there: a key that sampled
 * one of them took one unique 1,000-token prompt in five for a second sighting of its first
 * sentence, and remembered a sentence that never recurs.
 */
export function sampleKey(text: string, start: number, end: number): number {
  const len = end - start;
  let h = Math.imul(FNV_OFFSET ^ len, FNV_PRIME);
  for (let k = 1, lead = Math.min(LEAD_CHARS, len); k < lead; k++) h = Math.imul(h ^ text.charCodeAt(start + k), FNV_PRIME);
  for (let k = 0; k < 16; k++) h = Math.imul(h ^ text.charCodeAt(start + Math.floor((k * len) / 16)), FNV_PRIME);
  h = Math.imul(h ^ text.charCodeAt(end - 1), FNV_PRIME);
  return h >>> 2;
}

/**
 * A copy of `s` that does not point into the string it was sliced from. V8 makes a slice of 13
 * or more characters a view of its parent, so a memo keyed by slices would keep whole prompts
 * (kilobytes each) alive for the sake of one sentence or word. A JSON round trip copies exactly
 * (lone surrogates included) into a fresh flat string; it runs only when an entry is stored.
 */
function detached(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

function encode(text: string): number[] {
  const enc = loadO200k();
  if (enc === null) return estimate(text);
  try {
    return enc.encode(text, AS_TEXT);
  } catch {
    return estimate(text);
  }
}

/** Without the tokenizer: one pseudo id per 4 characters, stable for equal text (for the cache). */
function estimate(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 4) {
    let h = 0;
    for (let j = i; j < Math.min(text.length, i + 4); j++) h = (h * 31 + text.charCodeAt(j)) >>> 0;
    out.push(h % 200_000);
  }
  return out;
}

/** Loads the tokenizer's tables now (~0.5 s), so no request pays for it. */
export function preloadPromptTokenizer(): void {
  loadO200k();
}
