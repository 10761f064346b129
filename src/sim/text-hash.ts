// The simulator's text hash, for its ground-truth records: which answer a request was given and
// which earlier answer a multi-turn request sent back. Polynomial over UTF-16 code units, mod 2^32:
// hash(a + b) = hash(a) * P^|b| + tail(b), so an answer's hash is one multiply-add per token from
// per-token tables, instead of a loop over every character of a 2,000-token answer (~30 µs, on
// the path of every request).

const P = 0x01000193;
const BASIS = 0x811c9dc5;

/** The hash of a text. */
export function textHash(text: string): number {
  let h = BASIS;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, P) + text.charCodeAt(i)) | 0;
  return h >>> 0;
}

/** Hashes the text of token id sequences, each token's part precomputed. */
export class TokenTextHasher {
  /** Each token's text hashed from 0. */
  private readonly part: Int32Array;
  /** P to the power of each token's length. */
  private readonly pow: Int32Array;

  constructor(texts: readonly string[]) {
    this.part = new Int32Array(texts.length);
    this.pow = new Int32Array(texts.length);
    texts.forEach((t, id) => {
      let h = 0;
      let p = 1;
      for (let i = 0; i < t.length; i++) {
        h = (Math.imul(h, P) + t.charCodeAt(i)) | 0;
        p = Math.imul(p, P);
      }
      this.part[id] = h;
      this.pow[id] = p;
    });
  }

  /** textHash of the text of ids[from, to). */
  hash(ids: Uint16Array, from: number, to: number): number {
    const { part, pow } = this;
    let h = BASIS;
    for (let i = from; i < to; i++) {
      const id = ids[i] as number;
      h = (Math.imul(h, pow[id] ?? 1) + (part[id] ?? 0)) | 0;
    }
    return h >>> 0;
  }
}
