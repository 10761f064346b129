// The provider-facing routes: POST /v1/chat/completions, POST /v1/messages and GET /v1/models.
// Order of checks follows real servers: method, auth, size, JSON, fields, rate limits, then
// injected faults, then the slot queue.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimCore } from './core.ts';
import { Generation } from './generation.ts';
import { forProtocol, readBody, sendJson, tryParseJson } from './http-util.ts';
import type { RequestRecord } from './records.ts';
import { answerTextHash } from './text.ts';
import { textHash } from './text-hash.ts';
import type { RejectReason } from './stats.ts';
import { ERROR_STATUS, SSE_HEADERS, randomSuffix, type ChatRequest, type ErrorKind, type FinishKind, type ToolCallPlan, type WireFormat } from './wire.ts';
import { fnv1a } from './prng.ts';

export const MODEL_NAMES: readonly string[] = ['streamtop-sim'];
const MAX_REQUEST_ID_LENGTH = 256;

const REJECT_REASON: Record<ErrorKind, RejectReason> = {
  invalid: 'invalid',
  auth: 'auth',
  notFound: 'notFound',
  methodNotAllowed: 'invalid',
  tooLarge: 'tooLarge',
  rateLimit: 'rateLimit',
  server: 'fault',
  overloaded: 'fault',
  // The simulator itself never answers 502 (its proxy mode does).
  badGateway: 'fault',
};

export class ApiRoutes {
  private counter = 0;
  private readonly keyBuffer: Buffer | undefined;

  constructor(private readonly core: SimCore) {
    const key = core.config.apiKey;
    this.keyBuffer = key === undefined ? undefined : Buffer.from(key);
  }

  /** True when no key is configured or the request carries it (Bearer or x-api-key). */
  authorized(req: IncomingMessage): boolean {
    if (this.keyBuffer === undefined) return true;
    const xKey = req.headers['x-api-key'];
    if (typeof xKey === 'string' && this.sameKey(xKey)) return true;
    const auth = req.headers.authorization;
    return typeof auth === 'string' && /^bearer /i.test(auth) && this.sameKey(auth.slice(7).trim());
  }

  private sameKey(candidate: string): boolean {
    const b = Buffer.from(candidate);
    const key = this.keyBuffer as Buffer;
    return b.length === key.length && timingSafeEqual(b, key);
  }

  models(wire: WireFormat, req: IncomingMessage, res: ServerResponse): void {
    if (!this.authorized(req)) return this.error(wire, res, 'auth', authMessage(wire, req), {});
    sendJson(res, 200, wire.models(Math.floor(Date.now() / 1000), MODEL_NAMES));
  }

  error(wire: WireFormat, res: ServerResponse, kind: ErrorKind, message: string, headers: Record<string, string>, detail?: Parameters<WireFormat['errorBody']>[2]): void {
    sendJson(res, ERROR_STATUS[kind], wire.errorBody(kind, message, detail), headers);
  }

