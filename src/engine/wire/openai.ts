// OpenAI chat completions wire format (`POST {base}/chat/completions`), also spoken by vLLM,
// SGLang, llama.cpp, Ollama and most gateways.

import { Buffer } from 'node:buffer';
import type { SseEvent } from '../sse.ts';
import {
  DONE,
  IGNORE,
  errorBodyMessage,
  errorMessageOf,
  isErrorPayload,
  isRecord,
  malformed,
  mergeHeaders,
  numberOrUndefined,
  parseBaseUrl,
  rawMessage,
  streamError,
  tryParse,
  usageSignal,
} from './common.ts';
import type { BuildRequestInput, BuiltRequest, ContentPiece, NonStreamResult, StreamInterpreter, StreamSignal } from './types.ts';

/**
 * `{base}/chat/completions`. The base normally ends in `/v1`, as with the official SDK. Two
 * tolerances: a base that already ends in `/chat/completions` is used as is, and a bare origin
 * (`http://localhost:8000`) gets `/v1`, since every OpenAI-compatible server mounts it there.
 */
export function openAiUrl(baseUrl: string): string {
  const u = parseBaseUrl(baseUrl);
  let p = u.pathname.replace(/\/+$/, '');
  if (!p.endsWith('/chat/completions')) p = `${p === '' ? '/v1' : p}/chat/completions`;
  u.pathname = p;
  return u.toString();
}

export function buildOpenAiRequest(input: BuildRequestInput): BuiltRequest {
  const messages: Array<{ role: string; content: string }> = [];
  if (input.system !== undefined && input.system.length > 0) messages.push({ role: 'system', content: input.system });
  for (const m of input.messages) messages.push({ role: m.role, content: m.content });
  const body: Record<string, unknown> = { model: input.model, messages, stream: input.stream };
  // max_tokens unless told otherwise: vLLM, gateways and older servers only know it, and OpenAI
  // accepts it for non-reasoning models (config picks max_completion_tokens for OpenAI's hosts).
  if (input.maxTokens !== undefined) {
    body[input.maxTokensField ?? 'max_tokens'] = input.maxTokens;
    if (input.ignoreEos === true) body.min_tokens = input.maxTokens;
  }
  if (input.ignoreEos === true) body.ignore_eos = true;
  // Without this the server sends no usage in a stream and we would have to fall back on a tokenizer.
  if (input.stream) body.stream_options = { include_usage: true };
  if (input.extraBody !== undefined) Object.assign(body, input.extraBody);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: input.stream ? 'text/event-stream' : 'application/json',
    // A compressed stream would need decoding before parsing; ask for none (the runner still
    // decodes gzip, deflate and br from servers that compress anyway).
    'accept-encoding': 'identity',
    'x-request-id': input.requestId,
  };
  if (input.apiKey !== undefined && input.apiKey.length > 0) headers.authorization = `Bearer ${input.apiKey}`;
  return { url: openAiUrl(input.baseUrl), headers: mergeHeaders(headers, input.extraHeaders), body: JSON.stringify(body) };
}

/**
 * Interprets `chat.completion.chunk` events into typed content pieces: reasoning
 * (`reasoning_content` from vLLM/DeepSeek, `reasoning` from OpenRouter and newer vLLM), answer
 * text (`content`), `refusal`, and tool-call pieces (`tool_calls[i]`, or the older `function_call`);
 * role-only, empty, finish-only and usage-only chunks are not content.
 */
export class OpenAiStreamInterpreter implements StreamInterpreter {
  outputTokens: number | undefined = undefined;
  reasoningTokens: number | undefined = undefined;
  inputTokens: number | undefined = undefined;
  cachedTokens: number | undefined = undefined;
  finishReason: string | undefined = undefined;
  private readonly fastPath: boolean;
  // The fast path. JSON.parse of a ~300-byte chunk costs several times what decoding the SSE event
  // does (bench/sse-parser.ts) and nearly every event is a plain content chunk whose bytes, within
  // one stream, differ from the previous one only inside the content string (id, created, model
  // repeat). After a full parse proves an event is exactly `{...,"delta":{"content":"X"},...}` with
  // one choice, no finish reason and no usage, we keep the text around X as a template; a later event
  // made of the same prefix, a valid string literal and the same suffix parses, by construction, to
  // the same object with another X, so we take X without parsing the rest. Anything else (other
  // servers' layouts, finish or usage chunks, errors) misses the template and is parsed in full.
  private tplPrefix: string | undefined = undefined;
  private tplSuffix = '';

  /** `fastPath: false` forces a full JSON.parse of every event (tests compare both). */
  constructor(opts: { fastPath?: boolean } = {}) {
    this.fastPath = opts.fastPath ?? true;
  }

