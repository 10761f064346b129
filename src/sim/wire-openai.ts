// OpenAI chat completions wire format, as api.openai.com sends it: chunk objects with a role-only
// first chunk, one content delta per token, a finish chunk, the usage chunk (choices: []) when
// stream_options.include_usage is set, then `data: [DONE]`.

import {
  asciiJson,
  contentText,
  isRecord,
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
  toolArgsJson,
} from './wire.ts';

const FINGERPRINT = '"fp_streamtop_sim"';

/** `completion` includes the reasoning tokens, as OpenAI counts them. */
function usageJson(req: ChatRequest, completion: number, reasoning: number): string {
  const prompt = req.promptTokens;
  return (
    `{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion},` +
    `"prompt_tokens_details":{"cached_tokens":${req.cachedTokens},"audio_tokens":0},` +
    `"completion_tokens_details":{"reasoning_tokens":${reasoning},"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`
  );
}

/** `reasoning_effort` other than "none" asks a reasoning model to reason. */
function asksReasoning(body: Record<string, unknown>): boolean {
  const effort = body.reasoning_effort;
  if (typeof effort === 'string') return effort !== 'none';
  // OpenRouter's form: "reasoning": {"effort": ...} or {"max_tokens": ...}.
  const r = body.reasoning;
  return isRecord(r) && r.enabled !== false && r.exclude !== true;
}

function parse(body: unknown): ParseResult {
  if (!isRecord(body)) return { ok: false, message: 'The request body must be a JSON object.', param: null };
  if (typeof body.model !== 'string' || body.model === '') {
    return { ok: false, message: 'you must provide a model parameter', param: 'model' };
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return { ok: false, message: "Missing required parameter: 'messages'.", param: 'messages' };
  }
  const parts: PromptPart[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || typeof m.role !== 'string') {
      return { ok: false, message: `Invalid value for 'messages[${i}]': expected an object with a 'role'.`, param: `messages[${i}]` };
    }
    parts.push({ role: m.role, text: contentText(m.content) });
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return { ok: false, message: "Invalid type for 'stream': expected a boolean.", param: 'stream' };
  }
  const stream = body.stream === true;
  const options = body.stream_options;
  if (options !== undefined && options !== null) {
    if (!stream) {
      return { ok: false, message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: 'stream_options' };
    }
    if (!isRecord(options)) return { ok: false, message: "Invalid type for 'stream_options'.", param: 'stream_options' };
  }
  const mct = optionalPositiveInt(body.max_completion_tokens, 'max_completion_tokens');
  if (typeof mct === 'string') return { ok: false, message: mct, param: 'max_completion_tokens' };
  const mt = optionalPositiveInt(body.max_tokens, 'max_tokens');
  if (typeof mt === 'string') return { ok: false, message: mt, param: 'max_tokens' };
  // vLLM's and SGLang's extensions, which benchmarks use to fix answer lengths.
  const minTokens = optionalPositiveInt(body.min_tokens === 0 ? undefined : body.min_tokens, 'min_tokens');
  if (typeof minTokens === 'string') return { ok: false, message: minTokens, param: 'min_tokens' };
  if (body.ignore_eos !== undefined && body.ignore_eos !== null && typeof body.ignore_eos !== 'boolean')
    return { ok: false, message: "Invalid type for 'ignore_eos': expected a boolean.", param: 'ignore_eos' };
  const request: ChatRequest = {
    model: body.model,
    stream,
    maxTokens: mct ?? mt,
    includeUsage: isRecord(options) && options.include_usage === true,
    minTokens,
    ignoreEos: body.ignore_eos === true,
    ...promptInfo(parts),
    wantsReasoning: asksReasoning(body),
  };
  return { ok: true, request };
}

