import type { ChatMessage } from '../engine/wire/types.ts';
import { toPrompt, type Prompt } from '../engine/prompts.ts';
import { forEachLineCapped, fmtBytes, InputTooLargeError, MiB } from '../shared/bounded-read.ts';
import { describeFsError } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';
import { OWNED_BODY_FIELDS } from './endpoint.ts';

/**
 * --prompts FILE: a JSONL file, one {"prompt": "..."} or {"messages": [...]} per line, any other
 * fields of a line going into that request's body. Read and checked here, with the CLI, so errors
 * name the file and line and the engine gets Prompt[].
 */

/** Limits on a --prompts file: it is read line by line, never whole. */
export const MAX_PROMPTS_FILE_BYTES = 256 * MiB;
export const MAX_PROMPT_LINE_BYTES = 16 * MiB;


const ROLES = new Set(['system', 'user', 'assistant']);

function parseLine(line: string, lineNo: number, file: string, system?: string): Prompt {
  const where = `${file}:${lineNo}`;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new UsageError(`--prompts ${where}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new UsageError(`--prompts ${where}: expected an object like {"prompt": "..."} or {"messages": [...]}`);
  const o = v as Record<string, unknown>;
  if (o.prompt !== undefined && o.messages !== undefined)
    throw new UsageError(`--prompts ${where}: has both "prompt" and "messages"; give one`);
  if (o.prompt !== undefined && typeof o.prompt !== 'string')
    throw new UsageError(`--prompts ${where}: "prompt" must be a string`);
  const body = extraBodyFields(o, where);
  const prompt = promptOf(o, where, system);
  return body === undefined ? prompt : { ...prompt, body };
}

/**
 * The line's other fields go into that request's body as they are (temperature, max_tokens,
 * top_p, ...): dropping them would run a different benchmark than the file describes.
 */
function extraBodyFields(o: Record<string, unknown>, where: string): Record<string, unknown> | undefined {
  let body: Record<string, unknown> | undefined;
  for (const [k, val] of Object.entries(o)) {
    // "messages" is the line's own prompt field; the other fields streamtop owns may not be set
    // (a line's "model" would silently split one run across two models).
    if (k === 'prompt' || k === 'messages') continue;
    const owned = OWNED_BODY_FIELDS[k];
    if (owned !== undefined)
      throw new UsageError(`--prompts ${where}: "${k}" is set by streamtop (${owned}); remove it from the line`);
    (body ??= {})[k] = val;
  }
  return body;
}

function promptOf(o: Record<string, unknown>, where: string, system: string | undefined): Prompt {
  const sys = system ? [{ role: 'system' as const, content: system }] : [];
  if (typeof o.prompt === 'string') {
    if (o.prompt.length === 0) throw new UsageError(`--prompts ${where}: "prompt" is empty`);
    return toPrompt([...sys, { role: 'user', content: o.prompt }]);
  }
  if (Array.isArray(o.messages)) {
    if (o.messages.length === 0) throw new UsageError(`--prompts ${where}: "messages" is empty`);
    const msgs: ChatMessage[] = o.messages.map((m, i) => {
      const mm = m as Record<string, unknown> | null;
      if (!mm || typeof mm !== 'object' || typeof mm.role !== 'string' || !ROLES.has(mm.role) || typeof mm.content !== 'string')
        throw new UsageError(
          `--prompts ${where}: messages[${i}] must be {"role": "system"|"user"|"assistant", "content": "text"}`,
        );
      return { role: mm.role as ChatMessage['role'], content: mm.content };
    });
    return toPrompt([...sys, ...msgs]);
  }
  throw new UsageError(`--prompts ${where}: needs a "prompt" string or a "messages" array`);
}

/**
 * Reads a JSONL prompts file line by line, within MAX_PROMPTS_FILE_BYTES (and one line within
 * MAX_PROMPT_LINE_BYTES); errors name the file and line.
 */
export function loadPromptsFile(file: string, system?: string): Prompt[] {
  const out: Prompt[] = [];
  try {
    forEachLineCapped(file, { maxBytes: MAX_PROMPTS_FILE_BYTES, maxLineBytes: MAX_PROMPT_LINE_BYTES }, (raw, lineNo) => {
      const line = raw.trim();
      if (line !== '') out.push(parseLine(line, lineNo, file, system));
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof InputTooLargeError) {
      const size = e.sizeBytes !== undefined ? ` is ${fmtBytes(e.sizeBytes)},` : '';
      throw new UsageError(
        e.what === 'line'
          ? `--prompts ${file}:${e.lineNo ?? '?'}: line longer than ${fmtBytes(e.limitBytes)} (the limit for one prompt); is it a JSONL file, one {"prompt": "..."} per line?`
          : `--prompts ${file}${size} over the ${fmtBytes(e.limitBytes)} limit for a prompts file; use a smaller sample of prompts`,
      );
    }
    throw new UsageError(`--prompts ${file}: cannot read the file (${describeFsError(e)}); give a JSONL file, one {"prompt": "..."} per line`);
  }
  if (out.length === 0) throw new UsageError(`--prompts ${file}: the file has no prompts (one JSON object per line)`);
  return out;
}
