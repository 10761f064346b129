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

/** What one SSE event means for the metrics. */
export type StreamSignal =
  /** Generated content (text, reasoning or tool-call arguments): counts for TTFT, ITL and E2E. */
  | { readonly kind: 'content'; readonly text: string }
  /** Carries nothing the metrics use (role-only, empty, ping, block start/stop, ...). */
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
  /** Server usage: OpenAI `usage.completion_tokens`, Anthropic `message_delta.usage.output_tokens`. */
  readonly outputTokens: number | undefined;
  /** The whole prompt as the server counted it (Anthropic: input + cache creation + cache read). */
  readonly inputTokens: number | undefined;
  /** Prompt tokens served from the server's prefix cache: OpenAI `prompt_tokens_details.cached_tokens`, Anthropic `cache_read_input_tokens`. */
  readonly cachedTokens: number | undefined;
  /** OpenAI `finish_reason`, Anthropic `stop_reason`. */
  readonly finishReason: string | undefined;
}

export type NonStreamResult =
  | { ok: true; text: string; outputTokens?: number; inputTokens?: number; cachedTokens?: number; finishReason?: string }
  | { ok: false; code: 'body_invalid' | 'stream_error_event'; message: string };
