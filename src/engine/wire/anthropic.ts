// Anthropic Messages wire format (`POST {base}/v1/messages`).

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

export const ANTHROPIC_VERSION = '2023-06-01';
/** The API requires max_tokens; this is what we send when the user gave none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/**
 * `{base}/v1/messages`. The base has no `/v1` (as with the official SDK); a base that ends in `/v1`
 * or already in `/v1/messages` is tolerated rather than doubled.
 */
export function anthropicUrl(baseUrl: string): string {
  const u = parseBaseUrl(baseUrl);
  let p = u.pathname.replace(/\/+$/, '');
  if (!p.endsWith('/v1/messages')) p = p.endsWith('/v1') ? `${p}/messages` : `${p}/v1/messages`;
  u.pathname = p;
  return u.toString();
}

export function buildAnthropicRequest(input: BuildRequestInput): BuiltRequest {
  // The API has no system role in `messages`: fold any such messages into the top-level `system`.
  const systemParts: string[] = [];
  if (input.system !== undefined && input.system.length > 0) systemParts.push(input.system);
  const messages: Array<{ role: string; content: string | TextBlock[] }> = [];
  for (const m of input.messages) {
    if (m.role === 'system') systemParts.push(m.content);
    else messages.push({ role: m.role, content: m.cachePrefixChars !== undefined ? cacheMarked(m.content, m.cachePrefixChars) : m.content });
  }
  const body: Record<string, unknown> = {
    model: input.model,
    max_tokens: input.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
    stream: input.stream,
  };
  if (systemParts.length > 0) body.system = systemParts.join('\n\n');
  if (input.extraBody !== undefined) Object.assign(body, input.extraBody);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: input.stream ? 'text/event-stream' : 'application/json',
    // A compressed stream would need decoding before parsing; ask for none (the runner still
    // decodes gzip, deflate and br from servers that compress anyway).
    'accept-encoding': 'identity',
    'anthropic-version': ANTHROPIC_VERSION,
    'x-request-id': input.requestId,
  };
  if (input.apiKey !== undefined && input.apiKey.length > 0) headers['x-api-key'] = input.apiKey;
  return { url: anthropicUrl(input.baseUrl), headers: mergeHeaders(headers, input.extraHeaders), body: JSON.stringify(body) };
}

interface TextBlock {
  type: 'text';
  text: string;
  cache_control?: { type: 'ephemeral' };
}

/** The shared prefix as a cache breakpoint, the rest after it. */
function cacheMarked(content: string, prefixChars: number): TextBlock[] {
  const rest = content.slice(prefixChars);
  const head: TextBlock = { type: 'text', text: content.slice(0, prefixChars), cache_control: { type: 'ephemeral' } };
  return rest === '' ? [head] : [head, { type: 'text', text: rest }];
}

/**
 * Interprets Messages stream events into typed content pieces. Content blocks come in any order
 * and number: `thinking` (`thinking_delta` pieces are reasoning; `signature_delta` carries no
 * tokens), `redacted_thinking` (reasoning whose text arrives encrypted, whole, in its block start),
 * `text` (`text_delta`: answer) and `tool_use` (its start carries the id and generated name, then
 * `input_json_delta` pieces of the arguments). Empty deltas are not content, matching the OpenAI
 * rule; an unknown delta type counts as content of its block's kind, as new delta types so far have
 * all been generated output. The type is read from the JSON's `type` (always present from
 * Anthropic) and falls back on the SSE event name.
 */
export class AnthropicStreamInterpreter implements StreamInterpreter {
  outputTokens: number | undefined = undefined;
  /** The Messages API reports no reasoning count: thinking is counted over its text. */
  readonly reasoningTokens: number | undefined = undefined;
  inputTokens: number | undefined = undefined;
  cachedTokens: number | undefined = undefined;
  finishReason: string | undefined = undefined;
  /** Type of each open content block by index, to give an unknown delta its block's kind. */
  private readonly blockTypes = new Map<number, string>();

  private unknownDelta(index: number): StreamSignal {
    const block = this.blockTypes.get(index);
    if (block !== undefined && TOOL_BLOCKS.has(block)) return { kind: 'tool', index, args: '' };
    return { kind: block === 'thinking' || block === 'redacted_thinking' ? 'reasoning' : 'answer', text: '' };
  }

  private takeUsage(u: Record<string, unknown>): number | undefined {
    const prompt = promptOf(u);
    if (prompt !== undefined) {
      this.inputTokens = prompt.input;
      if (prompt.cached !== undefined) this.cachedTokens = prompt.cached;
    }
    return prompt?.input;
  }

