import { createRequire } from 'node:module';

/**
 * gpt-tokenizer's o200k_base encoding (GPT-4o and later), loaded on first use. Shared by the
 * client's output-token fallback (engine/wire/tokens.ts) and the simulator's prompt counting
 * (sim/prompt-tokens.ts), which must count alike.
 *
 * The tables take ~0.5 s to load, synchronously (through require), so callers load it before
 * anything is timed.
 */
export type O200k = typeof import('gpt-tokenizer/encoding/o200k_base');

let encoder: O200k | null | undefined;

/** The encoder, or null when the package cannot be loaded. */
export function loadO200k(): O200k | null {
  if (encoder === undefined) {
    try {
      encoder = createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as O200k;
    } catch {
      encoder = null;
    }
  }
  return encoder;
}

/** Special-token strings such as <|endoftext|> in text are plain text to us; by default the library throws on them. */
export const AS_TEXT = { disallowedSpecial: new Set<string>() };
