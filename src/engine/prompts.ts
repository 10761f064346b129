import type { ChatMessage } from './wire/types.ts';

/**
 * Prompt sets: a single prompt or the built-in set (a --prompts file is read by
 * config/prompts-file.ts; built synthetic prompts come packed, see packed-prompts.ts). Requests
 * draw from the set with the seeded PRNG (prompt-picker.ts) so a run repeats.
 */
export interface Prompt {
  messages: ChatMessage[];
  /** Characters of user-visible content, for display and rough sizing. */
  chars: number;
  /** Request body fields given on the --prompts line (temperature, max_tokens, ...). */
  body?: Readonly<Record<string, unknown>>;
  /**
   * This request's output target (--output-tokens, or a dataset's answer length): sent as its
   * max tokens, and as min_tokens too with --ignore-eos. Overrides --max-tokens.
   */
  outputTokens?: number;
  /** Tokens of the user message as built (o200k), for synthetic prompts: what was asked for. */
  inputTokens?: number;
  /**
   * The last message's text as UTF-8 bytes that need no JSON escaping (packed prompts): spliced
   * into the body instead of encoding the text (request-body.ts).
   */
  lastText?: Uint8Array;
}

/**
 * Built-in prompts of varied lengths (short question to long context), so prefill cost and
 * answer length vary the way a real workload's do.
 */
const BUILTIN: readonly string[] = [
  'What is the capital of Australia?',
  'Explain in two sentences why the sky is blue.',
  'Write a haiku about a server room at night.',
  'List five practical tips for reducing the latency of a web API, with one sentence each.',
  'Summarise the difference between TCP and UDP for a junior engineer, with an example of when to use each.',
  'You are reviewing a pull request that adds a retry loop with exponential backoff around an HTTP call. ' +
    'Describe what you would check: idempotency, jitter, maximum attempts, which status codes are retried, ' +
    'how timeouts interact with retries, and how the change should be tested. Give concrete suggestions.',
  'Translate the following sentence into French, German and Spanish: "The train leaves at seven in the morning, ' +
    'so please be at the station by half past six."',
  'Write a short story (about 200 words) about a lighthouse keeper who discovers that the light has been ' +
    'signalling to someone on the other side of the sea.',
  'Here is a log excerpt from a service under load:\n' +
    Array.from(
      { length: 24 },
      (_, i) =>
        `2026-11-29T10:${String(i).padStart(2, '0')}:01Z level=warn msg="upstream slow" latency_ms=${180 + i * 37} pool_in_use=${Math.min(64, 8 + i * 3)}/64`,
    ).join('\n') +
    '\nWhat is happening, and what would you change first?',
  'Compare three approaches to caching LLM responses (exact match, semantic cache, prefix caching on the server). ' +
    'For each, explain the hit rate you might expect, the failure modes, and the cost trade-offs. End with a recommendation ' +
    'for a customer-support chatbot that answers about 50,000 questions a day.',
];

export function toPrompt(messages: ChatMessage[]): Prompt {
  return { messages, chars: messages.reduce((n, m) => n + m.content.length, 0) };
}

export function builtinPrompts(system?: string): Prompt[] {
  return BUILTIN.map((p) =>
    toPrompt([...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: p }]),
  );
}

export function singlePrompt(text: string, system?: string): Prompt[] {
  return [toPrompt([...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: text }])];
}
