import { basename } from 'node:path';
import type { Prompt } from '../../engine/prompts.ts';
import type { SessionScript } from '../../engine/session-script.ts';
import { UsageError } from '../../shared/usage-error.ts';
import { detectFormat } from './detect.ts';
import { jsonlSessions, readJsonlDataset } from './jsonl.ts';
import { readMooncakeDataset } from './mooncake.ts';
import { readShareGptDataset, shareGptSessions } from './sharegpt.ts';
import { TRACE_TOKEN_BUDGET, type DatasetFormat, type DatasetFormatChoice, type DatasetLines } from './types.ts';

/**
 * --dataset FILE: the file's format (given, or told from its content), its lines checked up
 * front (a bad line is named before any request), and the prompts of the lines a run sends.
 * Read here, with the CLI; the engine receives Prompt[] and, for --replay, the send times.
 */

export { DATASET_FORMATS, type DatasetFormat, type DatasetFormatChoice } from './types.ts';

export interface DatasetOptions {
  format: DatasetFormatChoice;
  seed: number;
  system?: string;
  /** The lines a run needs at most (warm-up and -n): only those are built. */
  maxLines?: number;
  /** --replay: every line needs a timestamp, in order. */
  replay?: {
    speed: number;
    /** --duration: lines due later (scaled) are not built. */
    untilMs?: number;
  };
}

export interface Dataset {
  format: DatasetFormat;
  /** The file's name without its folder, for reports. */
  name: string;
  /** Usable lines in the file. */
  lines: number;
  /** Entries with nothing to send, skipped (ShareGPT conversations without a user turn). */
  skipped: number;
  /** The prompts of the lines the run sends, in file order. */
  prompts: Prompt[];
  /** --replay: when each prompt is sent, ms from the start of the run (scaled by the speed). */
  sendAtMs?: number[];
}

function readLines(file: string, format: DatasetFormat, seed: number, system: string | undefined): DatasetLines {
  switch (format) {
    case 'jsonl':
      return readJsonlDataset(file, system);
    case 'sharegpt':
      return readShareGptDataset(file, system);
    case 'mooncake':
      return readMooncakeDataset(file, seed, system);
  }
}

/** The first line whose timestamp is missing or earlier than the line before it, refused. */
function checkTimestamps(d: DatasetLines): void {
  let prev: { line: number; ms: number } | undefined;
  for (const l of d.lines) {
    if (l.timestampMs === undefined)
      throw new UsageError(
        d.format === 'sharegpt'
          ? `--replay needs send times, and a ShareGPT file has none: use a streamtop JSONL dataset with a "timestamp" per line, or a Mooncake trace`
          : `--dataset ${d.file}:${l.line}: no "timestamp"; --replay sends each line at its timestamp (ms from the start), so every line needs one`,
      );
    if (prev !== undefined && l.timestampMs < prev.ms)
      throw new UsageError(
        `--dataset ${d.file}:${l.line}: timestamp ${l.timestampMs} is earlier than ${prev.ms} on line ${prev.line}; a trace is replayed in the order it was recorded, ` +
          `and lines out of order usually mean two traces were joined or the field is not ms from the start: sort the file by timestamp (jq -c -s 'sort_by(.timestamp)[]')`,
      );
    prev = { line: l.line, ms: l.timestampMs };
  }
}

export function loadDataset(file: string, opts: DatasetOptions): Dataset {
  const format = opts.format === 'auto' ? detectFormat(file) : opts.format;
  const d = readLines(file, format, opts.seed, opts.system);
  if (d.lines.length === 0)
    throw new UsageError(
      d.skipped > 0
        ? `--dataset ${file}: none of its ${d.skipped} conversations has a user turn to send`
        : `--dataset ${file}: the file has no lines to send (one JSON object per line, or a ShareGPT array)`,
    );
  let kept = d.lines;
  if (opts.replay !== undefined) {
    checkTimestamps(d);
    const until = opts.replay.untilMs;
    const speed = opts.replay.speed;
    if (until !== undefined) kept = kept.filter((l) => (l.timestampMs ?? 0) / speed < until);
  }
  if (opts.maxLines !== undefined) kept = kept.slice(0, opts.maxLines);
  if (kept.length === 0) throw new UsageError(`--dataset ${file}: no line is due within --duration; the first is at ${(d.lines[0]?.timestampMs ?? 0) / (opts.replay?.speed ?? 1)} ms`);
  const tokens = kept.reduce((n, l) => n + (l.inputTokens ?? 0), 0);
  if (tokens > TRACE_TOKEN_BUDGET)
    throw new UsageError(
      `--dataset ${file}: the ${kept.length.toLocaleString('en-US')} lines to send ask for ${tokens.toLocaleString('en-US')} prompt tokens, over the ${TRACE_TOKEN_BUDGET.toLocaleString('en-US')} one run builds; ` +
        `send a part of the trace: -n N or, with --replay, --duration TIME (only the lines needed are built), or cut the file`,
    );
  const prompts = kept.map((l) => l.build());
  return {
    format,
    name: basename(file),
    lines: d.lines.length,
    skipped: d.skipped,
    prompts,
    ...(opts.replay !== undefined ? { sendAtMs: kept.map((l) => (l.timestampMs ?? 0) / (opts.replay?.speed ?? 1)) } : {}),
  };
}

/**
 * The dataset's conversations, for multi-turn runs: a ShareGPT file's conversations with their
 * human and gpt turns; a streamtop JSONL file's lines grouped by `session`, ordered by `turn`.
 * A Mooncake trace has no conversations and is refused.
 */
export function loadDatasetSessions(file: string, opts: { format: DatasetFormatChoice; system?: string }): { format: DatasetFormat; sessions: SessionScript[] } {
  const format = opts.format === 'auto' ? detectFormat(file) : opts.format;
  let sessions: SessionScript[];
  switch (format) {
    case 'sharegpt':
      sessions = shareGptSessions(file, opts.system);
      break;
    case 'jsonl':
      sessions = jsonlSessions(file, opts.system);
      break;
    case 'mooncake':
      throw new UsageError(`--dataset ${file}: a Mooncake trace records single requests, not conversations; use a ShareGPT file or a streamtop JSONL file with "session" and "turn"`);
  }
  if (sessions.length === 0) throw new UsageError(`--dataset ${file}: no conversation has a user turn to send`);
  return { format, sessions };
}
