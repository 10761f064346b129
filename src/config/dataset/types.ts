import type { Prompt } from '../../engine/prompts.ts';
import { MiB } from '../../shared/bounded-read.ts';

/**
 * What the dataset readers share: the formats, the limits, and the shape of one line before its
 * prompt is built (a trace's prompts are built only for the lines a run will send).
 */

export const DATASET_FORMATS = ['auto', 'jsonl', 'sharegpt', 'mooncake'] as const;
export type DatasetFormatChoice = (typeof DATASET_FORMATS)[number];
export type DatasetFormat = Exclude<DatasetFormatChoice, 'auto'>;

/** A dataset file is read in pieces, never whole: the file and one line (or conversation) at most. */
export const MAX_DATASET_BYTES = 2048 * MiB;
export const MAX_DATASET_LINE_BYTES = 16 * MiB;
/** Lines a dataset may hold: each becomes a request's prompt, held in memory for the run. */
export const MAX_DATASET_LINES = 2_000_000;
/**
 * Prompt tokens a run builds from a trace at most (~4.5 bytes each, ~90 MB): a whole production
 * trace holds far more; replay a part of it (--duration, -n: only the lines needed are built).
 */
export const TRACE_TOKEN_BUDGET = 20_000_000;

/** One usable line of a dataset, its prompt not yet built. */
export interface DatasetLine {
  /** 1-based line of the file (a ShareGPT array: the line its conversation starts on). */
  line: number;
  /** ms from the start of the run (JSONL `timestamp`, a trace's `timestamp`). */
  timestampMs?: number;
  /** Prompt tokens the line asks for, when it says (a trace's input_length): for the budget. */
  inputTokens?: number;
  /** Builds the prompt (cheap for JSONL and ShareGPT; a trace's text is made here). */
  build(): Prompt;
}

/** A dataset as read, before a run picks the lines it needs. */
export interface DatasetLines {
  format: DatasetFormat;
  file: string;
  lines: DatasetLine[];
  /** Entries with nothing to send (a ShareGPT conversation without a user turn): skipped, counted. */
  skipped: number;
}

/** Where a message points: `--dataset FILE:LINE`. */
export function at(file: string, line: number): string {
  return `--dataset ${file}:${line}`;
}
