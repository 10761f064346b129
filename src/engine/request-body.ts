import { Buffer } from 'node:buffer';
import type { ChatMessage } from './wire/types.ts';
import type { BuildRequestInput, WireFormat } from './wire/index.ts';

/**
 * A request as it goes on the wire, its body already UTF-8 bytes: held as a 5 KB string for the
 * life of the request, a 1,000-token prompt's body was copied by every scavenge it lived through
 * (130 KB more survivors per scavenge at 32 streams, by --trace-gc-nvp). undici would copy a
 * string body into bytes anyway.
 */
export interface EncodedRequest {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Stands in for the last message's text while the rest of the body is JSON-encoded. JSON.stringify
 * writes it as `"\u0000streamtop-prompt\u0000"` (escaped control characters), which no real text
 * encodes to, so finding it once in the body finds the one place the text goes.
 */
const PLACEHOLDER = '\u0000streamtop-prompt\u0000';
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);
const QUOTE = Buffer.from('"');

/**
 * Builds the request and encodes its body. `lastText` is the last message's text as UTF-8 bytes
 * that need no JSON escaping (a packed prompt's, see packed-prompts.ts): the body is then encoded
 * with a placeholder in its place and the bytes spliced in, so a 5 KB prompt is neither scanned by
 * JSON.stringify (11 µs) nor encoded to UTF-8 (4 µs) on every request. Text with a cache mark
 * (which Anthropic's format splits in two) is encoded as text, and so is any body where the
 * placeholder is not found exactly once.
 */
export function encodeRequest(wire: WireFormat, input: BuildRequestInput, lastText?: Uint8Array): EncodedRequest {
  const last = input.messages[input.messages.length - 1];
  // A cache mark splits the text (Anthropic), which a placeholder cannot stand in for.
  if (lastText !== undefined && last !== undefined && last.cachePrefixChars === undefined) {
    const messages: ChatMessage[] = input.messages.slice();
    messages[messages.length - 1] = { ...last, content: PLACEHOLDER };
    const built = wire.buildRequest({ ...input, messages });
    const at = built.body.indexOf(PLACEHOLDER_JSON);
    if (at >= 0 && built.body.indexOf(PLACEHOLDER_JSON, at + 1) < 0) {
      const body = Buffer.concat([
        Buffer.from(built.body.slice(0, at), 'utf8'),
        QUOTE,
        lastText,
        QUOTE,
        Buffer.from(built.body.slice(at + PLACEHOLDER_JSON.length), 'utf8'),
      ]);
      return { url: new URL(built.url), headers: built.headers, body };
    }
  }
  const built = wire.buildRequest(input);
  return { url: new URL(built.url), headers: built.headers, body: Buffer.from(built.body, 'utf8') };
}

/**
 * True when `text` goes into JSON as it is: no quote, backslash, control character or surrogate
 * (astral characters, emoji included, take the slow path: simpler than telling pairs from lone
 * halves, and the built-in corpus has none).
 */
export function isJsonPlain(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what JSON must escape
  return !/["\\\u0000-\u001f\ud800-\udfff]/.test(text);
}
