
// Per-request ground truth: the server's own times for each request, looked up by the request id
// the client sent (x-request-id). Bounded twice: by record count and by the total number of
// per-token times held, so a long itl-0 run cannot grow memory without limit.

export type RecordStatus = 'received' | 'queued' | 'running' | 'completed' | 'cancelled' | 'disconnected' | 'rejected';

/** Times are ms from the server's performance.timeOrigin (i.e. its performance.now()). */
export interface RequestRecord {
  id: string;
  api: 'openai' | 'anthropic';
  stream: boolean;
  model: string;
  status: RecordStatus;
  httpStatus: number;
  fault: string | null;
  promptTokens: number;
  /** Of the prompt tokens, served from the prefix cache (prefill was not charged for them). */
  cachedTokens: number;
  /** Tokens the generation was to produce (after the max-tokens cap), reasoning included. */
  completionTokens: number;
  /** How many of them are reasoning (the first ones). */
  reasoningTokens: number;
  /** The answer is a tool call (its tokens are the call's arguments). */
  toolCall: boolean;
  tokensSent: number;
  receivedMs: number;
  /** Got a generation slot. */
  admittedMs: number | null;
  headersMs: number | null;
  /** When the first token was scheduled: with jitter 0 token i is due at this + i * itl (no load factor). */
  firstTokenDueMs: number | null;
  firstTokenMs: number | null;
  lastTokenMs: number | null;
  endMs: number | null;
  /** Write time of each token (streaming only). */
  tokenMs: Float64Array | null;
  /** Messages in the request, a system prompt not counted (Anthropic's is not a message). */
  messages: number;
  /**
   * What a multi-turn request carried and what it was answered, as 32-bit hashes of the text
   * (textHash in text-hash.ts): the last assistant message it sent (null without one) and the
   * answer generated for it (all of it, as a client assembles the text; null for a tool call or a
   * rejected request). A client that resends the answers it received sends turn k's answerHash as
   * turn k+1's lastAssistantHash.
   */
  lastAssistantHash: number | null;
  answerHash: number | null;
}

const hex = (h: number | null): string | null => (h === null ? null : (h >>> 0).toString(16).padStart(8, '0'));

export const DEFAULT_MAX_TOKEN_TIMES = 10_000_000;

export class RecordStore {
  private readonly byId = new Map<string, RequestRecord>();
  private tokenTimesHeld = 0;

  constructor(
    private readonly maxRecords: number,
    private readonly maxTokenTimes = DEFAULT_MAX_TOKEN_TIMES,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  add(record: RequestRecord): void {
    const old = this.byId.get(record.id);
    // A reused id replaces the older record; delete first so it moves to the newest position.
    if (old !== undefined) this.remove(record.id, old);
    this.byId.set(record.id, record);
    this.evict();
  }

  /** Called when a record's token times are final, so they count against the budget. */
  holdTokenTimes(record: RequestRecord): void {
    if (record.tokenMs !== null && record.tokenMs.length !== record.tokensSent) {
      record.tokenMs = record.tokenMs.slice(0, record.tokensSent);
    }
    this.tokenTimesHeld += record.tokenMs?.length ?? 0;
    this.evict();
  }

  get(id: string): RequestRecord | undefined {
    return this.byId.get(id);
  }

  clear(): void {
    this.byId.clear();
    this.tokenTimesHeld = 0;
  }

  private remove(id: string, record: RequestRecord): void {
    this.byId.delete(id);
    if (record.endMs !== null) this.tokenTimesHeld -= record.tokenMs?.length ?? 0;
  }

  private evict(): void {
    while (this.byId.size > this.maxRecords || this.tokenTimesHeld > this.maxTokenTimes) {
      const first = this.byId.entries().next();
      if (first.done === true) return;
      this.remove(first.value[0], first.value[1]);
    }
  }
}

/**
 * Ground truth of the reasoning metrics: when the first reasoning token and the first output
 * token were written (a non-streaming body writes both at once), null where there was none.
 * A tool call's first token is its answer's first token (its name goes out with it).
 */
function phaseTimes(r: RequestRecord): { firstReasoningMs: number | null; firstOutputMs: number | null; firstToolCallMs: number | null } {
  const sent = r.tokensSent;
  const at = (i: number): number | null => (r.tokenMs === null ? r.firstTokenMs : i < Math.min(sent, r.tokenMs.length) ? (r.tokenMs[i] ?? null) : null);
  const firstOutputMs = round(sent > r.reasoningTokens ? at(r.reasoningTokens) : null);
  return {
    firstReasoningMs: round(r.reasoningTokens > 0 && sent > 0 ? at(0) : null),
    firstOutputMs,
    firstToolCallMs: r.toolCall ? firstOutputMs : null,
  };
}

const round = (ms: number | null): number | null => (ms === null ? null : Math.round(ms * 1000) / 1000);

/** JSON form: times rounded to the microsecond. */
export function recordToJson(r: RequestRecord): Record<string, unknown> {
  const tokenMs: number[] = [];
  if (r.tokenMs !== null) for (let i = 0; i < Math.min(r.tokensSent, r.tokenMs.length); i++) tokenMs.push(Math.round((r.tokenMs[i] ?? 0) * 1000) / 1000);
  return {
    id: r.id,
    api: r.api,
    stream: r.stream,
    model: r.model,
    status: r.status,
    httpStatus: r.httpStatus,
    fault: r.fault,
    promptTokens: r.promptTokens,
    cachedTokens: r.cachedTokens,
    completionTokens: r.completionTokens,
    reasoningTokens: r.reasoningTokens,
    toolCall: r.toolCall,
    tokensSent: r.tokensSent,
    receivedMs: round(r.receivedMs),
    admittedMs: round(r.admittedMs),
    headersMs: round(r.headersMs),
    firstTokenDueMs: round(r.firstTokenDueMs),
    firstTokenMs: round(r.firstTokenMs),
    lastTokenMs: round(r.lastTokenMs),
    ...phaseTimes(r),
    endMs: round(r.endMs),
    tokenMs: r.tokenMs === null ? null : tokenMs,
    messages: r.messages,
    lastAssistantHash: hex(r.lastAssistantHash),
    answerHash: hex(r.answerHash),
  };
}
