// Anthropic messages wire format: the documented event sequence message_start, content_block_start,
// ping, content_block_delta..., content_block_stop, message_delta (stop_reason, usage), message_stop.

import {
  asciiJson,
  isRecord,
  markedContent,
  optionalPositiveInt,
  promptInfo,
  randomSuffix,
  type ChatRequest,
  type ErrorKind,
  type FinishKind,
  type ParseResult,
  type PromptPart,
  type ResponseIds,
  type StreamPieces,
  type WireFormat,
} from './wire.ts';

const STOP_REASON: Record<FinishKind, string> = { stop: 'end_turn', length: 'max_tokens' };

function parse(body: unknown): ParseResult {
  if (!isRecord(body)) return { ok: false, message: 'request body: Input should be an object', param: null };
  if (typeof body.model !== 'string' || body.model === '') return { ok: false, message: 'model: Field required', param: 'model' };
  if (body.max_tokens === undefined || body.max_tokens === null) {
    return { ok: false, message: 'max_tokens: Field required', param: 'max_tokens' };
  }
  const maxTokens = optionalPositiveInt(body.max_tokens, 'max_tokens');
  if (typeof maxTokens === 'string') return { ok: false, message: maxTokens, param: 'max_tokens' };
  const messages = body.messages;
  if (!Array.isArray(messages)) return { ok: false, message: 'messages: Field required', param: 'messages' };
  if (messages.length === 0) return { ok: false, message: 'messages: at least one message is required', param: 'messages' };
  const parts: PromptPart[] = [];
  const system = body.system;
  if (system !== undefined && system !== null) parts.push({ role: 'system', ...markedContent(system) });
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || (m.role !== 'user' && m.role !== 'assistant')) {
      return { ok: false, message: `messages.${i}.role: Input should be 'user' or 'assistant'`, param: `messages.${i}` };
    }
    parts.push({ role: m.role, ...markedContent(m.content) });
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return { ok: false, message: 'stream: Input should be a valid boolean', param: 'stream' };
  }
  const request: ChatRequest = {
    model: body.model,
    stream: body.stream === true,
    maxTokens,
    includeUsage: true,
    minTokens: undefined,
    ignoreEos: false,
    ...promptInfo(parts),
  };
  return { ok: true, request };
}

/**
 * As the Messages API counts: input_tokens are the prompt tokens neither read from nor written
 * to the cache; only a prompt with a cache_control mark uses the cache at all.
 */
function usageJson(req: ChatRequest, output: number): string {
  const input = req.promptTokens - req.cachedTokens - req.cacheWriteTokens;
  return `{"input_tokens":${input},"cache_creation_input_tokens":${req.cacheWriteTokens},"cache_read_input_tokens":${req.cachedTokens},"output_tokens":${output},"service_tier":"standard"}`;
}

function streamPieces(req: ChatRequest, ids: ResponseIds): StreamPieces {
  const model = asciiJson(req.model);
  return {
    preamble: (ts) =>
      `event: message_start\ndata: {"type":"message_start","message":{"id":"${ids.id}","type":"message","role":"assistant",` +
      `"model":${model},"content":[],"stop_reason":null,"stop_sequence":null,"usage":${usageJson(req, 1)}}${ts}}\n\n` +
      `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}${ts}}\n\n` +
      `event: ping\ndata: {"type":"ping"${ts}}\n\n`,
    tokenPrefix: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":',
    tokenSuffix: '}',
    tail: (finish, n, ts) =>
      `event: content_block_stop\ndata: {"type":"content_block_stop","index":0${ts}}\n\n` +
      `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"${STOP_REASON[finish]}","stop_sequence":null},` +
      `"usage":{"output_tokens":${n}}${ts}}\n\n` +
      `event: message_stop\ndata: {"type":"message_stop"${ts}}\n\n`,
    malformed: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"unterminated\n\n',
  };
}

function body(req: ChatRequest, ids: ResponseIds, textJson: string, finish: FinishKind, n: number): string {
  return (
    `{"id":"${ids.id}","type":"message","role":"assistant","model":${asciiJson(req.model)},` +
    `"content":[{"type":"text","text":${textJson}}],"stop_reason":"${STOP_REASON[finish]}","stop_sequence":null,` +
    `"usage":${usageJson(req, n)}}`
  );
}

const ERROR_TYPE: Record<ErrorKind, string> = {
  invalid: 'invalid_request_error',
  auth: 'authentication_error',
  notFound: 'not_found_error',
  methodNotAllowed: 'invalid_request_error',
  tooLarge: 'request_too_large',
  rateLimit: 'rate_limit_error',
  server: 'api_error',
  overloaded: 'overloaded_error',
};

export const anthropicWire: WireFormat = {
  api: 'anthropic',
  parse,
  newIds: (counter) => ({ id: `msg_sim${randomSuffix(counter, 21)}`, created: Math.floor(Date.now() / 1000) }),
  streamPieces,
  body,
  errorBody: (kind, message) => JSON.stringify({ type: 'error', error: { type: ERROR_TYPE[kind], message } }),
  models: (created, names) => {
    const createdAt = new Date(created * 1000).toISOString();
    const data = names.map((id) => ({ type: 'model', id, display_name: id, created_at: createdAt }));
    return JSON.stringify({ data, has_more: false, first_id: names[0] ?? null, last_id: names[names.length - 1] ?? null });
  },
};
