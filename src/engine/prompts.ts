import { UsageError } from '../config/usage-error.ts';
import { forEachLineCapped, fmtBytes, InputTooLargeError, MiB } from '../config/bounded-read.ts';
import type { ChatMessage } from './wire/types.ts';
import type { Prng } from './prng.ts';
import { describeFsError } from '../config/output-path.ts';

/**
 * Prompt sources: a single --prompt, a JSONL --prompts file, or the built-in set. Requests draw
 * from the set with the seeded PRNG so a run repeats.
 */
export interface Prompt {
  messages: ChatMessage[];
  /** Characters of user-visible content, for display and rough sizing. */
  chars: number;
  /** Request body fields given on the --prompts line (temperature, max_tokens, ...). */
  body?: Readonly<Record<string, unknown>>;
}

/** Limits on a --prompts file: it is read line by line, never whole. */
export const MAX_PROMPTS_FILE_BYTES = 256 * MiB;
export const MAX_PROMPT_LINE_BYTES = 16 * MiB;

/**
 * Body fields streamtop sets itself on every request, with why; a --prompts line may not set
 * them (a line's "model" would silently split one run across two models). "messages" is the
 * line's own prompt field.
 */
const OWNED_FIELDS: Readonly<Record<string, string>> = {
  model: 'the model is --model',
  stream: 'streaming is drawn per request from --stream-ratio',
  stream_options: 'streamtop asks for usage in streams itself',
};

/**
 * Built-in prompts of varied lengths (short question to long context), so prefill cost and
 * answer length vary the way a real workload's do.
 */
const BUILTIN: readonly string[] = [
  'What is the capital of Australia?',
  'Explain in two sentences why the sky is blue.',
  'Write a haiku about a server room at night.',
  'List five practical tips for reducing the latency of a web API, with one sentence each.',
  'Summarise the difference between TCP and UDP for a junior engineer, with an example of when to use each.',
  'You are reviewing a pull request that adds a retry loop with exponential backoff around an HTTP call. ' +
    'Describe what you would check: idempotency, jitter, maximum attempts, which status codes are retried, ' +
    'how timeouts interact with retries, and how the change should be tested. Give concrete suggestions.',
  'Translate the following sentence into French, German and Spanish: "The train leaves at seven in the morning, ' +
    'so please be at the station by half past six."',
  'Write a short story (about 200 words) about a lighthouse keeper who discovers that the light has been ' +
    'signalling to someone on the other side of the sea.',
  'Here is a log excerpt from a service under load:\n' +
    Array.from(
      { length: 24 },
      (_, i) =>
        `2026-11-29T10:${String(i).padStart(2, '0')}:01Z level=warn msg="upstream slow" latency_ms=${180 + i * 37} pool_in_use=${Math.min(64, 8 + i * 3)}/64`,
    ).join('\n') +
    '\nWhat is happening, and what would you change first?',
  'Compare three approaches to caching LLM responses (exact match, semantic cache, prefix caching on the server). ' +
    'For each, explain the hit rate you might expect, the failure modes, and the cost trade-offs. End with a recommendation ' +
    'for a customer-support chatbot that answers about 50,000 questions a day.',
];

function toPrompt(messages: ChatMessage[]): Prompt {
  return { messages, chars: messages.reduce((n, m) => n + m.content.length, 0) };
}

export function builtinPrompts(system?: string): Prompt[] {
  return BUILTIN.map((p) =>
    toPrompt([...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: p }]),
  );
}

export function singlePrompt(text: string, system?: string): Prompt[] {
  return [toPrompt([...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: text }])];
}

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
    if (k === 'prompt' || k === 'messages') continue;
    const owned = OWNED_FIELDS[k];
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

export class PromptPicker {
  constructor(
    private readonly prompts: readonly Prompt[],
    private readonly prng: Prng,
  ) {
    if (prompts.length === 0) throw new Error('no prompts');
  }
  get size(): number {
    return this.prompts.length;
  }
  pick(): Prompt {
    return this.prompts[this.prng.int(this.prompts.length)] as Prompt;
  }
}
