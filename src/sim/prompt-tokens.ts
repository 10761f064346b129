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

export class PromptTokenizer {
  private readonly memo = new Map<string, readonly number[]>();
  private readonly sentences = new Map<string, readonly number[]>();

  /**
   * Appends the ids of `text` to `out`. Sentences first (cut at a space after . ! or ? and before
   * a capital, which is also a word cut): prompts cut from the same text share most sentences
   * whole, so a sentence is one lookup instead of one per word.
   */
  encodeInto(text: string, out: number[]): void {
    const n = text.length;
    let start = 0;
    for (let i = 1; i < n - 1; i++) {
      if (text.charCodeAt(i) !== 0x20) continue;
      const before = text.charCodeAt(i - 1);
      const after = text.charCodeAt(i + 1);
      if ((before !== 0x2e && before !== 0x21 && before !== 0x3f) || after < 0x41 || after > 0x5a) continue;
      this.sentence(text.slice(start, i), out);
      start = i;
    }
    if (start < n) this.sentence(text.slice(start), out);
  }

  /** Token count of `text`. */
  count(text: string): number {
    const out: number[] = [];
    this.encodeInto(text, out);
    return out.length;
  }

  private sentence(s: string, out: number[]): void {
    let ids = this.sentences.get(s);
    if (ids === undefined) {
      const fresh: number[] = [];
      this.words(s, fresh);
      ids = fresh;
      if (this.sentences.size >= MEMO_MAX) this.sentences.clear();
      this.sentences.set(s, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i] as number);
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
      this.memo.set(p, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i] as number);
  }
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