  /** Content of an event made of tplPrefix + string literal + tplSuffix; undefined if it is not. */
  private templateContent(data: string, prefix: string): string | undefined {
    const q0 = prefix.length;
    const close = data.length - this.tplSuffix.length - 1;
    if (close < q0 || data.charCodeAt(close) !== 0x22) return undefined;
    // slice + === rather than startsWith/endsWith: V8's startsWith compares char by char and is
    // ~10x slower here than the memcmp behind string equality (slices of 13+ chars do not copy).
    if (data.slice(0, q0) !== prefix || data.slice(close + 1) !== this.tplSuffix) return undefined;
    const quote = data.indexOf('"', q0);
    const bs = data.indexOf('\\', q0);
    if (bs === -1 || bs > close) {
      // No escapes: the body must not contain a quote either.
      if (quote !== close) return undefined;
      if (close - q0 < SLICE_MAX) return data.slice(q0, close);
    }
    // JSON.parse validates the literal (escapes, inner quotes) and returns a flat string.
    try {
      const v: unknown = JSON.parse(data.slice(q0 - 1, close + 1));
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** Called after a full parse found a pure content chunk whose content is `content`. */
  private learn(data: string, content: string): void {
    const p = data.indexOf(DELTA_CONTENT);
    if (p === -1 || data.indexOf(DELTA_CONTENT, p + 1) !== -1) return;
    const q0 = p + DELTA_CONTENT.length;
    const close = closingQuote(data, q0);
    if (close === -1) return;
    const literal = tryParse(data.slice(q0 - 1, close + 1));
    if (literal === undefined || literal.value !== content) return;
    this.tplPrefix = flatCopy(data.slice(0, q0));
    this.tplSuffix = flatCopy(data.slice(close + 1));
  }

  onEvent(ev: SseEvent): StreamSignal {
    const data = ev.data;
    if (data === '[DONE]') return DONE;
    // An empty `data:` is a keep-alive some proxies send.
    if (data.length === 0) return IGNORE;
    if (this.tplPrefix !== undefined && ev.event === '') {
      const text = this.templateContent(data, this.tplPrefix);
      if (text !== undefined) return text.length > 0 ? { kind: 'answer', text } : IGNORE;
    }
    const parsed = tryParse(data);
    if (parsed === undefined) {
      if (ev.event === 'error') return streamError(undefined, data);
      if (data.trim().length === 0) return IGNORE;
      return malformed(data);
    }
    const obj = parsed.value;
    if (!isRecord(obj)) return ev.event === 'error' ? streamError(obj, data) : malformed(data);
    if (ev.event === 'error' || isErrorPayload(obj)) return streamError(obj, data);

    const usage = obj.usage;
    const hasUsage = isRecord(usage);
    if (hasUsage) {
      const u = usageOf(usage);
      if (u.outputTokens !== undefined) this.outputTokens = u.outputTokens;
      if (u.reasoningTokens !== undefined) this.reasoningTokens = u.reasoningTokens;
      if (u.inputTokens !== undefined) this.inputTokens = u.inputTokens;
      const cached = cachedOf(usage);
      if (cached !== undefined) this.cachedTokens = cached;
    }

    const pieces: ContentPiece[] = [];
    const choices = obj.choices;
    if (Array.isArray(choices)) {
      for (const choice of choices as unknown[]) {
        if (!isRecord(choice)) continue;
        if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
        const delta = choice.delta;
        if (isRecord(delta)) messagePieces(delta, pieces);
        else {
          // Legacy completions-style chunk.
          const t = nonEmpty(choice.text);
          if (t !== undefined) pieces.push({ kind: 'answer', text: t });
        }
      }
    }
    const first = pieces[0];
    if (first !== undefined) {
      if (pieces.length > 1) return { kind: 'several', pieces };
      if (this.fastPath && !hasUsage && ev.event === '' && first.kind === 'answer' && isPureContent(choices)) this.learn(data, first.text);
      return first;
    }
    if (hasUsage) return usageSignal(this.outputTokens, this.inputTokens);
    return IGNORE;
  }
}

/**
 * The content pieces of a streamed `delta` or a whole `message`, in the order a reader meets
 * them: reasoning, answer text, refusal, then tool calls. Empty strings and nulls are not content;
 * a tool call's first piece counts even with empty arguments, since it carries the generated name.
 */
function messagePieces(d: Record<string, unknown>, out: ContentPiece[]): void {
  const r = nonEmpty(d.reasoning_content) ?? nonEmpty(d.reasoning);
  if (r !== undefined) out.push({ kind: 'reasoning', text: r });
  const c = nonEmpty(d.content);
  if (c !== undefined) out.push({ kind: 'answer', text: c });
  const refusal = nonEmpty(d.refusal);
  if (refusal !== undefined) out.push({ kind: 'refusal', text: refusal });
  const tools = d.tool_calls;
  if (Array.isArray(tools)) {
    let pos = 0;
    for (const t of tools as unknown[]) {
      if (isRecord(t)) out.push(toolPiece(t, numberOrUndefined(t.index) ?? pos));
      pos++;
    }
  }
  const fc = d.function_call; // the pre-tools shape, still emitted by some servers: one call
  if (isRecord(fc)) out.push(toolPiece({ function: fc }, 0));
}

function toolPiece(t: Record<string, unknown>, index: number): ContentPiece {
  const f = isRecord(t.function) ? t.function : {};
  const id = nonEmpty(t.id);
  const name = nonEmpty(f.name);
  const args = typeof f.arguments === 'string' ? f.arguments : '';
  return { kind: 'tool', index, ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}), args };
}

