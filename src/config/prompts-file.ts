import type { ChatMessage } from '../engine/wire/types.ts';
import { toPrompt, type Prompt } from '../engine/prompts.ts';
import { forEachLineCapped, fmtBytes, InputTooLargeError, MiB } from '../shared/bounded-read.ts';
import { describeFsError } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';
import { OWNED_BODY_FIELDS } from './endpoint.ts';

/**
 * --prompts FILE: a JSONL file, one {"prompt": "..."} or {"messages": [...]} per line, any other
 * fields of a line going into that request's body. Read and checked here, with the CLI, so errors
 * name the file and line and the engine gets Prompt[]. The dataset readers (config/dataset/)
 * read their JSONL formats through the same functions.
 */

/** Limits on a --prompts file: it is read line by line, never whole. */
export const MAX_PROMPTS_FILE_BYTES = 256 * MiB;
export const MAX_PROMPT_LINE_BYTES = 16 * MiB;

/** Where a line came from, for messages: the flag as typed, the file and the line. */
export interface LineContext {
  /** `--prompts`, `--dataset`. */
  flag: string;
  /** `file:line`. */
  where: string;
}

/** A JSONL file being read: the flag naming it, the file, and how to describe a good line. */
export interface JsonlSource {
  flag: string;
  file: string;
  /** Completes "give ..." / "is it ...?", e.g. 'a JSONL file, one {"prompt": "..."} per line'. */
  shape: string;
  /** What one line holds, for the line limit's message: 'prompt', 'conversation'. */
  item: string;
  maxBytes: number;
  maxLineBytes: number;
}

const ROLES = new Set(['system', 'user', 'assistant']);

/** One JSON object from a line, or a UsageError naming the line. */
export function parseObjectLine(line: string, ctx: LineContext, expected: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new UsageError(`${ctx.flag} ${ctx.where}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${ctx.flag} ${ctx.where}: expected an object like ${expected}`);
  return v as Record<string, unknown>;
}

/**
 * The prompt of a `{"prompt"}` or `{"messages"}` object, its other fields (except `ownFields`,
 * which the caller reads itself) going into the request body.
 */
export function promptFromObject(o: Record<string, unknown>, ctx: LineContext, system?: string, ownFields?: ReadonlySet<string>): Prompt {
  if (o.prompt !== undefined && o.messages !== undefined) throw new UsageError(`${ctx.flag} ${ctx.where}: has both "prompt" and "messages"; give one`);
  if (o.prompt !== undefined && typeof o.prompt !== 'string') throw new UsageError(`${ctx.flag} ${ctx.where}: "prompt" must be a string`);
  const body = extraBodyFields(o, ctx, ownFields);
  const prompt = promptOf(o, ctx, system);
  return body === undefined ? prompt : { ...prompt, body };
}

/**
 * The line's other fields go into that request's body as they are (temperature, max_tokens,
 * top_p, ...): dropping them would run a different benchmark than the file describes.
 */
function extraBodyFields(o: Record<string, unknown>, ctx: LineContext, ownFields: ReadonlySet<string> | undefined): Record<string, unknown> | undefined {
  let body: Record<string, unknown> | undefined;
  for (const [k, val] of Object.entries(o)) {
    // "messages" is the line's own prompt field; the other fields streamtop owns may not be set
    // (a line's "model" would silently split one run across two models).
    if (k === 'prompt' || k === 'messages' || ownFields?.has(k) === true) continue;
    const owned = OWNED_BODY_FIELDS[k];
    if (owned !== undefined) throw new UsageError(`${ctx.flag} ${ctx.where}: "${k}" is set by streamtop (${owned}); remove it from the line`);
    (body ??= {})[k] = val;
  }
  return body;
}

/** The line's messages as given (`{"messages"}`), or its prompt as one user message. */
export function messagesOf(o: Record<string, unknown>, ctx: LineContext): ChatMessage[] {
  if (typeof o.prompt === 'string') {
    if (o.prompt.length === 0) throw new UsageError(`${ctx.flag} ${ctx.where}: "prompt" is empty`);
    return [{ role: 'user', content: o.prompt }];
  }
  if (Array.isArray(o.messages)) {
    if (o.messages.length === 0) throw new UsageError(`${ctx.flag} ${ctx.where}: "messages" is empty`);
    return o.messages.map((m, i) => {
      const mm = m as Record<string, unknown> | null;
      if (!mm || typeof mm !== 'object' || typeof mm.role !== 'string' || !ROLES.has(mm.role) || typeof mm.content !== 'string')
        throw new UsageError(`${ctx.flag} ${ctx.where}: messages[${i}] must be {"role": "system"|"user"|"assistant", "content": "text"}`);
      return { role: mm.role as ChatMessage['role'], content: mm.content };
    });
  }
  throw new UsageError(`${ctx.flag} ${ctx.where}: needs a "prompt" string or a "messages" array`);
}

function promptOf(o: Record<string, unknown>, ctx: LineContext, system: string | undefined): Prompt {
  const sys = system ? [{ role: 'system' as const, content: system }] : [];
  return toPrompt([...sys, ...messagesOf(o, ctx)]);
}

/**
 * Calls `onLine` with each non-blank line of a JSONL file (trimmed) and its 1-based number,
 * within the source's limits; a file that cannot be read or is too large is a UsageError naming
 * the flag and file. Errors thrown by `onLine` pass through.
 */
export function forEachJsonlLine(src: JsonlSource, onLine: (line: string, lineNo: number) => void): void {
  try {
    forEachLineCapped(src.file, { maxBytes: src.maxBytes, maxLineBytes: src.maxLineBytes }, (raw, lineNo) => {
      const line = raw.trim();
      if (line !== '') onLine(line, lineNo);
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof InputTooLargeError) {
      const size = e.sizeBytes !== undefined ? ` is ${fmtBytes(e.sizeBytes)},` : '';
      throw new UsageError(
        e.what === 'line'
          ? `${src.flag} ${src.file}:${e.lineNo ?? '?'}: line longer than ${fmtBytes(e.limitBytes)} (the limit for one ${src.item}); is it ${src.shape}?`
          : `${src.flag} ${src.file}${size} over the ${fmtBytes(e.limitBytes)} limit for ${src.flag}; use a smaller sample`,
      );
    }
    throw new UsageError(`${src.flag} ${src.file}: cannot read the file (${describeFsError(e)}); give ${src.shape}`);
  }
}

/**
 * Reads a JSONL prompts file line by line, within MAX_PROMPTS_FILE_BYTES (and one line within
 * MAX_PROMPT_LINE_BYTES); errors name the file and line.
 */
export function loadPromptsFile(file: string, system?: string): Prompt[] {
  const out: Prompt[] = [];
  const src: JsonlSource = {
    flag: '--prompts',
    file,
    shape: 'a JSONL file, one {"prompt": "..."} per line',
    item: 'prompt',
    maxBytes: MAX_PROMPTS_FILE_BYTES,
    maxLineBytes: MAX_PROMPT_LINE_BYTES,
  };
  forEachJsonlLine(src, (line, lineNo) => {
    const ctx = { flag: '--prompts', where: `${file}:${lineNo}` };
    out.push(promptFromObject(parseObjectLine(line, ctx, '{"prompt": "..."} or {"messages": [...]}'), ctx, system));
  });
  if (out.length === 0) throw new UsageError(`--prompts ${file}: the file has no prompts (one JSON object per line)`);
  return out;
}