function streamPieces(req: ChatRequest, ids: ResponseIds, reasoning: ReasoningPlan, tool?: ToolCallPlan): StreamPieces {
  const head =
    `data: {"id":"${ids.id}","object":"chat.completion.chunk","created":${ids.created},` +
    `"model":${asciiJson(req.model)},"system_fingerprint":${FINGERPRINT},"choices":[`;
  // With include_usage, every chunk but the last carries "usage":null, as OpenAI does.
  const usageNull = req.includeUsage ? ',"usage":null' : '';
  return {
    preamble: (ts) =>
      `${head}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${usageNull}${ts}}\n\n`,
    tokenPrefix: `${head}{"index":0,"delta":{"content":`,
    tokenSuffix: `},"logprobs":null,"finish_reason":null}]${usageNull}`,
    reasoningPrefix: `${head}{"index":0,"delta":{"${reasoning.field}":`,
    reasoningSuffix: `},"logprobs":null,"finish_reason":null}]${usageNull}`,
    toolPrefix: `${head}{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":`,
    toolSuffix: `}}]},"logprobs":null,"finish_reason":null}]${usageNull}`,
    // A tool call's first chunk names it (content null, as OpenAI sends it) and opens its arguments.
    toAnswer: (ts) =>
      tool === undefined
        ? ''
        : `${head}{"index":0,"delta":{"content":null,"tool_calls":[{"index":0,"id":"${tool.id}","type":"function",` +
          `"function":{"name":"${tool.name}","arguments":${JSON.stringify(TOOL_ARGS_OPEN)}}}]},"logprobs":null,"finish_reason":null}]${usageNull}${ts}}\n\n`,
    tail: (finish: FinishKind, n: number, ts: string) =>
      (tool?.valid === true
        ? `${head}{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(TOOL_ARGS_CLOSE)}}}]},"logprobs":null,"finish_reason":null}]${usageNull}${ts}}\n\n`
        : '') +
      `${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${tool !== undefined && finish === 'stop' ? 'tool_calls' : finish}"}]${usageNull}${ts}}\n\n` +
      (req.includeUsage ? `${head}],"usage":${usageJson(req, n, reasoning.tokens)}${ts}}\n\n` : '') +
      'data: [DONE]\n\n',
    malformed: `${head}{"index":0,"delta":{"content":"unterminated\n\n`,
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
  const thought = reasoning !== undefined && reasoning.tokens > 0 ? `"${reasoning.field}":${reasoning.json},` : '';
  const answer =
    tool === undefined
      ? `"content":${textJson}`
      : `"content":null,"tool_calls":[{"id":"${tool.id}","type":"function","function":{"name":"${tool.name}","arguments":${toolArgsJson(textJson, tool.valid)}}}]`;
  const reason = tool !== undefined && finish === 'stop' ? 'tool_calls' : finish;
  return (
    `{"id":"${ids.id}","object":"chat.completion","created":${ids.created},"model":${asciiJson(req.model)},` +
    `"choices":[{"index":0,"message":{"role":"assistant",${thought}${answer},"refusal":null,"annotations":[]},` +
    `"logprobs":null,"finish_reason":"${reason}"}],"usage":${usageJson(req, n, reasoning?.tokens ?? 0)},` +
    `"service_tier":"default","system_fingerprint":${FINGERPRINT}}`
  );
}

const ERROR_TYPE: Record<ErrorKind, string> = {
  invalid: 'invalid_request_error',
  auth: 'invalid_request_error',
  notFound: 'invalid_request_error',
  methodNotAllowed: 'invalid_request_error',
  tooLarge: 'invalid_request_error',
  rateLimit: 'requests',
  server: 'server_error',
  overloaded: 'server_error',
  badGateway: 'server_error',
};
const ERROR_CODE: Record<ErrorKind, string | null> = {
  invalid: null,
  auth: 'invalid_api_key',
  notFound: 'unknown_url',
  methodNotAllowed: 'method_not_allowed',
  tooLarge: 'request_too_large',
  rateLimit: 'rate_limit_exceeded',
  server: null,
  overloaded: 'service_unavailable',
  badGateway: 'bad_gateway',
};

export const openaiWire: WireFormat = {
  api: 'openai',
  parse,
  newIds: (counter) => ({ id: `chatcmpl-${randomSuffix(counter, 29)}`, created: Math.floor(Date.now() / 1000) }),
  streamPieces,
  body,
  errorBody: (kind, message, detail) =>
    JSON.stringify({
      error: {
        message,
        type: kind === 'rateLimit' && detail?.limit !== undefined ? detail.limit : ERROR_TYPE[kind],
        param: detail?.param ?? null,
        code: detail?.code !== undefined ? detail.code : ERROR_CODE[kind],
      },
    }),
  models: (created, names) =>
    JSON.stringify({ object: 'list', data: names.map((id) => ({ id, object: 'model', created, owned_by: 'streamtop' })) }),
};
