// What the two wire formats have in common: the parsed request, the prebuilt stream pieces a
// generation writes, and the error kinds. The per-provider modules fill these in.


export type Api = 'openai' | 'anthropic';
export type FinishKind = 'stop' | 'length';
/** `badGateway`: only the proxy (`sim --proxy-to`) answers it, when its upstream fails. */
export type ErrorKind = 'invalid' | 'auth' | 'notFound' | 'methodNotAllowed' | 'tooLarge' | 'rateLimit' | 'server' | 'overloaded' | 'badGateway';

export const ERROR_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  auth: 401,
  notFound: 404,
  methodNotAllowed: 405,
  tooLarge: 413,
  rateLimit: 429,
  server: 500,
  overloaded: 503,
  badGateway: 502,
};

export interface ChatRequest {
  model: string;
  stream: boolean;
  /** Cap on completion tokens, if the request set one. */
  maxTokens: number | undefined;
  /** OpenAI stream_options.include_usage (Anthropic always reports usage). */
  includeUsage: boolean;
  /** The prompt's messages (system first), as the chat template sees them. */
  parts: PromptPart[];
  /**
   * Hash of the prompt (its token ids, chat template included; set at admission with
   * promptTokens): with the seed it decides the completion text.
   */
  promptHash: number;
  /** The request asks for reasoning (OpenAI `reasoning_effort`, Anthropic `thinking` enabled). */
  wantsReasoning: boolean;
  /** OpenAI-compatible extensions (vLLM, SGLang): generate at least this many tokens. */
  minTokens: number | undefined;
  /** Generate exactly maxTokens, ignoring the end of sequence. */
  ignoreEos: boolean;
  /** Prompt tokens, chat template included; set at admission (SimCore.countPrompt). */
  promptTokens: number;
  /** Of those, served from the prefix cache. */
  cachedTokens: number;
  /** Anthropic: tokens written to the cache (up to the last cache_control mark, not read from it). */
  cacheWriteTokens: number;
}

/** The reasoning of one response: how many of its tokens come first as reasoning, and where. */
export interface ReasoningPlan {
  tokens: number;
  /** OpenAI: the delta / message field (Anthropic uses thinking blocks). */
  field: 'reasoning_content' | 'reasoning';
}

/**
 * A response that answers with a tool call instead of text: its answer tokens become the
 * arguments `{"query":"<answer text>"}`, streamed a token at a time. `valid` false cuts the
 * arguments short (the tool-args-invalid fault).
 */
export interface ToolCallPlan {
  id: string;
  name: string;
  valid: boolean;
}

/** The arguments' start and end around the answer text (inside a JSON string value). */
export const TOOL_ARGS_OPEN = '{"query":"';
export const TOOL_ARGS_CLOSE = '"}';

/** A non-streaming body's reasoning: its text as a JSON literal and its token count. */
export interface BodyReasoning {
  json: string;
  tokens: number;
}

/** One message of a prompt. */
export interface PromptPart {
  role: string;
  text: string;
  /** Anthropic: a cache_control breakpoint after this many characters of `text`. */
  cacheMarkAt?: number;
}

export type ParseResult = { ok: true; request: ChatRequest } | { ok: false; message: string; param: string | null };

export interface ResponseIds {
  /** chatcmpl-... / msg_... */
  id: string;
  created: number;
}

/**
 * The strings one generation writes, prebuilt at admission so each token costs one concatenation:
 * `tokenPrefix + TOKEN_JSON[id] + tokenSuffix + ts + '}\n\n'` where ts is '' or `,"sim_ts":…`.
 */
