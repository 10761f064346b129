import { exactText } from '../../engine/synthetic.ts';
import { Prng } from '../../engine/prng.ts';
import { toPrompt, type Prompt } from '../../engine/prompts.ts';
import { UsageError } from '../../shared/usage-error.ts';
import { forEachJsonlLine, parseObjectLine } from '../prompts-file.ts';
import { MAX_INPUT_TOKENS, MAX_OUTPUT_TOKENS } from '../run-flags.ts';
import { timestampField, wholeField } from './fields.ts';
import { checkLineCount, jsonlSource } from './jsonl.ts';
import { at, type DatasetLine, type DatasetLines } from './types.ts';

/**
 * Mooncake-style traces: one request per line, {"timestamp": MS, "input_length": N,
 * "output_length": N, "hash_ids": [...]}. A trace records lengths, not text, so the text is
 * made here: each hash id stands for one block of BLOCK_TOKENS tokens from the start of the
 * prompt, in order (the last block may be cut short by input_length), and the same id always
 * gives the same text, so a real server's prefix cache hits where the trace's did. What follows
 * the blocks is filled to input_length with text unique to the line. Counts are exact for the
 * o200k tokenizer (see engine/synthetic.ts).
 */

export const BLOCK_TOKENS = 512;
/** Hash ids are whole numbers below this (2^48): their text opens with a word made from the id. */
export const MAX_HASH_ID = 2 ** 48 - 1;
/** Block words sit above every line word in base 26, so a block never opens like a line's own text. */
const BLOCK_WORD_BASE = 2 ** 50;

const SHAPE = 'a Mooncake trace: one {"timestamp": MS, "input_length": N, "output_length": N, "hash_ids": [...]} per line';

interface TraceLine {
  line: number;
  timestampMs?: number;
  inputLength: number;
  outputLength?: number;
  hashIds: number[];
}

function traceLine(o: Record<string, unknown>, where: string, line: number): TraceLine {
  const inputLength = wholeField(o, 'input_length', where, 1, MAX_INPUT_TOKENS);
  if (inputLength === undefined) throw new UsageError(`${where}: needs "input_length", the prompt's length in tokens`);
  const outputLength = wholeField(o, 'output_length', where, 1, MAX_OUTPUT_TOKENS);
  const timestampMs = timestampField(o, where);
  const raw = o.hash_ids ?? [];
  if (!Array.isArray(raw)) throw new UsageError(`${where}: "hash_ids" must be an array of whole numbers (one per ${BLOCK_TOKENS}-token block)`);
  const blocks = Math.ceil(inputLength / BLOCK_TOKENS);
  if (raw.length > blocks)
    throw new UsageError(
      `${where}: "hash_ids" lists ${raw.length} blocks, but input_length ${inputLength} holds ${blocks} block${blocks === 1 ? '' : 's'} of ${BLOCK_TOKENS} tokens`,
    );
  const hashIds = raw.map((h, i) => {
    if (typeof h !== 'number' || !Number.isInteger(h) || h < 0 || h > MAX_HASH_ID)
      throw new UsageError(`${where}: hash_ids[${i}] is ${JSON.stringify(h)}; expected a whole number from 0 to ${MAX_HASH_ID}`);
    return h;
  });
  return { line, inputLength, hashIds, ...(outputLength !== undefined ? { outputLength } : {}), ...(timestampMs !== undefined ? { timestampMs } : {}) };
}

/** A generator seeded from the run's seed and the block's id alone: the same id, the same text. */
function blockPrng(seed: number, id: number): Prng {
  const lo = id % 2 ** 32;
  const hi = Math.floor(id / 2 ** 32);
  return new Prng((Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(lo ^ 0x27d4eb2d, 0x85ebca6b) ^ Math.imul(hi + 1, 0xc2b2ae35)) >>> 0);
}

/**
 * Makes the text of trace prompts. Blocks are remembered by id and length: a trace repeats
 * them, which is the point.
 */
export class TraceText {
  private readonly blocks = new Map<string, string>();

  constructor(private readonly seed: number) {}

  /** The text of block `id`, `tokens` long (BLOCK_TOKENS, or fewer for a prompt's last block). */
  block(id: number, tokens: number): string {
    const key = `${id}:${tokens}`;
    let text = this.blocks.get(key);
    if (text === undefined) {
      text = exactText(BLOCK_WORD_BASE + id, tokens, blockPrng(this.seed, id));
      this.blocks.set(key, text);
    }
    return text;
  }

  /** The whole user message of a line: its blocks, then text of its own up to input_length. */
  prompt(inputLength: number, hashIds: readonly number[], line: number): string {
    let text = '';
    let left = inputLength;
    for (const id of hashIds) {
      const n = Math.min(BLOCK_TOKENS, left);
      text += this.block(id, n);
      left -= n;
    }
    if (left > 0) text += exactText(line, left, new Prng(this.seed).fork(line));
    return text;
  }
}

/** Reads a trace; prompts are made when built, so only for the lines a run sends. */
export function readMooncakeDataset(file: string, seed: number, system?: string): DatasetLines {
  const lines: DatasetLine[] = [];
  const text = new TraceText(seed);
  const sys = system !== undefined && system !== '' ? [{ role: 'system' as const, content: system }] : [];
  forEachJsonlLine(jsonlSource(file, SHAPE), (raw, line) => {
    checkLineCount(file, lines.length + 1);
    const where = at(file, line);
    const t = traceLine(parseObjectLine(raw, { flag: '--dataset', where: `${file}:${line}` }, '{"timestamp": 0, "input_length": 1000, "output_length": 100, "hash_ids": [1, 2]}'), where, line);
    lines.push({
      line,
      ...(t.timestampMs !== undefined ? { timestampMs: t.timestampMs } : {}),
      inputTokens: t.inputLength,
      build: (): Prompt => {
        const content = text.prompt(t.inputLength, t.hashIds, t.line);
        const prompt: Prompt = { ...toPrompt([...sys, { role: 'user', content }]), inputTokens: t.inputLength };
        if (t.outputLength !== undefined) prompt.outputTokens = t.outputLength;
        return prompt;
      },
    });
  });
  return { format: 'mooncake', file, lines, skipped: 0 };
}