  onEvent(ev: SseEvent): StreamSignal {
    const data = ev.data;
    if (data.length === 0) return ev.event === 'error' ? streamError(undefined, '') : IGNORE;
    if (data === '[DONE]') return DONE; // some gateways append it to Anthropic streams too
    const parsed = tryParse(data);
    if (parsed === undefined) {
      if (ev.event === 'error') return streamError(undefined, data);
      if (data.trim().length === 0) return IGNORE;
      return malformed(data);
    }
    const obj = parsed.value;
    if (!isRecord(obj)) return ev.event === 'error' ? streamError(obj, data) : malformed(data);
    const type = typeof obj.type === 'string' ? obj.type : ev.event;
    const index = numberOrUndefined(obj.index) ?? 0;

    switch (type) {
      case 'content_block_delta': {
        const d = obj.delta;
        if (!isRecord(d)) return this.unknownDelta(index);
        switch (d.type) {
          case 'text_delta':
            return typeof d.text === 'string' && d.text.length > 0 ? { kind: 'answer', text: d.text } : IGNORE;
          case 'thinking_delta':
            return typeof d.thinking === 'string' && d.thinking.length > 0 ? { kind: 'reasoning', text: d.thinking } : IGNORE;
          case 'input_json_delta':
            // The block start already counted (it carries the name); an empty piece adds nothing.
            return typeof d.partial_json === 'string' && d.partial_json.length > 0 ? { kind: 'tool', index, args: d.partial_json } : IGNORE;
          case 'signature_delta':
          case 'citations_delta':
            return IGNORE;
          default:
            return this.unknownDelta(index);
        }
      }
      case 'content_block_start': {
        const b = obj.content_block;
        if (!isRecord(b) || typeof b.type !== 'string') return IGNORE;
        this.blockTypes.set(index, b.type);
        return blockStartPiece(b, index) ?? IGNORE;
      }
      case 'content_block_stop':
        this.blockTypes.delete(index);
        return IGNORE;
      case 'message_start': {
        // message_start's output_tokens is a placeholder (usually 1); only message_delta's counts.
        const m = obj.message;
        if (isRecord(m) && isRecord(m.usage)) this.takeUsage(m.usage);
        return IGNORE;
      }
      case 'message_delta': {
        const d = obj.delta;
        if (isRecord(d) && typeof d.stop_reason === 'string') this.finishReason = d.stop_reason;
        const u = obj.usage;
        if (!isRecord(u)) return IGNORE;
        const out = numberOrUndefined(u.output_tokens);
        if (out !== undefined) this.outputTokens = out;
        // Newer API versions repeat the (final) input count here.
        return usageSignal(out, this.takeUsage(u));
      }
      case 'message_stop':
        return DONE;
      case 'error':
        return streamError(obj, data);
      case 'ping':
        return IGNORE;
      default:
        // Unknown event types must be tolerated (Anthropic's versioning policy); an error payload
        // under another name is still an error.
        if (ev.event === 'error' || isErrorPayload(obj)) return streamError(obj, data);
        return IGNORE;
    }
  }
}

const TOOL_BLOCKS: ReadonlySet<string> = new Set(['tool_use', 'server_tool_use', 'mcp_tool_use']);

/**
 * What a block's start carries: a tool call's id and name (its first generated piece), a redacted
 * thinking block (reasoning with no readable text), or, rarely, text already in a text block.
 */
function blockStartPiece(b: Record<string, unknown>, index: number): ContentPiece | undefined {
  switch (b.type) {
    case 'tool_use':
    case 'server_tool_use':
    case 'mcp_tool_use': {
      // Keep in step with TOOL_BLOCKS.
      const id = typeof b.id === 'string' && b.id.length > 0 ? b.id : undefined;
      const name = typeof b.name === 'string' && b.name.length > 0 ? b.name : undefined;
      return { kind: 'tool', index, ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}), args: '' };
    }
    case 'redacted_thinking':
      return { kind: 'reasoning', text: '' };
    case 'text':
      return typeof b.text === 'string' && b.text.length > 0 ? { kind: 'answer', text: b.text } : undefined;
    case 'thinking':
      return typeof b.thinking === 'string' && b.thinking.length > 0 ? { kind: 'reasoning', text: b.thinking } : undefined;
    default:
      return undefined;
  }
}

export function parseAnthropicBody(json: unknown): NonStreamResult {
  if (!isRecord(json)) return { ok: false, code: 'body_invalid', message: 'response body is not a JSON object' };
  if (isErrorPayload(json)) {
    return { ok: false, code: 'stream_error_event', message: rawMessage(errorMessageOf(json) ?? 'error body') };
  }
  const content = json.content;
  if (!Array.isArray(content)) return { ok: false, code: 'body_invalid', message: 'response has no content array' };
  const pieces: ContentPiece[] = [];
  let index = 0;
  for (const block of content as unknown[]) {
    if (isRecord(block)) {
      if (typeof block.type === 'string' && TOOL_BLOCKS.has(block.type)) {
        const start = blockStartPiece(block, index);
        if (start?.kind === 'tool') pieces.push({ ...start, args: block.input === undefined ? '' : JSON.stringify(block.input) });
      } else {
        const start = blockStartPiece(block, index);
        if (start !== undefined) pieces.push(start);
      }
    }
    index++;
  }
  const result: NonStreamResult = { ok: true, pieces };
  const usage = json.usage;
  if (isRecord(usage)) {
    const out = numberOrUndefined(usage.output_tokens);
    if (out !== undefined) result.outputTokens = out;
    const prompt = promptOf(usage);
    if (prompt !== undefined) {
      result.inputTokens = prompt.input;
      if (prompt.cached !== undefined) result.cachedTokens = prompt.cached;
    }
  }
  if (typeof json.stop_reason === 'string') result.finishReason = json.stop_reason;
  return result;
}

/**
 * The whole prompt from Anthropic usage: `input_tokens` counts only what was neither read from
 * nor written to the cache, so the prompt is the sum of the three; the cached part is the read.
 */
function promptOf(u: Record<string, unknown>): { input: number; cached: number | undefined } | undefined {
  const input = numberOrUndefined(u.input_tokens);
  if (input === undefined) return undefined;
  const read = numberOrUndefined(u.cache_read_input_tokens);
  const created = numberOrUndefined(u.cache_creation_input_tokens);
  return { input: input + (read ?? 0) + (created ?? 0), cached: read };
}

export function parseAnthropicErrorBody(status: number, bodyText: string): string {
  return errorBodyMessage(status, bodyText);
}
