// Output-token fallback for servers that report no usage: o200k_base (GPT-4o and later) over the
// whole text, never a chunk count (DESIGN.md, "Output tokens").
//
// The encoding's tables take ~0.5 s to load, which would stall the event loop (and every in-flight
// measurement) if it happened mid-run. So it loads lazily, synchronously through require (so
// countTokens stays synchronous), and preloadTokenizer() lets the engine pay that cost before t0.
//
// gpt-tokenizer's BPE is quadratic in the length of a single pre-token: 32k characters without
// whitespace take seconds. We count long texts in segments, cut before whitespace and inside any
// run of MAX_RUN non-whitespace characters, which bounds the cost at the price of a token or so per
// forced cut in such (pathological) text.

import { AS_TEXT, loadO200k as load } from '../../shared/o200k.ts';

const MAX_RUN = 512;
const SEGMENT = 16 * 1024;

/** Loads the tokenizer now (~0.5 s, synchronous). Returns false if it is unavailable. */
export function preloadTokenizer(): boolean {
  return load() !== null;
}

/** Token count of `text` (o200k_base). Never throws; estimates chars/4 if the tokenizer fails. */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  const enc = load();
  if (enc === null) return estimate(text);
  try {
    let total = 0;
    let start = 0;
    let run = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const ws = c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
      if (ws) run = 0;
      else run++;
      const cutForRun = run > MAX_RUN && !(c >= 0xdc00 && c <= 0xdfff);
      if (cutForRun || (ws && i - start >= SEGMENT)) {
        total += enc.countTokens(text.slice(start, i), AS_TEXT);
        start = i;
        run = ws ? 0 : 1;
      }
    }
    return total + enc.countTokens(text.slice(start), AS_TEXT);
  } catch {
    return estimate(text);
  }
}

function estimate(text: string): number {
  return Math.max(1, Math.round(text.length / 4));
}