/** Usage counts; reasoning tokens from `completion_tokens_details` (OpenAI, DeepSeek, OpenRouter). */
function usageOf(u: Record<string, unknown>): { outputTokens?: number; reasoningTokens?: number; inputTokens?: number } {
  const out: { outputTokens?: number; reasoningTokens?: number; inputTokens?: number } = {};
  const o = numberOrUndefined(u.completion_tokens);
  if (o !== undefined) out.outputTokens = o;
  const i = numberOrUndefined(u.prompt_tokens);
  if (i !== undefined) out.inputTokens = i;
  const details = u.completion_tokens_details;
  if (isRecord(details)) {
    const r = numberOrUndefined(details.reasoning_tokens);
    if (r !== undefined) out.reasoningTokens = r;
  }
  return out;
}

export function parseOpenAiBody(json: unknown): NonStreamResult {
  if (!isRecord(json)) return { ok: false, code: 'body_invalid', message: 'response body is not a JSON object' };
  if (isErrorPayload(json)) {
    return { ok: false, code: 'stream_error_event', message: rawMessage(errorMessageOf(json) ?? 'error body') };
  }
  const choices = json.choices;
  const first: unknown = Array.isArray(choices) ? (choices as unknown[])[0] : undefined;
  if (!isRecord(first)) return { ok: false, code: 'body_invalid', message: 'response has no choices[0]' };
  const pieces: ContentPiece[] = [];
  const msg = first.message;
  if (isRecord(msg)) messagePieces(msg, pieces);
  else if (typeof first.text === 'string') {
    if (first.text.length > 0) pieces.push({ kind: 'answer', text: first.text });
  } else {
    return { ok: false, code: 'body_invalid', message: 'response has no choices[0].message' };
  }
  const result: NonStreamResult = { ok: true, pieces };
  if (isRecord(json.usage)) Object.assign(result, usageOf(json.usage));
  if (isRecord(json.usage)) {
    const cached = cachedOf(json.usage);
    if (cached !== undefined) result.cachedTokens = cached;
  }
  if (typeof first.finish_reason === 'string') result.finishReason = first.finish_reason;
  return result;
}

export function parseOpenAiErrorBody(status: number, bodyText: string): string {
  return errorBodyMessage(status, bodyText);
}

/** `usage.prompt_tokens_details.cached_tokens` (OpenAI, vLLM with prefix caching, gateways). */
function cachedOf(usage: Record<string, unknown>): number | undefined {
  const d = usage.prompt_tokens_details;
  return isRecord(d) ? numberOrUndefined(d.cached_tokens) : undefined;
}

/** One choice, no finish reason, and a delta holding only `content`: what the template may stand for. */
function isPureContent(choices: unknown): boolean {
  if (!Array.isArray(choices) || choices.length !== 1) return false;
  const c: unknown = choices[0];
  if (!isRecord(c) || (c.finish_reason !== null && c.finish_reason !== undefined) || 'text' in c) return false;
  const d = c.delta;
  if (!isRecord(d)) return false;
  for (const k in d) if (k !== 'content') return false;
  return typeof d.content === 'string';
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

const DELTA_CONTENT = '"delta":{"content":"';
// Content this long or longer is unescaped through JSON.parse even without escapes: a slice of
// that length would be a V8 sliced string pinning the whole network chunk it came from for as long
// as the runner keeps the text. Shorter slices are copied by V8.
const SLICE_MAX = 13;

/** Index of the quote closing the JSON string literal whose body starts at q0, or -1. */
function closingQuote(data: string, q0: number): number {
  const n = data.length;
  let j = q0;
  while (j < n) {
    const c = data.charCodeAt(j);
    if (c === 0x5c) j += 2;
    else if (c === 0x22) return j;
    else j++;
  }
  return -1;
}

/** A flat copy, so a template learnt from one event does not pin the network chunk it sliced. */
function flatCopy(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
