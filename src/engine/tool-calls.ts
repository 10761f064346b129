import type { ContentPiece } from './wire/types.ts';

type ToolPiece = Extract<ContentPiece, { kind: 'tool' }>;

/** One tool call of a response, as its pieces arrived. */
export interface ToolCall {
  readonly index: number;
  id?: string;
  name?: string;
  /** Pieces of the JSON arguments, joined only when checked or counted. */
  readonly args: string[];
}

/** Calls kept per request; a response with more is counted but not checked past this. */
const MAX_TOOL_CALLS = 128;

/**
 * The tool calls of one response, assembled from pieces that may interleave by index (OpenAI's
 * parallel calls) and be split anywhere (the arguments stream as JSON fragments). The arguments
 * are checked once the response is whole: a call whose arguments do not parse as JSON is what
 * `tool_args_invalid` counts.
 */
export class ToolCalls {
  private readonly calls = new Map<number, ToolCall>();
  private total = 0;

  /** Calls seen (distinct indices). */
  get count(): number {
    return this.total;
  }

  /** Adds a piece; returns the call it belongs to, and whether the piece opened it. */
  add(p: ToolPiece): { call: ToolCall | undefined; opened: boolean } {
    let call = this.calls.get(p.index);
    let opened = false;
    if (call === undefined) {
      this.total++;
      opened = true;
      if (this.calls.size < MAX_TOOL_CALLS) {
        call = { index: p.index, args: [] };
        this.calls.set(p.index, call);
      }
    }
    if (call === undefined) return { call, opened };
    if (p.id !== undefined) call.id ??= p.id;
    if (p.name !== undefined) call.name ??= p.name;
    if (p.args.length > 0) call.args.push(p.args);
    return { call, opened };
  }

  /** Arguments of every call, joined: what the tokenizer counts when the server gave no usage. */
  argsText(): string {
    let s = '';
    for (const c of this.calls.values()) s += c.args.join('');
    return s;
  }

  /**
   * Why the first call with unparseable arguments fails, or undefined when all parse. Empty
   * arguments are a call without parameters, which is valid.
   */
  invalidArgs(): string | undefined {
    for (const c of this.calls.values()) {
      const text = c.args.join('');
      if (text.trim().length === 0) continue;
      try {
        JSON.parse(text);
      } catch (e) {
        const who = c.name !== undefined ? `"${c.name}"` : `#${c.index}`;
        return `tool call ${who} has arguments that are not JSON (${(e as Error).message}; ${text.length} characters)`;
      }
    }
    return undefined;
  }
}
