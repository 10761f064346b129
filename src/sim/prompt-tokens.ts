import { AS_TEXT, loadO200k } from '../shared/o200k.ts';

/**
 * The simulator's prompt tokenizer: o200k token ids of a prompt, exact, and cheap enough for
 * thousands of requests a second.
 *
 * A text is cut where o200k's pre-tokenizer always starts a new piece: at a space that follows a
 * non-space character and precedes an ASCII letter (the space opens the next word; no pattern
 * carries a space across a word). BPE never merges across pieces, so encoding the cuts apart
 * gives the ids of the whole. Each cut is looked up in a memo first: prompts repeat words far
 * more than they repeat whole texts, so most of a new prompt costs map lookups, not BPE.
 * A run of more than MAX_RUN characters without such a cut (code, CJK, base64) is encoded in
 * MAX_RUN-character slices, bounding gpt-tokenizer's quadratic cost on long pieces at the price
 * of a token or so per forced cut in such text.
 */

const MAX_RUN = 512;
/** Memo entries kept; the memo is emptied when full (cheap, and the next prompts refill it). */
const MEMO_MAX = 200_000;
/** Slots of the filter that admits a sentence to the memo on its second sighting (a power of 2). */
const SEEN_SLOTS = 1 << 16;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * A growable array of token ids, reused for every prompt: a 1,000-token prompt then costs no
 * allocation, and a memoised sentence is copied in with one `set` (a memcpy) instead of a push
 * per id.
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

/** A memoised sentence: its text (to confirm a key match) and its ids. */
interface Sentence {
  text: string;
  ids: Int32Array;
}

export class PromptTokenizer {
  private readonly memo = new Map<string, readonly number[]>();
  /**
   * Sentences by a key made of their length and 16 characters sampled along them (a small
   * integer, so the lookup hashes no string): a memo hit then costs one native comparison of the
   * text (startsWith at an offset) and one copy of its ids, with no slice of the prompt and no
   * JavaScript loop over its characters (which costs more than the rest put together). Sentences
   * that share a key confirm against the stored text, so a clash costs a miss, never a wrong id.
   */
  private readonly sentences = new Map<number, Sentence>();
  /**
   * Keys of sentences seen once. A sentence enters the memo on its second sighting: a prompt made
   * unique by a lead word or a random tail would otherwise add one or two entries that never hit
   * again, until the memo fills and is emptied (losing the sentences that do repeat).
   */
  private readonly seen = new Int32Array(SEEN_SLOTS);
  /** Scratch ids of a sentence that missed the memo. */
  private readonly scratch: number[] = [];

  /**
   * Appends the ids of `text` to `out`. Sentences first (cut at a space after . ! or ? and before
   * a capital, which is also a word cut): prompts cut from the same text share most sentences
   * whole, so a sentence is one lookup instead of one per word.
   */
  encodeInto(text: string, out: TokenIds): void {
    // The candidate cuts come from native searches for ". ", "! " and "? " (a memchr-like scan),
    // each kept one step ahead; a candidate cuts when a capital follows its space.
    let dot = text.indexOf('. ');
    let bang = text.indexOf('! ');
    let ask = text.indexOf('? ');
    let start = 0;
    for (;;) {
      let mark = dot;
      if (bang >= 0 && (mark < 0 || bang < mark)) mark = bang;
      if (ask >= 0 && (mark < 0 || ask < mark)) mark = ask;
      if (mark < 0) break;
      const space = mark + 1;
      const after = text.charCodeAt(space + 1); // NaN past the end: no cut
      if (after >= 0x41 && after <= 0x5a) {
        this.sentence(text, start, space, out);
        start = space;
      }
      if (mark === dot) dot = text.indexOf('. ', mark + 1);
      else if (mark === bang) bang = text.indexOf('! ', mark + 1);
      else ask = text.indexOf('? ', mark + 1);
    }
    if (start < text.length) this.sentence(text, start, text.length, out);
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

  /** Appends the ids of text[start, end). */
  private sentence(text: string, start: number, end: number, out: TokenIds): void {
    const key = sampleKey(text, start, end);
    const known = this.sentences.get(key);
    if (known !== undefined && known.text.length === end - start && text.startsWith(known.text, start)) {
      out.append(known.ids);
      return;
    }
    const s = text.slice(start, end);
    const ids = this.scratch;
    ids.length = 0;
    this.words(s, ids);
    out.appendArray(ids);
    const slot = key & (SEEN_SLOTS - 1);
    if (this.seen[slot] !== key) {
      this.seen[slot] = key;
      return;
    }
    if (this.sentences.size >= MEMO_MAX) this.sentences.clear();
    this.sentences.set(key, { text: detached(s), ids: Int32Array.from(ids) });
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
      if (this.memo.size >= MEMO_MAX) this.memo.clear();
      this.memo.set(detached(p), ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i] as number);
  }
}

/** A 30-bit key of text[start, end): its length and 16 characters spread along it (exported for tests). */
export function sampleKey(text: string, start: number, end: number): number {
  const len = end - start;
  let h = Math.imul(FNV_OFFSET ^ len, FNV_PRIME);
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
