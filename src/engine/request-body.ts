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
 * Stand in for the last message's text while the rest of the body is JSON-encoded: HEAD for the
 * whole text, or for its cached prefix when the message carries a cache mark, and REST for the
 * text after that prefix (Anthropic's format sends the two as separate blocks, OpenAI's as one
 * string). JSON.stringify writes them with escaped control characters (`\u0000streamtop-...`),
 * which no real text encodes to, so finding each once in the body finds the one place its text goes.
 */
const HEAD = '\u0000streamtop-prompt\u0000';
const REST = '\u0000streamtop-rest\u0000';
const HEAD_JSON = JSON.stringify(HEAD).slice(1, -1);
const REST_JSON = JSON.stringify(REST).slice(1, -1);

/**
 * Builds the request and encodes its body. `lastText` is the last message's text as UTF-8 bytes
 * that need no JSON escaping (a packed prompt's, see packed-prompts.ts): the body is then encoded
 * with placeholders in its place and the bytes spliced in, so a 5 KB prompt is neither scanned by
 * JSON.stringify (11 µs) nor encoded to UTF-8 (4 µs) on every request. Any body where a
 * placeholder is not found exactly once is encoded from the text.
 */
export function encodeRequest(wire: WireFormat, input: BuildRequestInput, lastText?: Uint8Array): EncodedRequest {
  const last = input.messages[input.messages.length - 1];
  if (lastText !== undefined && last !== undefined) {
    const spliced = splice(wire, input, last, lastText);
    if (spliced !== undefined) return spliced;
  }
  const built = wire.buildRequest(input);
  return { url: new URL(built.url), headers: built.headers, body: Buffer.from(built.body, 'utf8') };
}

function splice(wire: WireFormat, input: BuildRequestInput, last: ChatMessage, text: Uint8Array): EncodedRequest | undefined {
  const cut = last.cachePrefixChars;
  // A mark covering the whole text (or none of it) makes one block, with no REST to stand in for.
  const split = cut !== undefined && cut > 0 && cut < last.content.length;
  if (cut !== undefined && !split) return undefined;
  const messages: ChatMessage[] = input.messages.slice();
  messages[messages.length - 1] = split ? { ...last, content: HEAD + REST, cachePrefixChars: HEAD.length } : { ...last, content: HEAD };
  const built = wire.buildRequest({ ...input, messages });
  const head = onlyIndexOf(built.body, HEAD_JSON);
  if (head < 0) return undefined;
  const afterHead = head + HEAD_JSON.length;
  let parts: Uint8Array[];
  if (split) {
    const rest = onlyIndexOf(built.body, REST_JSON);
    if (rest < afterHead) return undefined;
    // Text with only ASCII has as many bytes as characters; otherwise count the prefix's bytes.
    const at = text.length === last.content.length ? cut : Buffer.byteLength(last.content.slice(0, cut), 'utf8');
    parts = [
      Buffer.from(built.body.slice(0, head), 'utf8'),
      text.subarray(0, at),
      Buffer.from(built.body.slice(afterHead, rest), 'utf8'),
      text.subarray(at),
      Buffer.from(built.body.slice(rest + REST_JSON.length), 'utf8'),
    ];
  } else {
    parts = [Buffer.from(built.body.slice(0, head), 'utf8'), text, Buffer.from(built.body.slice(afterHead), 'utf8')];
  }
  return { url: new URL(built.url), headers: built.headers, body: Buffer.concat(parts) };
}

/** Where `needle` is in `s`, or -1 when it is absent or there more than once. */
function onlyIndexOf(s: string, needle: string): number {
  const at = s.indexOf(needle);
  return at >= 0 && s.indexOf(needle, at + 1) < 0 ? at : -1;
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