  async chat(wire: WireFormat, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { core } = this;
    const received = performance.now();
    core.stats.received += 1;
    const n = ++this.counter;
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && given !== '' && given.length <= MAX_REQUEST_ID_LENGTH ? given : `sim-${n}`;
    const headers: Record<string, string> = wire.api === 'anthropic' ? { 'x-request-id': id, 'request-id': id } : { 'x-request-id': id };
    const record: RequestRecord = {
      id, api: wire.api, stream: false, model: '', status: 'received', httpStatus: 0, fault: null,
      promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0, toolCall: false, tokensSent: 0, receivedMs: received, admittedMs: null, headersMs: null,
      firstTokenDueMs: null, firstTokenMs: null, lastTokenMs: null, endMs: null, tokenMs: null,
      messages: 0, lastAssistantHash: null, answerHash: null,
    };
    core.records.add(record);
    const reject = (
      kind: ErrorKind,
      message: string,
      extra: Record<string, string> = {},
      detail?: Parameters<WireFormat['errorBody']>[2],
      reason: RejectReason = REJECT_REASON[kind],
    ): void => {
      record.status = 'rejected';
      record.httpStatus = ERROR_STATUS[kind];
      record.endMs = performance.now();
      core.stats.reject(reason);
      this.error(wire, res, kind, message, { ...headers, ...extra }, detail);
    };

    if (req.method !== 'POST') return reject('methodNotAllowed', `Method ${req.method ?? ''} not allowed; use POST.`, { allow: 'POST' });
    if (!this.authorized(req)) return reject('auth', authMessage(wire, req));
    const limit = core.config.maxBodyBytes;
    const body = await readBody(req, limit);
    if (!body.ok) {
      // Closing the connection spares us reading the rest of an oversized upload.
      if (body.reason === 'tooLarge') return reject('tooLarge', `Request body exceeds the limit of ${limit} bytes.`, { connection: 'close' });
      record.status = 'cancelled';
      record.endMs = performance.now();
      core.stats.cancelled += 1;
      return;
    }
    const json = tryParseJson(body.body.toString('utf8'));
    if (json === undefined) return reject('invalid', 'We could not parse the JSON body of your request.');
    const parsed = wire.parse(json.value);
    if (!parsed.ok) return reject('invalid', parsed.message, {}, { param: parsed.param });
    const chat = parsed.request;
    record.stream = chat.stream;
    record.model = chat.model;
    noteConversation(record, chat);
    core.countPrompt(chat, wire.api);
    record.promptTokens = chat.promptTokens;
    record.cachedTokens = chat.cachedTokens;

    const thinking = core.reasoningFor(chat.promptHash, chat.wantsReasoning);
    // Reasoning comes first and counts against max tokens, as the providers count it; the answer
    // (its natural length, min_tokens, ignore_eos) gets what is left.
    const reasoningTokens = Math.min(thinking.length, chat.maxTokens ?? Number.POSITIVE_INFINITY);
    const answer = answerLength(core, chat, reasoningTokens);
    const count = reasoningTokens + answer.count;
    const tokenIds = reasoningTokens === 0 ? answer.tokenIds : concatIds(thinking.subarray(0, reasoningTokens), answer.tokenIds);
    const finish: FinishKind = reasoningTokens < thinking.length ? 'length' : answer.finish;
    record.completionTokens = count;
    record.reasoningTokens = reasoningTokens;

    const limited = core.limiter.admit(chat.promptTokens + count);
    if (limited !== undefined) {
      const seconds = Math.max(1, Math.ceil(limited.waitMs / 1000));
      return reject('rateLimit', `Rate limit reached for ${limited.limit} per minute. Please try again in ${seconds}s.`,
        { 'retry-after': String(seconds), 'retry-after-ms': String(Math.ceil(limited.waitMs)) }, { limit: limited.limit });
    }

    const fault = core.drawFault();
    if (fault !== undefined) {
      record.fault = fault;
      core.stats.errorsInjected[fault] += 1;
    }
    if (fault === 'http429') return reject('rateLimit', 'Rate limit reached (injected fault).', { 'retry-after': '1' }, undefined, 'fault');
    if (fault === 'http500') return reject('server', 'The server had an error while processing your request (injected fault).');
    if (fault === 'http503') return reject('overloaded', 'The server is overloaded (injected fault). Please retry.', { 'retry-after': '1' });

    // The tool-args-invalid fault answers with a tool call whose arguments are cut short.
    const ids = wire.newIds(n);
    const tool = fault === 'tool-args-invalid' || core.drawToolCall() ? toolCallFor(wire.api, ids.id, fault !== 'tool-args-invalid') : undefined;
    record.toolCall = tool !== undefined;
    // ~1 µs per 200 answer tokens: the ground truth a multi-turn client's next turn is checked against.
    if (tool === undefined) record.answerHash = answerTextHash(tokenIds, reasoningTokens, count);
    const gen = new Generation(core, {
      req: chat, wire, ids, res, record, tokenIds, count,
      reasoning: { tokens: reasoningTokens, field: core.config.reasoningField },
      ...(tool !== undefined ? { tool } : {}),
      finish,
      fault, faultAt: core.faultPosition(count), headers,
    });
    res.once('close', () => gen.cancel());
    const admit = (): void => {
      if (gen.closed) return;
      if (!core.hasRoom()) {
        gen.discard();
        return reject('rateLimit', `The server is at capacity: ${core.config.slots} running and ${core.config.queue} waiting. Please retry.`,
          { 'retry-after': String(core.queueRetryAfterSeconds()) }, undefined, 'queueFull');
      }
      record.httpStatus = 200;
      // Headers go out on acceptance, before any token (as servers do), so TTFB < TTFT. A
      // generation that starts at once sends them with its first chunk (one write); a queued one,
      // or one whose first token is due at once, gets them now.
      if (chat.stream) res.writeHead(200, forProtocol(res, { ...SSE_HEADERS, ...headers }));
      core.submit(gen);
      if (chat.stream) {
        gen.flushHeaders();
        record.headersMs = performance.now();
      }
    };
    if (fault === 'slow-headers') setTimeout(admit, core.config.stallMs);
    else admit();
  }
}

/** The request's messages (a system prompt apart) and the hash of its last assistant message. */
function noteConversation(record: RequestRecord, chat: ChatRequest): void {
  let messages = 0;
  let lastAssistant: string | undefined;
  for (const p of chat.parts) {
    if (p.role === 'system') continue;
    messages++;
    if (p.role === 'assistant') lastAssistant = p.text;
  }
  record.messages = messages;
  if (lastAssistant !== undefined) record.lastAssistantHash = textHash(lastAssistant);
}

/** The simulator's one tool, with an id in each provider's style, derived from the response id. */
function toolCallFor(api: WireFormat['api'], responseId: string, valid: boolean): ToolCallPlan {
  const suffix = randomSuffix(fnv1a(responseId), 24);
  return { id: api === 'anthropic' ? `toolu_${suffix}` : `call_${suffix}`, name: 'lookup', valid };
}

function concatIds(a: Uint16Array, b: Uint16Array): Uint16Array {
  const out = new Uint16Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * How long the answer is: its natural length (from --output-tokens and the prompt), cut at the
 * request's max tokens (less the reasoning before it), raised to min_tokens, or exactly max tokens with ignore_eos.
 */
function answerLength(core: SimCore, chat: ChatRequest, reserved: number): { tokenIds: Uint16Array; count: number; finish: FinishKind } {
  const natural = core.completionFor(chat.promptHash);
  // The request's max tokens less what the reasoning before the answer took.
  const max = (chat.maxTokens ?? Number.POSITIVE_INFINITY) - reserved;
  let count = Math.min(natural.length, max);
  if (chat.ignoreEos && chat.maxTokens !== undefined) count = max;
  else if (chat.minTokens !== undefined) count = Math.max(count, Math.min(chat.minTokens, max));
  const tokenIds = count > natural.length ? core.completionOfLength(chat.promptHash, count) : natural;
  // Cut short of the natural end (or past it on request): the cap, not the model, ended it.
  const finish: FinishKind = count < natural.length || (chat.ignoreEos && count === max) ? 'length' : 'stop';
  return { tokenIds, count, finish };
}

function authMessage(wire: WireFormat, req: IncomingMessage): string {
  const sent = req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined;
  if (wire.api === 'anthropic') return sent ? 'invalid x-api-key' : 'x-api-key header is required';
  return sent
    ? 'Incorrect API key provided.'
    : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
}
