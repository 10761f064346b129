// Anthropic messages wire format: the documented event sequence message_start, content_block_start,
// ping, content_block_delta..., content_block_stop, message_delta (stop_reason, usage), message_stop.

import {
  asciiJson,
  isRecord,
  markedContent,
  optionalPositiveInt,
  promptInfo,
  randomSuffix,
  type BodyReasoning,
  type ChatRequest,
  type ErrorKind,
  type FinishKind,
  type ParseResult,
  type ReasoningPlan,
  type PromptPart,
  type ResponseIds,
  type StreamPieces,
  type ToolCallPlan,
  type WireFormat,
  TOOL_ARGS_CLOSE,
  TOOL_ARGS_OPEN,
} from './wire.ts';
import { fnv1a } from './prng.ts';

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
    wantsReasoning: isRecord(body.thinking) && body.thinking.type !== 'disabled',
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

/** A stable, signature-shaped string per response (the real one is an opaque encrypted blob). */
function signatureOf(ids: ResponseIds): string {
  return `EqQB${randomSuffix(fnv1a(ids.id, 0x811c9dc5), 48)}`;
}

/**
 * With reasoning the message holds a thinking block (index 0: thinking deltas, then its
 * signature) and the answer block after it (index 1), as the API streams extended thinking. The
 * answer block is a text block, or a tool_use block whose input streams as input_json_delta.
 */
function streamPieces(req: ChatRequest, ids: ResponseIds, reasoning: ReasoningPlan, tool?: ToolCallPlan): StreamPieces {
  const model = asciiJson(req.model);
  const thinks = reasoning.tokens > 0;
  const answer = thinks ? 1 : 0;
  const blockStart = (index: number, block: string, ts: string): string =>
    `event: content_block_start\ndata: {"type":"content_block_start","index":${index},"content_block":${block}${ts}}\n\n`;
  const blockStop = (index: number, ts: string): string => `event: content_block_stop\ndata: {"type":"content_block_stop","index":${index}${ts}}\n\n`;
  const jsonDelta = (partial: string, ts: string): string =>
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":${answer},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(partial)}}${ts}}\n\n`;
  const textBlock = '{"type":"text","text":""}';
  // The answer block opens in the preamble for a plain answer, else once the thinking is done.
  const answerStart = (ts: string): string =>
    tool === undefined
      ? blockStart(answer, textBlock, ts)
      : blockStart(answer, `{"type":"tool_use","id":"${tool.id}","name":"${tool.name}","input":{}}`, ts) + jsonDelta(TOOL_ARGS_OPEN, ts);
  const opensLater = thinks || tool !== undefined;
  return {
    preamble: (ts) =>
      `event: message_start\ndata: {"type":"message_start","message":{"id":"${ids.id}","type":"message","role":"assistant",` +
      `"model":${model},"content":[],"stop_reason":null,"stop_sequence":null,"usage":${usageJson(req, 1)}}${ts}}\n\n` +
      (thinks ? blockStart(0, '{"type":"thinking","thinking":"","signature":""}', ts) : opensLater ? '' : blockStart(0, textBlock, ts)) +
      `event: ping\ndata: {"type":"ping"${ts}}\n\n`,
    tokenPrefix: `event: content_block_delta\ndata: {"type":"content_block_delta","index":${answer},"delta":{"type":"text_delta","text":`,
    tokenSuffix: '}',
    toolPrefix: `event: content_block_delta\ndata: {"type":"content_block_delta","index":${answer},"delta":{"type":"input_json_delta","partial_json":`,
    toolSuffix: '}',
    reasoningPrefix: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":',
    reasoningSuffix: '}',
    toAnswer: (ts) =>
      (thinks
        ? `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"${signatureOf(ids)}"}${ts}}\n\n` +
          blockStop(0, ts)
        : '') + (opensLater ? answerStart(ts) : ''),
    tail: (finish, n, ts) =>
      (tool?.valid === true ? jsonDelta(TOOL_ARGS_CLOSE, ts) : '') +
      blockStop(answer, ts) +
      `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"${tool !== undefined && finish === 'stop' ? 'tool_use' : STOP_REASON[finish]}","stop_sequence":null},` +
      `"usage":{"output_tokens":${n}}${ts}}\n\n` +
      `event: message_stop\ndata: {"type":"message_stop"${ts}}\n\n`,
    malformed: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"unterminated\n\n',
  };
}

function body(
  req: ChatRequest,
  ids: ResponseIds,
  textJson: string,
  finish: FinishKind,
  n: number,
  reasoning?: BodyReasoning & ReasoningPlan,
  tool?: ToolCallPlan,
): string {
  const thought =
    reasoning !== undefined && reasoning.tokens > 0 ? `{"type":"thinking","thinking":${reasoning.json},"signature":"${signatureOf(ids)}"},` : '';
  // A whole message's tool input is an object (the API parses it): it cannot be cut short.
  const answer = tool === undefined ? `{"type":"text","text":${textJson}}` : `{"type":"tool_use","id":"${tool.id}","name":"${tool.name}","input":{"query":${textJson}}}`;
  const reason = tool !== undefined && finish === 'stop' ? 'tool_use' : STOP_REASON[finish];
  return (
    `{"id":"${ids.id}","type":"message","role":"assistant","model":${asciiJson(req.model)},` +
    `"content":[${thought}${answer}],"stop_reason":"${reason}","stop_sequence":null,` +
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
  badGateway: 'api_error',
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
