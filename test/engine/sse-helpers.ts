// Shared by the SSE tests: a seeded PRNG (the simulator's), a random stream generator and a
// reference parser that follows the WHATWG "event stream interpretation" text literally on a
// fully decoded string.
// (Not named *.test.ts, so the runner does not execute it on its own.)

import { SseDecoder, type SseEvent } from '../../src/engine/sse.ts';

// The simulator's seeded PRNG serves the tests too.
export { mulberry32 } from '../../src/sim/prng.ts';

export interface Parsed {
  events: SseEvent[];
  comments: number;
}

/** Reference implementation: decode everything (non-fatal, BOM stripped), then walk the lines. */
export function referenceParse(bytes: Uint8Array): Parsed {
  const text = new TextDecoder('utf-8').decode(bytes);
  const events: SseEvent[] = [];
  let comments = 0;
  let data = '';
  let hasData = false;
  let type = '';
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
    if (j === text.length) break; // unterminated final line: discarded
    const line = text.slice(i, j);
    i = text[j] === '\r' && text[j + 1] === '\n' ? j + 2 : j + 1;
    if (line === '') {
      if (hasData) events.push({ event: type, data: data.slice(0, -1) });
      data = '';
      hasData = false;
      type = '';
      continue;
    }
    if (line.startsWith(':')) {
      comments++;
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      data += value + '\n';
      hasData = true;
    } else if (field === 'event') {
      type = value;
    }
  }
  return { events, comments };
}

export function decodeChunks(chunks: readonly Uint8Array[], maxEventBytes?: number): Parsed & { errors: string[]; truncated: boolean } {
  const events: SseEvent[] = [];
  const errors: string[] = [];
  const dec = new SseDecoder((ev) => events.push(ev), {
    ...(maxEventBytes !== undefined ? { maxEventBytes } : {}),
    onError: (code) => errors.push(code),
  });
  for (const c of chunks) dec.push(c);
  const truncated = dec.end();
  return { events, comments: dec.commentsSeen, errors, truncated };
}

const enc = new TextEncoder();
const TEXT_PIECES = ['a', 'hello', ' ', ':', 'é', '世界', '🚀', '{"x":1}', '[DONE]', 'data', '\u2028', '  '];
const INVALID = [[0xff], [0x80], [0xe4, 0xb8], [0xf0, 0x9f, 0x9a], [0xc3]];
const EOLS = ['\n', '\r', '\r\n'];

/** A random event stream as bytes. `invalid` mixes in malformed UTF-8. */
export function randomStream(rand: () => number, opts: { invalid?: boolean; lines?: number } = {}): Uint8Array {
  const parts: number[] = [];
  const push = (s: string) => {
    for (const b of enc.encode(s)) parts.push(b);
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const text = () => {
    const n = Math.floor(rand() * 4);
    for (let k = 0; k < n; k++) {
      if (opts.invalid === true && rand() < 0.15) for (const b of pick(INVALID)) parts.push(b);
      else push(pick(TEXT_PIECES));
    }
  };
  if (rand() < 0.3) push('\uFEFF');
  const lines = opts.lines ?? 20;
  for (let l = 0; l < lines; l++) {
    const r = rand();
    if (r < 0.35) {
      push(pick(['data: ', 'data:', 'data:  ']));
      text();
    } else if (r < 0.42) push('data');
    else if (r < 0.5) {
      push(pick(['event: ', 'event:']));
      push(pick(['message_start', 'content_block_delta', 'error', '']));
    } else if (r < 0.56) {
      push(':');
      text();
    } else if (r < 0.6) push(pick(['id: 7', 'retry: 1000', 'retry: x', 'foo: bar', 'Data: no']));
    // else: blank line
    push(pick(EOLS));
  }
  // Usually end cleanly; sometimes leave a partial event or line at the end.
  if (rand() < 0.8) push('\n\n');
  else push('data: tail');
  return Uint8Array.from(parts);
}
