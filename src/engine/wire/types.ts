// Types of the wire-format layer: pure translation between our requests/results and each
// provider's JSON and SSE shapes. No I/O here; the request runner does the networking.

import type { SseEvent } from '../sse.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /**
   * The first this-many characters are a prefix shared with other requests (--shared-prefix).
   * Anthropic caches only what a request marks: the prefix goes in its own text block with
   * cache_control. OpenAI-compatible servers cache on their own.
   */
  cachePrefixChars?: number;
}

export interface BuildRequestInput {
  /** OpenAI: includes `/v1` (https://api.openai.com/v1). Anthropic: does not (https://api.anthropic.com). */
  baseUrl: string;
  model: string;
  messages: readonly ChatMessage[];
  system?: string;
  maxTokens?: number;
  /** OpenAI: the field maxTokens goes in (reasoning models on OpenAI's hosts refuse max_tokens). Default max_tokens. */
  maxTokensField?: MaxTokensField;
  /**
   * OpenAI-compatible servers that support it (vLLM, SGLang): generate exactly maxTokens tokens,
   * ignoring the end-of-sequence token (`ignore_eos: true`, `min_tokens`).
   */
  ignoreEos?: boolean;
  stream: boolean;
  apiKey?: string;
  requestId: string;
  /** Added last, so they override ours; names are lower-cased to avoid duplicate headers. */
  extraHeaders?: Readonly<Record<string, string>>;
  /**
   * Per-request body fields from a --prompts line (temperature, max_tokens, ...). They override
   * --max-tokens; the fields streamtop owns (model, messages, stream) never come through here.
   */
  extraBody?: Readonly<Record<string, unknown>>;
}

export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

export interface BuiltRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * One piece of generated content, by kind. The metrics keep the kinds apart: TTFT is the first
 * piece of any kind, time to first reasoning token the first `reasoning`, TTFO the first `answer`,
 * `refusal` or `tool` piece (DESIGN.md, "Reasoning and tool calls").
 */
export type ContentPiece =
  /** Reasoning text: OpenAI-style `reasoning_content` / `reasoning`, Anthropic `thinking`. Empty for a redacted block. */
  | { readonly kind: 'reasoning'; readonly text: string }
  /** Answer text: OpenAI `content`, Anthropic `text` blocks. */
  | { readonly kind: 'answer'; readonly text: string }
  /** OpenAI `refusal`: the model's answer when it declines, shown and timed as answer text. */
  | { readonly kind: 'refusal'; readonly text: string }
  /**
   * A piece of one tool call. `index` tells calls apart (OpenAI `tool_calls[].index`, Anthropic's
   * content block index); `id` and `name` come with a call's first piece; `args` is a piece of its
   * JSON arguments (possibly empty).
   */
  | { readonly kind: 'tool'; readonly index: number; readonly id?: string; readonly name?: string; readonly args: string };

export type ContentKind = ContentPiece['kind'];

/** What one SSE event means for the metrics. */
export type StreamSignal =
  /** Generated content of one kind: counts for TTFT, ITL and E2E (and the per-kind metrics). */
  | ContentPiece
  /** An event carrying several pieces at once (reasoning and answer in one delta, parallel tool calls). */
  | { readonly kind: 'several'; readonly pieces: readonly ContentPiece[] }
  /** Carries nothing the metrics use (role-only, empty, ping, block stop, signature, ...). */
  | { readonly kind: 'ignore' }
  /** A usage-bearing event without content; the counts are also kept on the interpreter. */
  | { readonly kind: 'usage'; readonly outputTokens?: number; readonly inputTokens?: number }
  /** The server's end-of-stream marker: OpenAI `[DONE]`, Anthropic `message_stop`. */
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly code: 'stream_error_event' | 'sse_malformed'; readonly message: string };

/**
 * Per-request interpreter of a stream's events. Server-reported usage and the finish reason are
 * kept as side effects, because one event may carry both content and usage.
 */
export interface StreamInterpreter {
  onEvent(ev: SseEvent): StreamSignal;
  /**
   * Server usage: OpenAI `usage.completion_tokens`, Anthropic `message_delta.usage.output_tokens`.
   * Both include reasoning tokens.
   */
  readonly outputTokens: number | undefined;
  /** Server-reported reasoning tokens: OpenAI `completion_tokens_details.reasoning_tokens`. */
  readonly reasoningTokens: number | undefined;
  /** The whole prompt as the server counted it (Anthropic: input + cache creation + cache read). */
  readonly inputTokens: number | undefined;
  /** Prompt tokens served from the server's prefix cache: OpenAI `prompt_tokens_details.cached_tokens`, Anthropic `cache_read_input_tokens`. */
  readonly cachedTokens: number | undefined;
  /** OpenAI `finish_reason`, Anthropic `stop_reason`. */
  readonly finishReason: string | undefined;
}

export type NonStreamResult =
  | {
      ok: true;
      /** The completion's content, in order, as the pieces a stream would have carried. */
      pieces: ContentPiece[];
      /** Server usage, reasoning included (as in a stream). */
      outputTokens?: number;
      reasoningTokens?: number;
      inputTokens?: number;
      cachedTokens?: number;
      finishReason?: string;
    }
  | { ok: false; code: 'body_invalid' | 'stream_error_event'; message: string };
