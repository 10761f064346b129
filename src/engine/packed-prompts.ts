import { Buffer } from 'node:buffer';
import type { ChatMessage } from './wire/types.ts';
import type { Prompt } from './prompts.ts';
import { isJsonPlain } from './request-body.ts';

/**
 * A set of built prompts kept as bytes outside the JS heap: every user text back to back in one
 * SharedArrayBuffer, with typed arrays for where each ends and what it carries. A request turns
 * its prompt back into a string (a copy of a few KB) just before its body is encoded.
 *
 * Why: 10,000 unique 1,000-token prompts are 50 MB of strings. Held in the engine worker's heap
 * they made its scavenges slower: 12,000 streamed requests took 2.49 s of scavenges with 12,064
 * prompts held and 2.12 s with 500 (--trace-gc-nvp; a scavenge promotes into the old space the
 * prompts fill). With the prompts packed, the 1,000-token run's heap is the built-in run's size and
 * the engine's tokens per CPU second 0.94-0.98 of its (bench/workload.ts, BENCHMARKS.md). As
 * bytes they cost the heap nothing, and the worker shares the buffer where it cloned 50 MB of
 * strings at start-up.
 *
 * Plain data (no methods), so it crosses to the engine's worker as it is.
 */
export interface PackedPrompts {
  readonly kind: 'packed';
  /** Every prompt's user text, UTF-8, back to back. */
  readonly text: Uint8Array;
  /** End offset in `text` of prompt i's user text (its start is the previous end). */
  readonly ends: Uint32Array;
  /** Characters of a shared prefix opening prompt i's text, 0 for none (Anthropic's cache mark). */
  readonly prefixChars: Uint32Array;
  /** Tokens of prompt i's user text as built (o200k). */
  readonly inputTokens: Uint32Array;
  /** 1 when prompt i's text goes into JSON as it is (no escapes), so its bytes can be sent as they are. */
  readonly plain: Uint8Array;
  /** Prompt i's output target; absent when the set has none. */
  readonly outputTokens?: Uint32Array;
  /** A system message sent before every prompt. */
  readonly system?: string;
  /** Body fields every prompt carries (several targets: the target's --body). */
  readonly body?: Readonly<Record<string, unknown>>;
}

/** The prompts a run draws from: a list, or a packed set. */
export type PromptList = readonly Prompt[] | PackedPrompts;

function isPacked(list: PromptList): list is PackedPrompts {
  return !Array.isArray(list);
}

export function promptCount(list: PromptList): number {
  return isPacked(list) ? list.ends.length : list.length;
}

/** Prompt `index` (0 <= index < promptCount). */
export function promptAt(list: PromptList, index: number): Prompt {
  if (!isPacked(list)) {
    const p = list[index];
    if (p === undefined) throw new RangeError(`prompt ${index} of ${list.length}`);
    return p;
  }
  if (index < 0 || index >= list.ends.length) throw new RangeError(`prompt ${index} of ${list.ends.length}`);
  const start = index === 0 ? 0 : (list.ends[index - 1] ?? 0);
  const content = Buffer.from(list.text.buffer, list.text.byteOffset, list.text.byteLength).toString('utf8', start, list.ends[index]);
  const prefix = list.prefixChars[index] ?? 0;
  const user: ChatMessage = prefix > 0 ? { role: 'user', content, cachePrefixChars: prefix } : { role: 'user', content };
  const messages: ChatMessage[] = list.system !== undefined ? [{ role: 'system', content: list.system }, user] : [user];
  const out = list.outputTokens?.[index];
  return {
    messages,
    ...(list.plain[index] === 1 ? { lastText: list.text.subarray(start, list.ends[index]) } : {}),
    chars: (list.system?.length ?? 0) + content.length,
    inputTokens: list.inputTokens[index] ?? 0,
    ...(out !== undefined && out > 0 ? { outputTokens: out } : {}),
    ...(list.body !== undefined ? { body: list.body } : {}),
  };
}

/** The same prompts, each with `body` under its own fields. */
export function withPromptBody(list: PromptList, body: Readonly<Record<string, unknown>>): PromptList {
  if (isPacked(list)) return { ...list, body: { ...body, ...(list.body ?? {}) } };
  return list.map((p) => ({ ...p, body: { ...body, ...(p.body ?? {}) } }));
}

/** One prompt's part of a packed set, as a builder hands it over. */
export interface PackedEntry {
  content: string;
  prefixChars: number;
  inputTokens: number;
  outputTokens?: number;
}

/**
 * Writes `count` entries into a packed set. `next(i)` gives entry i; the byte buffer grows by
 * doubling, then is copied once into a SharedArrayBuffer of the exact size.
 */
export function packPrompts(count: number, next: (i: number) => PackedEntry, opts: { system?: string; withOutputs: boolean }): PackedPrompts {
  const ends = new Uint32Array(count);
  const prefixChars = new Uint32Array(count);
  const inputTokens = new Uint32Array(count);
  const plain = new Uint8Array(count);
  const outputTokens = opts.withOutputs ? new Uint32Array(count) : undefined;
  let buf = Buffer.allocUnsafe(Math.max(1024, count * 64));
  let used = 0;
  for (let i = 0; i < count; i++) {
    const e = next(i);
    const need = Buffer.byteLength(e.content, 'utf8');
    if (used + need > buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(buf.length * 2, used + need));
      buf.copy(grown, 0, 0, used);
      buf = grown;
    }
    used += buf.write(e.content, used, 'utf8');
    if (used > 0xffffffff) throw new RangeError('synthetic prompts over 4 GiB');
    ends[i] = used;
    prefixChars[i] = e.prefixChars;
    inputTokens[i] = e.inputTokens;
    plain[i] = isJsonPlain(e.content) ? 1 : 0;
    if (outputTokens !== undefined) outputTokens[i] = e.outputTokens ?? 0;
  }
  const text = new Uint8Array(new SharedArrayBuffer(used));
  text.set(buf.subarray(0, used));
  return {
    kind: 'packed',
    text,
    ends,
    prefixChars,
    inputTokens,
    plain,
    ...(outputTokens !== undefined ? { outputTokens } : {}),
    ...(opts.system !== undefined && opts.system !== '' ? { system: opts.system } : {}),
  };
}
