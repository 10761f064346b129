// Deterministic, plausible English. Each token is one entry of a fixed vocabulary chosen so that
// every entry is exactly one token in both o200k_base and cl100k_base and the pieces never merge
// across boundaries (test/sim/text.test.ts checks this with gpt-tokenizer). So a client that counts
// the assembled text with a GPT tokenizer gets the same number the simulator reports in `usage`.

import { mixSeeds, mulberry32, type Rng } from './prng.ts';

const DET = ['the', 'a', 'each', 'every', 'this', 'that', 'our', 'their', 'one', 'its'];
const PRONOUNS = ['it', 'she', 'he', 'someone', 'everyone', 'nobody'];
const ADJ = (
  'small large fast slow new old simple clear stable final early late quiet open main local remote ' +
  'single common short long high low good strong busy full free real whole next last great modern ' +
  'careful useful bright dark warm cold heavy light quick steady plain rare safe basic current recent ' +
  'private public direct exact hidden random narrow wide deep important different similar possible ' +
  'likely ready certain extra'
).split(' ');
const NOUN = (
  'model server request token system user team query answer result network stream queue batch ' +
  'process client engine cache layer window signal path record message task value graph page line ' +
  'word field table chart test plan step goal idea method reason problem question story river city ' +
  'road garden house morning evening report change number level pattern sample version service ' +
  'project design letter market budget meeting moment choice decision detail feature limit response ' +
  'function document library machine computer program language student teacher author reader writer ' +
  'engineer worker village forest mountain bridge station kitchen office school country company ' +
  'history summer winter thought memory picture sound voice weather journey experiment measure ' +
  'schedule estimate benchmark latency throughput dashboard cluster node region timeline review'
).split(' ');
const VERB = (
  'sends reads writes builds finds keeps moves takes makes shows holds checks tracks serves opens ' +
  'closes starts needs uses follows changes returns measures handles carries brings gives sees learns ' +
  'explains describes improves reaches supports creates tests compares records reviews shapes reduces ' +
  'expects prepares collects shares protects updates replaces receives answers covers joins leaves ' +
  'watches enters'
).split(' ');
const ADV = 'quickly slowly often rarely always never usually carefully simply finally already still really clearly mostly quietly gently suddenly'.split(' ');
const PREP = 'with from into over under after before through across near without behind beyond inside around along during between about for'.split(' ');
const CONJ = 'and but while because so although when until since'.split(' ');

/** Every token string, indexed by token id. */
export const TOKEN_TEXT: readonly string[] = buildTable();
/** The same tokens, JSON-encoded once (ASCII), as bytes, so the hot path only copies. */
export const TOKEN_BYTES: readonly Uint8Array[] = TOKEN_TEXT.map((t) => Buffer.from(JSON.stringify(t), 'latin1'));
/**
 * The same tokens as pieces of a tool call's JSON arguments: each is text inside the arguments'
 * string value, and the arguments are themselves a JSON string on the wire, so encoded twice.
 */
export const TOKEN_ARG_BYTES: readonly Uint8Array[] = TOKEN_TEXT.map((t) => Buffer.from(JSON.stringify(JSON.stringify(t).slice(1, -1)), 'latin1'));

