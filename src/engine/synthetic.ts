import { CORPUS } from './corpus.ts';
import { drawLength, lengthMin, type LengthSpec } from './lengths.ts';
import { Prng } from './prng.ts';
import { packPrompts, type PackedEntry, type PackedPrompts } from './packed-prompts.ts';
import { toPrompt, type Prompt } from './prompts.ts';
import { countTokens } from './wire/tokens.ts';

/**
 * Synthetic prompts of a chosen token length (--input-tokens), optionally opening with a prefix
 * shared by many requests (--shared-prefix, --prefix-groups, --prefix-ratio), each with its own
 * output target (--output-tokens). Built before the run, never while requests are timed.
 *
 * Lengths are exact for the o200k tokenizer without tokenizing a prompt: the corpus is cut into
 * units, each a space and a word (with any punctuation after it). o200k's pre-tokenizer starts a
 * new piece at a space between a non-space character and a letter, and its BPE never merges
 * across pieces, so a text made of whole units has as many tokens as its units have apart. Each
 * unit is counted once; a prompt is a slice of the corpus (found by binary search over running
 * totals) topped up with one-token units. Every prompt opens with a lead word made from its
 * index, so no two prompts share a first token and a server's prefix cache cannot hit by
 * accident; only a --shared-prefix is common.
 */

/** What to build; lengths count the user message's tokens (o200k), shared prefix included. */
export interface SyntheticSpec {
  input: LengthSpec;
  output?: LengthSpec;
  prefix?: SharedPrefixSpec;
  system?: string;
  /** How many prompts. */
  count: number;
  seed: number;
}

export interface SharedPrefixSpec {
  /** Tokens of each shared prefix. */
  tokens: number;
  /** Distinct prefixes; each request carrying one draws which. */
  groups: number;
  /** Share of requests that carry one, 0..1. */
  ratio: number;
}

/** Tokens the unique part of a prompt needs at least: its lead word and a unit of text. */
export const MIN_UNIQUE_TOKENS = 8;

/** The corpus as units, with running totals of characters and tokens. */
class UnitText {
  /** The units back to back: " The harbour town woke ..." */
  readonly text: string;
  /** Character offset where unit i starts (length units + 1). */
  readonly charAt: Uint32Array;
  /** Tokens in units [0, i) (length units + 1). */
  readonly tokensBefore: Float64Array;
  readonly units: number;
  /** Units of exactly one token, for topping a prompt up to its length. */
  readonly ones: readonly string[];

  constructor(corpus: string) {
    const words = corpus.split(/\s+/).filter((w) => w !== '');
    this.units = words.length;
    this.charAt = new Uint32Array(words.length + 1);
    this.tokensBefore = new Float64Array(words.length + 1);
    const counts = new Map<string, number>();
    const ones = new Set<string>();
    let text = '';
    words.forEach((w, i) => {
      const unit = ` ${w}`;
      let n = counts.get(unit);
      if (n === undefined) {
        n = countTokens(unit);
        counts.set(unit, n);
      }
      if (n === 1) ones.add(unit);
      text += unit;
      this.charAt[i + 1] = text.length;
      this.tokensBefore[i + 1] = (this.tokensBefore[i] ?? 0) + n;
    });
    this.text = text;
    this.ones = [...ones];
    if (this.ones.length === 0) throw new Error('synthetic corpus has no one-token words');
  }

  get totalTokens(): number {
    return this.tokensBefore[this.units] ?? 0;
  }

  /** The largest end in [start, units] whose units [start, end) hold at most `budget` tokens. */
  private fit(start: number, budget: number): number {
    const base = this.tokensBefore[start] ?? 0;
    let lo = start;
    let hi = this.units;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.tokensBefore[mid] ?? 0) - base <= budget) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Exactly `tokens` tokens of text made of whole units, from unit `start` on (wrapping round). */
  take(start: number, tokens: number, prng: Prng): string {
    let out = '';
    let left = tokens;
    let s = start % this.units;
    while (left > 0) {
      const end = this.fit(s, left);
      out += this.text.slice(this.charAt[s], this.charAt[end]);
      left -= (this.tokensBefore[end] ?? 0) - (this.tokensBefore[s] ?? 0);
      if (end < this.units) break;
      s = 0;
    }
    // The next unit did not fit: one-token units make up the rest (at most a unit's length).
    for (; left > 0; left--) out += this.ones[prng.int(this.ones.length)];
    return out;
  }
}

