// The wire-format layer: pure functions from our request description to each provider's HTTP
// request, and from its responses (SSE events, JSON bodies, error bodies) to what the metrics need.

import type { Api } from '../types.ts';
import {
  AnthropicStreamInterpreter,
  buildAnthropicRequest,
  parseAnthropicBody,
  parseAnthropicErrorBody,
} from './anthropic.ts';
import { OpenAiStreamInterpreter, buildOpenAiRequest, parseOpenAiBody, parseOpenAiErrorBody } from './openai.ts';
import type { BuildRequestInput, BuiltRequest, NonStreamResult, StreamInterpreter } from './types.ts';

export type {
  BuildRequestInput,
  BuiltRequest,
  ChatMessage,
  NonStreamResult,
  StreamInterpreter,
  StreamSignal,
} from './types.ts';
export { countTokens, preloadTokenizer } from './tokens.ts';
export { ANTHROPIC_DEFAULT_MAX_TOKENS, ANTHROPIC_VERSION, AnthropicStreamInterpreter, anthropicUrl } from './anthropic.ts';
export { OpenAiStreamInterpreter, openAiUrl } from './openai.ts';

export function buildRequest(api: Api, input: BuildRequestInput): BuiltRequest {
  return api === 'openai' ? buildOpenAiRequest(input) : buildAnthropicRequest(input);
}

/** A fresh interpreter per request: it keeps that request's usage and finish reason. */
export function createStreamInterpreter(api: Api): StreamInterpreter {
  return api === 'openai' ? new OpenAiStreamInterpreter() : new AnthropicStreamInterpreter();
}

/** A non-streaming response body, already JSON-parsed (the caller maps a JSON failure to body_invalid). */
export function parseNonStreamBody(api: Api, json: unknown): NonStreamResult {
  return api === 'openai' ? parseOpenAiBody(json) : parseAnthropicBody(json);
}

/** One line (<= 200 chars) describing a non-2xx response from its body: `error.message` when present. */
export function parseErrorBody(api: Api, status: number, bodyText: string): string {
  return api === 'openai' ? parseOpenAiErrorBody(status, bodyText) : parseAnthropicErrorBody(status, bodyText);
}