export interface StreamPieces {
  preamble(ts: string): string;
  tokenPrefix: string;
  tokenSuffix: string;
  /** With a tool call, an answer token is a piece of its arguments instead (TOKEN_ARG_BYTES). */
  toolPrefix: string;
  toolSuffix: string;
  /** The same for a reasoning token (the first ReasoningPlan.tokens tokens). */
  reasoningPrefix: string;
  reasoningSuffix: string;
  /**
   * Written once after the last reasoning token, before the first answer token (Anthropic: the
   * thinking block's signature and stop, the text or tool_use block's start; OpenAI: a tool call's
   * first chunk with its id and name); '' when there is nothing to say.
   */
  toAnswer(ts: string): string;
  tail(finish: FinishKind, completionTokens: number, ts: string): string;
  /** An event whose data line is not valid JSON (the malformed fault). */
  malformed: string;
}

export interface WireFormat {
  api: Api;
  parse(body: unknown): ParseResult;
  newIds(counter: number): ResponseIds;
  /** `reasoning.tokens` 0: no reasoning. */
  streamPieces(req: ChatRequest, ids: ResponseIds, reasoning: ReasoningPlan, tool?: ToolCallPlan): StreamPieces;
  /**
   * Complete non-streaming body; `textJson` is the answer as a JSON string literal;
   * `completionTokens` counts reasoning and answer, as the providers' usage does.
   */
  body(
    req: ChatRequest,
    ids: ResponseIds,
    textJson: string,
    finish: FinishKind,
    completionTokens: number,
    reasoning?: BodyReasoning & ReasoningPlan,
    tool?: ToolCallPlan,
  ): string;
  errorBody(kind: ErrorKind, message: string, detail?: { param?: string | null; code?: string | null; limit?: string }): string;
  /** Extra response headers naming the request (OpenAI x-request-id, Anthropic request-id). */
  models(created: number, names: readonly string[]): string;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of a message content: a string or an array of parts whose text parts count. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let s = '';
  for (const part of content) if (isRecord(part) && typeof part.text === 'string') s += part.text;
  return s;
}

/**
 * The fields counted at admission (SimCore.countPrompt), where the tokenizer and the prefix cache
 * are: the prompt's o200k tokens, its cached part and, from the tokens, its hash.
 */
export function promptInfo(parts: readonly PromptPart[]): Pick<ChatRequest, 'parts' | 'promptHash' | 'promptTokens' | 'cachedTokens' | 'cacheWriteTokens'> {
  return { parts: [...parts], promptHash: 0, promptTokens: 0, cachedTokens: 0, cacheWriteTokens: 0 };
}

/**
 * Text of Anthropic content (a string or blocks) and where its last cache_control mark ends, in
 * characters of that text.
 */
export function markedContent(content: unknown): { text: string; cacheMarkAt?: number } {
  if (typeof content === 'string') return { text: content };
  if (!Array.isArray(content)) return { text: '' };
  let text = '';
  let mark: number | undefined;
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string') text += part.text;
    if (isRecord(part.cache_control)) mark = text.length;
  }
  return mark !== undefined ? { text, cacheMarkAt: mark } : { text };
}

/** Validates an optional positive integer field; returns an error message or the value. */
export function optionalPositiveInt(v: unknown, name: string): number | undefined | string {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return `${name}: expected an integer >= 1`;
  return v;
}

/**
 * JSON string literal with every non-ASCII character escaped, so everything the simulator streams
 * is ASCII and can be written as latin1: Node then skips a UTF-8 length scan and encode per write
 * (that scan was ~15% of the CPU at --itl 0).
 */
export function asciiJson(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function randomSuffix(counter: number, length = 24): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = (counter * 2654435761 + 0x9e3779b9) >>> 0;
  let s = '';
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    s += alphabet[x % alphabet.length];
  }
  return s;
}

/** A tool call's arguments for a non-streaming body, as a JSON string literal (cut when invalid). */
export function toolArgsJson(textJson: string, valid: boolean): string {
  const text = JSON.parse(textJson) as string;
  const args = `{"query":${JSON.stringify(text)}}`;
  return asciiJson(valid ? args : args.slice(0, -2));
}