let shared: UnitText | undefined;
function corpus(): UnitText {
  return (shared ??= new UnitText(CORPUS));
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * A lowercase word unique to `index` (its letters in base 26) with two random letters after,
 * so neighbouring prompts differ in their very first token too.
 */
export function leadWord(index: number, prng: Prng): string {
  let w = '';
  let n = index;
  do {
    w += LETTERS[n % 26];
    n = Math.floor(n / 26);
  } while (n > 0);
  return `${w}${LETTERS[prng.int(26)]}${LETTERS[prng.int(26)]}`;
}

/**
 * The unique part of a prompt: a lead word, then text, `tokens` tokens in all. `afterText` when
 * it follows a shared prefix (the lead then takes a leading space, which starts a new piece).
 */
function uniqueText(text: UnitText, index: number, tokens: number, afterText: boolean, prng: Prng): string {
  const lead = `${afterText ? ' ' : ''}${leadWord(index, prng)}`;
  const leadTokens = countTokens(lead);
  return lead + text.take(prng.int(text.units), Math.max(0, tokens - leadTokens), prng);
}

/** The shared prefixes, one per group: the same for a given seed, different between groups. */
function prefixTexts(text: UnitText, spec: SharedPrefixSpec, prng: Prng): string[] {
  // Group leads come after every request lead in base 26 (index 2^40 + g), so never collide.
  return Array.from({ length: spec.groups }, (_, g) => uniqueText(text, 2 ** 40 + g, spec.tokens, false, prng));
}

/**
 * Entry i of a synthetic set, for i = 0, 1, 2, ... in order (the generators advance with each
 * call, so the same seed gives the same prompts however they are stored).
 */
function syntheticEntries(spec: SyntheticSpec): (i: number) => PackedEntry {
  const text = corpus();
  const root = new Prng(spec.seed);
  const lengths = root.fork(11);
  const outputs = root.fork(12);
  const pick = root.fork(13);
  const words = root.fork(14);
  const prefixes = spec.prefix !== undefined && spec.prefix.tokens > 0 ? prefixTexts(text, spec.prefix, root.fork(15)) : [];
  return (i) => {
    const total = drawLength(spec.input, lengths, MIN_UNIQUE_TOKENS);
    const withPrefix = prefixes.length > 0 && spec.prefix !== undefined && pick.next() < spec.prefix.ratio;
    let entry: PackedEntry;
    if (withPrefix && spec.prefix !== undefined) {
      const prefix = prefixes[pick.int(prefixes.length)] ?? '';
      const rest = Math.max(MIN_UNIQUE_TOKENS, total - spec.prefix.tokens);
      entry = { content: prefix + uniqueText(text, i, rest, true, words), prefixChars: prefix.length, inputTokens: spec.prefix.tokens + rest };
    } else {
      entry = { content: uniqueText(text, i, total, false, words), prefixChars: 0, inputTokens: total };
    }
    if (spec.output !== undefined) entry.outputTokens = drawLength(spec.output, outputs, 1);
    return entry;
  };
}

/** Builds `spec.count` prompts. Each carries its output target when `spec.output` is given. */
export function buildSyntheticPrompts(spec: SyntheticSpec): Prompt[] {
  const next = syntheticEntries(spec);
  const system = spec.system !== undefined && spec.system !== '' ? [{ role: 'system' as const, content: spec.system }] : [];
  const out: Prompt[] = new Array<Prompt>(spec.count);
  for (let i = 0; i < spec.count; i++) {
    const e = next(i);
    const user = { role: 'user' as const, content: e.content, ...(e.prefixChars > 0 ? { cachePrefixChars: e.prefixChars } : {}) };
    const prompt: Prompt = { ...toPrompt([...system, user]), inputTokens: e.inputTokens };
    if (e.outputTokens !== undefined) prompt.outputTokens = e.outputTokens;
    out[i] = prompt;
  }
  return out;
}

/** The same prompts as buildSyntheticPrompts, packed as bytes for a run (see packed-prompts.ts). */
export function buildSyntheticPacked(spec: SyntheticSpec): PackedPrompts {
  return packPrompts(spec.count, syntheticEntries(spec), {
    ...(spec.system !== undefined ? { system: spec.system } : {}),
    withOutputs: spec.output !== undefined,
  });
}

/** The smallest input length a spec can draw, for checking a shared prefix fits. */
export function smallestInput(spec: LengthSpec): number {
  return lengthMin(spec, MIN_UNIQUE_TOKENS);
}

/**
 * Exactly `tokens` o200k tokens of corpus text opening with a word made from `index` (after a
 * space, so texts built this way join without merging tokens: their counts add up). The same
 * index and generator state give the same text. Shorter than MIN_UNIQUE_TOKENS there is no
 * room for the word: the text is then one-token units only. For a trace's hash blocks and the
 * unique rest of its prompts (config/dataset/mooncake.ts).
 */
export function exactText(index: number, tokens: number, prng: Prng): string {
  const text = corpus();
  if (tokens >= MIN_UNIQUE_TOKENS) return uniqueText(text, index, tokens, true, prng);
  let out = '';
  for (let i = 0; i < tokens; i++) out += text.ones[prng.int(text.ones.length)];
  return out;
}