const index = new Map<string, number>(TOKEN_TEXT.map((t, i) => [t, i]));
function id(text: string): number {
  const i = index.get(text);
  if (i === undefined) throw new Error(`token not in vocabulary: ${JSON.stringify(text)}`);
  return i;
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function buildTable(): string[] {
  const out = new Set<string>(['.', ',', '.\n\n', ' is', ' an', 'An', ' An']);
  for (const w of [...ADJ, ...NOUN, ...VERB, ...ADV, ...PREP, ...CONJ]) out.add(` ${w}`);
  // Sentences start with a determiner or a pronoun: after a paragraph break without a space.
  for (const w of [...DET, ...PRONOUNS]) {
    out.add(` ${w}`);
    out.add(capital(w));
    out.add(` ${capital(w)}`);
  }
  return [...out];
}

const DOT = id('.');
const COMMA = id(',');
const PARAGRAPH = id('.\n\n');
const IS = id(' is');
const ids = (words: string[]): number[] => words.map((w) => id(` ${w}`));
const DET_IDS = ids(DET);
const PRON_IDS = ids(PRONOUNS);
const ADJ_IDS = ids(ADJ);
const NOUN_IDS = ids(NOUN);
const VERB_IDS = ids(VERB);
const ADV_IDS = ids(ADV);
const PREP_IDS = ids(PREP);
const CONJ_IDS = ids(CONJ);
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

function pick(rng: Rng, list: readonly number[]): number {
  return list[Math.floor(rng() * list.length)] ?? DOT;
}

/** Sentence-building state machine writing ids into `out`. Keeps grammar simple but readable. */
class SentenceWriter {
  private sentencesInParagraph = 0;
  private paragraphLength: number;
  constructor(
    private readonly rng: Rng,
    private readonly out: number[],
  ) {
    this.paragraphLength = 3 + Math.floor(rng() * 4);
  }

  sentence(first: boolean): void {
    this.clause(first);
    if (this.rng() < 0.3) {
      this.out.push(COMMA, pick(this.rng, CONJ_IDS));
      this.clause(false, true);
    }
    this.sentencesInParagraph += 1;
    if (this.sentencesInParagraph >= this.paragraphLength) {
      this.out.push(PARAGRAPH);
      this.sentencesInParagraph = 0;
      this.paragraphLength = 3 + Math.floor(this.rng() * 4);
    } else {
      this.out.push(DOT);
    }
  }

  private clause(sentenceStart: boolean, lower = false): void {
    const atParagraphStart = this.out.length === 0 || this.out[this.out.length - 1] === PARAGRAPH;
    const capitalise = sentenceStart && !lower;
    const r = this.rng();
    if (r < 0.2) this.word(pick(this.rng, PRON_IDS), capitalise, atParagraphStart);
    else this.nounPhrase(capitalise, atParagraphStart);
    if (this.rng() < 0.25) {
      this.out.push(IS);
      if (this.rng() < 0.3) this.out.push(pick(this.rng, ADV_IDS));
      this.out.push(pick(this.rng, ADJ_IDS));
      return;
    }
    if (this.rng() < 0.2) this.out.push(pick(this.rng, ADV_IDS));
    this.out.push(pick(this.rng, VERB_IDS));
    this.nounPhrase(false, false);
    if (this.rng() < 0.5) {
      this.out.push(pick(this.rng, PREP_IDS));
      this.nounPhrase(false, false);
    }
  }

  private nounPhrase(capitalise: boolean, noSpace: boolean): void {
    const adj = this.rng() < 0.45 ? pick(this.rng, ADJ_IDS) : -1;
    const noun = pick(this.rng, NOUN_IDS);
    let det = pick(this.rng, DET_IDS);
    const next = TOKEN_TEXT[adj >= 0 ? adj : noun] ?? ' x';
    // "a" before a vowel sound becomes "an" (by spelling: good enough for generated prose).
    if (TOKEN_TEXT[det] === ' a' && VOWELS.has(next.charAt(1))) det = id(' an');
    this.word(det, capitalise, noSpace);
    if (adj >= 0) this.out.push(adj);
    this.out.push(noun);
  }

  /** Pushes a word that may open a sentence (capitalised) or a paragraph (no leading space). */
  private word(tokenId: number, capitalise: boolean, noSpace: boolean): void {
    if (!capitalise) {
      this.out.push(tokenId);
      return;
    }
    const bare = (TOKEN_TEXT[tokenId] ?? ' x').slice(1);
    this.out.push(id(noSpace ? capital(bare) : ` ${capital(bare)}`));
  }
}

/**
 * The token ids of a completion of `length` tokens, a pure function of (seed, promptHash, length).
 * A completion capped by max tokens is a prefix of the uncapped one, which is what makes a
 * streaming and a non-streaming request with the same seed and prompt produce the same text.
 */
export function generateTokenIds(seed: number, promptHash: number, length: number): Uint16Array {
  const rng = mulberry32(mixSeeds(seed, promptHash));
  const ids: number[] = [];
  const writer = new SentenceWriter(rng, ids);
  while (ids.length < length) writer.sentence(true);
  const out = Uint16Array.from(ids.slice(0, length));
  // End an uncapped completion on a full stop, as a model that chose to stop would. Two
  // punctuation tokens in a row would merge into one GPT token, so an adverb goes between.
  if (length > 0) {
    if (length >= 3 && isPunctuation(out[length - 2])) out[length - 2] = pick(rng, ADV_IDS);
    out[length - 1] = DOT;
  }
  return out;
}

function isPunctuation(tokenId: number | undefined): boolean {
  return tokenId === DOT || tokenId === COMMA || tokenId === PARAGRAPH;
}

/** Concatenated text of token ids. */
export function tokensToText(tokenIds: Uint16Array, count = tokenIds.length): string {
  let s = '';
  for (let i = 0; i < count; i++) s += TOKEN_TEXT[tokenIds[i] ?? DOT] ?? '';
  return s;
}

/** JSON string literal of the text of the first `count` tokens (for non-streaming bodies); ASCII. */
export function tokensToJson(tokenIds: Uint16Array, count = tokenIds.length): string {
  return JSON.stringify(tokensToText(tokenIds, count));
}
