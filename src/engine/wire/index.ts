// The wire-format layer: pure functions from our request description to each provider's HTTP
// request, and from its responses (SSE events, JSON bodies, error bodies) to what the metrics need.
// The engine picks one WireFormat object per run (wireFormat(api)) and calls it; nothing else
// branches on the API.

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
  ContentKind,
  ContentPiece,
  MaxTokensField,
  NonStreamResult,
  StreamInterpreter,
  StreamSignal,
} from './types.ts';
export { countTokens, preloadTokenizer } from './tokens.ts';
export { ANTHROPIC_DEFAULT_MAX_TOKENS, ANTHROPIC_VERSION, AnthropicStreamInterpreter, anthropicUrl } from './anthropic.ts';
export { OpenAiStreamInterpreter, openAiUrl } from './openai.ts';

/** Everything that differs between the two wire formats, behind one interface. */
export interface WireFormat {
  readonly api: Api;
  /** Where the key is looked up when --api-key-env is not given. */
  readonly defaultKeyEnv: string;
  /** The base URL a server at `origin` is reached at (OpenAI's include `/v1`, Anthropic's do not). */
  baseUrlAt(origin: string): string;
  buildRequest(input: BuildRequestInput): BuiltRequest;
  /** A fresh interpreter per request: it keeps that request's usage and finish reason. */
  createStreamInterpreter(): StreamInterpreter;
  /** A non-streaming response body, already JSON-parsed (the caller maps a JSON failure to body_invalid). */
  parseNonStreamBody(json: unknown): NonStreamResult;
  /** One line (<= 200 chars) describing a non-2xx response from its body: `error.message` when present. */
  parseErrorBody(status: number, bodyText: string): string;
}

const OPENAI: WireFormat = {
  api: 'openai',
  defaultKeyEnv: 'OPENAI_API_KEY',
  baseUrlAt: (origin) => `${origin}/v1`,
  buildRequest: buildOpenAiRequest,
  createStreamInterpreter: () => new OpenAiStreamInterpreter(),
  parseNonStreamBody: parseOpenAiBody,
  parseErrorBody: parseOpenAiErrorBody,
};

const ANTHROPIC: WireFormat = {
  api: 'anthropic',
  defaultKeyEnv: 'ANTHROPIC_API_KEY',
  baseUrlAt: (origin) => origin,
  buildRequest: buildAnthropicRequest,
  createStreamInterpreter: () => new AnthropicStreamInterpreter(),
  parseNonStreamBody: parseAnthropicBody,
  parseErrorBody: parseAnthropicErrorBody,
};

export const WIRE_FORMATS: Readonly<Record<Api, WireFormat>> = { openai: OPENAI, anthropic: ANTHROPIC };

export function wireFormat(api: Api): WireFormat {
  return WIRE_FORMATS[api];
}
