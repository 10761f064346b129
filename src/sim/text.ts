// Deterministic, plausible English. Each token is one entry of a fixed vocabulary chosen so that
// every entry is exactly one token in both o200k_base and cl100k_base and the pieces never merge
// across boundaries (test/sim/text.test.ts checks this with gpt-tokenizer). So a client that counts
// the assembled text with a GPT tokenizer gets the same number the simulator reports in `usage`.

import { mixSeeds, mulberry32, type Rng } from './prng.ts';
import { TokenTextHasher } from './text-hash.ts';

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

/** Writes one sentence's words into `out`, without its closing punctuation. Simple grammar, readable. */
class SentenceWriter {
  constructor(
    private readonly rng: Rng,
    private readonly out: number[],
  ) {}

  /** A sentence whose first word is capitalised and follows a space (" The ..."). */
  sentence(): void {
    this.clause(true);
    if (this.rng() < 0.3) {
      this.out.push(COMMA, pick(this.rng, CONJ_IDS));
      this.clause(false);
    }
  }

  private clause(sentenceStart: boolean): void {
    const r = this.rng();
    if (r < 0.2) this.word(pick(this.rng, PRON_IDS), sentenceStart);
    else this.nounPhrase(sentenceStart);
    if (this.rng() < 0.25) {
      this.out.push(IS);
      if (this.rng() < 0.3) this.out.push(pick(this.rng, ADV_IDS));
      this.out.push(pick(this.rng, ADJ_IDS));
      return;
    }
    if (this.rng() < 0.2) this.out.push(pick(this.rng, ADV_IDS));
    this.out.push(pick(this.rng, VERB_IDS));
    this.nounPhrase(false);
    if (this.rng() < 0.5) {
      this.out.push(pick(this.rng, PREP_IDS));
      this.nounPhrase(false);
    }
  }

  private nounPhrase(capitalise: boolean): void {
    const adj = this.rng() < 0.45 ? pick(this.rng, ADJ_IDS) : -1;
    const noun = pick(this.rng, NOUN_IDS);
    let det = pick(this.rng, DET_IDS);
    const next = TOKEN_TEXT[adj >= 0 ? adj : noun] ?? ' x';
    // "a" before a vowel sound becomes "an" (by spelling: good enough for generated prose).
    if (TOKEN_TEXT[det] === ' a' && VOWELS.has(next.charAt(1))) det = id(' an');
    this.word(det, capitalise);
    if (adj >= 0) this.out.push(adj);
    this.out.push(noun);
  }

  /** Pushes a word, capitalised when it opens the sentence. */
  private word(tokenId: number, capitalise: boolean): void {
    this.out.push(capitalise ? id(` ${capital((TOKEN_TEXT[tokenId] ?? ' x').slice(1))}`) : tokenId);
  }
}

/**
 * Sentences written once per seed, from which every completion is assembled: a completion is a
 * run of sentences drawn by index, each copied whole. Writing each answer word by word cost
 * ~85 µs per 2,000 tokens, on the path of every request whose prompt is new (a dataset,
 * --input-tokens); drawing sentences costs ~14. With 4,096 sentences of ~12 tokens, answers
 * still differ prompt to prompt.
 */
interface SentencePool {
  /** Every sentence's tokens after its first, back to back. */
  rest: Uint16Array;
  /** Where sentence i's rest starts in `rest` (length POOL_SENTENCES + 1). */
  at: Uint32Array;
  /** Sentence i's first token after a full stop (" The") and opening a paragraph ("The"). */
  first: Uint16Array;
  firstInParagraph: Uint16Array;
}

const POOL_SENTENCES = 4096;
/** Pools kept (one per seed in use: the answer's and the reasoning's). */
const POOLS_MAX = 16;
const pools = new Map<number, SentencePool>();

function sentencePool(seed: number): SentencePool {
  let pool = pools.get(seed);
  if (pool !== undefined) return pool;
  const rng = mulberry32(mixSeeds(seed, 0x5e7e9ce5));
  const rest: number[] = [];
  const at = new Uint32Array(POOL_SENTENCES + 1);
  const first = new Uint16Array(POOL_SENTENCES);
  const firstInParagraph = new Uint16Array(POOL_SENTENCES);
  const words: number[] = [];
  const writer = new SentenceWriter(rng, words);
  for (let i = 0; i < POOL_SENTENCES; i++) {
    words.length = 0;
    writer.sentence();
    const opener = words[0] ?? DOT;
    first[i] = opener;
    firstInParagraph[i] = id((TOKEN_TEXT[opener] ?? ' X').slice(1));
    for (let j = 1; j < words.length; j++) rest.push(words[j] ?? DOT);
    at[i + 1] = rest.length;
  }
  pool = { rest: Uint16Array.from(rest), at, first, firstInParagraph };
  if (pools.size >= POOLS_MAX) pools.clear();
  pools.set(seed, pool);
  return pool;
}

/**
 * The token ids of a completion of `length` tokens, a pure function of (seed, promptHash, length):
 * sentences drawn from the seed's pool, in paragraphs of 3 to 6. A completion capped by max tokens
 * is a prefix of the uncapped one (but for its last two tokens), which is what makes a streaming
 * and a non-streaming request with the same seed and prompt produce the same text.
 */
export function generateTokenIds(seed: number, promptHash: number, length: number): Uint16Array {
  const pool = sentencePool(seed);
  const { rest } = pool;
  const rng = mulberry32(mixSeeds(seed, promptHash));
  const out = new Uint16Array(length);
  let n = 0;
  let sentences = 0;
  let paragraphLength = 3 + Math.floor(rng() * 4);
  while (n < length) {
    const s = Math.floor(rng() * POOL_SENTENCES);
    out[n++] = (sentences === 0 ? pool.firstInParagraph[s] : pool.first[s]) ?? DOT;
    const from = pool.at[s] ?? 0;
    const to = Math.min(pool.at[s + 1] ?? 0, from + length - n);
    // A loop, not set(subarray): a sentence is ~12 tokens, less than making the view costs.
    for (let j = from; j < to; j++) out[n++] = rest[j] as number;
    if (n >= length) break;
    sentences += 1;
    if (sentences >= paragraphLength) {
      out[n++] = PARAGRAPH;
      sentences = 0;
      paragraphLength = 3 + Math.floor(rng() * 4);
    } else {
      out[n++] = DOT;
    }
  }
  // End an uncapped completion on a full stop, as a model that chose to stop would. Two
  // punctuation tokens in a row would merge into one GPT token, so an adverb goes between.
  if (length > 0) {
    if (length >= 3 && isPunctuation(out[length - 2])) out[length - 2] = pick(rng, ADV_IDS);
    out[length - 1] = DOT;
  }
  return out;
}

const answerHasher = new TokenTextHasher(TOKEN_TEXT);

/** textHash of the text a client assembles from answer tokens ids[from, to). */
export function answerTextHash(ids: Uint16Array, from: number, to: number): number {
  return answerHasher.hash(ids, from, to);
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
