import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_EVENT_BYTES, SseDecoder, type SseEvent } from '../../src/engine/sse.ts';
import { decodeChunks, referenceParse } from './sse-helpers.ts';

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);

function parse(...chunks: Array<string | Uint8Array>): ReturnType<typeof decodeChunks> {
  return decodeChunks(chunks.map((c) => (typeof c === 'string' ? b(c) : c)));
}
const ev = (data: string, event = ''): SseEvent => ({ event, data });

test('LF, CR and CRLF line ends give the same events', () => {
  for (const eol of ['\n', '\r', '\r\n']) {
    const s = `data: one${eol}${eol}event: x${eol}data: two${eol}data: three${eol}${eol}`;
    assert.deepEqual(parse(s).events, [ev('one'), ev('two\nthree', 'x')], JSON.stringify(eol));
  }
});

test('mixed line ends in one stream', () => {
  assert.deepEqual(parse('data: a\r\ndata: b\rdata: c\n\r\n').events, [ev('a\nb\nc')]);
});

test('CR at the end of a chunk and LF at the start of the next are one line end', () => {
  // Were they two, the empty "line" between them would dispatch "a" on its own.
  const r = parse('data: a\r', '\ndata: b\r\n\r\n');
  assert.deepEqual(r.events, [ev('a\nb')]);
  // ...and a lone CR followed by a chunk starting with something else is a line end by itself.
  assert.deepEqual(parse('data: a\r', 'data: b\r', '\r').events, [ev('a\nb')]);
  // CR ending the chunk on a blank line.
  assert.deepEqual(parse('data: a\r\r', '\ndata: b\n\n').events, [ev('a'), ev('b')]);
});

test('events split at every byte', () => {
  const s = 'event: content_block_delta\r\ndata: {"x":"世界 🚀"}\r\n\r\n: ka\n\ndata: [DONE]\n\n';
  const bytes = b(s);
  const chunks = Array.from(bytes, (x) => Uint8Array.of(x));
  const r = decodeChunks(chunks);
  assert.deepEqual(r.events, [ev('{"x":"世界 🚀"}', 'content_block_delta'), ev('[DONE]')]);
  assert.equal(r.comments, 1);
});

test('multi-byte UTF-8 split across chunks', () => {
  const bytes = b('data: 世界🚀é\n\n');
  for (let cut = 1; cut < bytes.length; cut++) {
    const r = decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(r.events, [ev('世界🚀é')], `cut at ${cut}`);
  }
});

test('a leading BOM is skipped, also when split; only one, only at the start', () => {
  assert.deepEqual(parse('\uFEFFdata: a\n\n').events, [ev('a')]);
  const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
  assert.deepEqual(decodeChunks([bom.subarray(0, 1), bom.subarray(1, 2), Uint8Array.of(0xbf), b('data: a\n\n')]).events, [ev('a')]);
  assert.deepEqual(decodeChunks([bom.subarray(0, 2), b('\xbfdata')]).events, []); // not a BOM after all
  // A second BOM makes the field name "\uFEFFdata": an unknown field, ignored.
  assert.deepEqual(parse('\uFEFF\uFEFFdata: a\n\ndata: b\n\n').events, [ev('b')]);
  // A BOM later in the stream is data.
  assert.deepEqual(parse('data: \uFEFFx\n\n').events, [ev('\uFEFFx')]);
});

test('comments and keep-alives are counted and never dispatched', () => {
  const r = parse(': keep-alive\n\n:\n:ping\ndata: a\n: inside\n\n');
  assert.deepEqual(r.events, [ev('a')]);
  assert.equal(r.comments, 4);
});

test('event names; the type resets after each dispatch', () => {
  const r = parse('event: ping\ndata: {}\n\ndata: plain\n\nevent:error\ndata: e\n\n');
  assert.deepEqual(r.events, [ev('{}', 'ping'), ev('plain'), ev('e', 'error')]);
});

test('an event with a type but no data is not dispatched', () => {
  assert.deepEqual(parse('event: x\n\ndata: y\n\n').events, [ev('y')]);
});

test('multi-line data, empty data lines, and only one leading space removed', () => {
  assert.deepEqual(parse('data: a\ndata:\ndata: b\n\n').events, [ev('a\n\nb')]);
  assert.deepEqual(parse('data\n\n').events, [ev('')]);
  assert.deepEqual(parse('data:\ndata:\n\n').events, [ev('\n')]);
  assert.deepEqual(parse('data:no-space\n\ndata:  two\n\n').events, [ev('no-space'), ev(' two')]);
  assert.deepEqual(parse('data: a: b\n\n').events, [ev('a: b')]);
});

test('field names are exact: unknown and differently-cased fields are ignored', () => {
  assert.deepEqual(parse('Data: x\nfoo: bar\nfoo\ndata: y\n\n').events, [ev('y')]);
});

test('id and retry are parsed and do not affect events', () => {
  const events: SseEvent[] = [];
  const d = new SseDecoder((e) => events.push(e));
  d.push(b('id: 42\nretry: 1500\ndata: a\n\nid: bad\0id\nretry: soon\ndata: b\n\n'));
  assert.deepEqual(events, [ev('a'), ev('b')]);
  assert.equal(d.lastEventId, '42');
  assert.equal(d.retryMs, 1500);
});

test('[DONE] and error payloads in the middle of a stream are ordinary events', () => {
  const s =
    'data: {"choices":[]}\n\n' +
    'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n' +
    'data: {"error":{"message":"boom"}}\n\n' +
    'data: [DONE]\n\n';
  assert.deepEqual(parse(s).events, [
    ev('{"choices":[]}'),
    ev('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'error'),
    ev('{"error":{"message":"boom"}}'),
    ev('[DONE]'),
  ]);
});

test('invalid UTF-8 becomes U+FFFD, exactly as a non-fatal TextDecoder does, and never throws', () => {
  const cases = [
    [0xff],
    [0x80, 0x80],
    [0xe4, 0xb8], // truncated 3-byte sequence
    [0xf0, 0x9f, 0x9a, 0x41], // truncated 4-byte then ASCII
    [0xed, 0xa0, 0x80], // UTF-16 surrogate encoded in UTF-8
    [0xc0, 0xaf], // overlong
  ];
  for (const bad of cases) {
    const bytes = Uint8Array.from([...b('data: x'), ...bad, ...b('y\n\n')]);
    const want = new TextDecoder().decode(bytes.subarray(6, bytes.length - 2));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(r.events, [ev(want)], `${bad.join(',')} cut ${cut}`);
      assert.ok(want.includes('\uFFFD'));
    }
    assert.deepEqual(decodeChunks([bytes]).events, referenceParse(bytes).events);
  }
});

test('invalid UTF-8 in event names and comments does not throw', () => {
  const bytes = Uint8Array.from([...b('event: '), 0xff, ...b('\n:'), 0xfe, ...b('\ndata: a\n\n')]);
  const r = decodeChunks([bytes]);
  assert.deepEqual(r.events, [ev('a', '\uFFFD')]);
  assert.equal(r.comments, 1);
});

test('an over-limit event is reported once, discarded up to the blank line, and the stream goes on', () => {
  const big = 'x'.repeat(150);
  const s = `data: ok1\n\ndata: ${big}\ndata: more\nevent: e\n\ndata: ok2\n\n`;
  // in one chunk
  let r = decodeChunks([b(s)], 100);
  assert.deepEqual(r.events, [ev('ok1'), ev('ok2')]);
  assert.deepEqual(r.errors, ['event_too_large']);
  // byte by byte (the carry path: the line is dropped while still arriving)
  r = decodeChunks(Array.from(b(s), (x) => Uint8Array.of(x)), 100);
  assert.deepEqual(r.events, [ev('ok1'), ev('ok2')]);
  assert.deepEqual(r.errors, ['event_too_large']);
  // several lines each under the limit but together over it
  r = decodeChunks([b(`data: ${'y'.repeat(60)}\ndata: ${'y'.repeat(60)}\n\ndata: ok\n\n`)], 100);
  assert.deepEqual(r.events, [ev('ok')]);
  assert.deepEqual(r.errors, ['event_too_large']);
});

test('the limit is on data bytes: exactly maxEventBytes passes, one more does not', () => {
  const ok = decodeChunks([b(`data: ${'é'.repeat(50)}\n\n`)], 100);
  assert.equal(ok.events.length, 1);
  assert.deepEqual(ok.errors, []);
  const multi = decodeChunks([b(`data: ${'a'.repeat(49)}\ndata: ${'a'.repeat(50)}\n\n`)], 100); // 49 + LF + 50
  assert.equal(multi.events.length, 1);
  const over = decodeChunks([b(`data: ${'a'.repeat(101)}\n\n`)], 100);
  assert.equal(over.events.length, 0);
  assert.deepEqual(over.errors, ['event_too_large']);
});

test('a 1 MiB+ event passes the default limit; a 3 MiB one is dropped without breaking the stream', () => {
  assert.equal(DEFAULT_MAX_EVENT_BYTES, 2 * 1024 * 1024);
  const chunked = (s: string, size: number): Uint8Array[] => {
    const all = b(s);
    const out: Uint8Array[] = [];
    for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size));
    return out;
  };
  const oneMiB = 'z'.repeat(1024 * 1024 + 10);
  let r = decodeChunks(chunked(`data: ${oneMiB}\n\ndata: after\n\n`, 16 * 1024));
  assert.equal(r.events.length, 2);
  assert.equal(r.events[0]?.data.length, oneMiB.length);
  assert.deepEqual(r.errors, []);
  const threeMiB = 'z'.repeat(3 * 1024 * 1024);
  r = decodeChunks(chunked(`data: before\n\ndata: ${threeMiB}\n\ndata: after\n\n`, 16 * 1024));
  assert.deepEqual(r.events, [ev('before'), ev('after')]);
  assert.deepEqual(r.errors, ['event_too_large']);
  // Also when the whole oversized event arrives in one chunk.
  r = decodeChunks([b(`data: ${threeMiB}\n\ndata: after\n\n`)]);
  assert.deepEqual(r.events, [ev('after')]);
});

test('end(): an unterminated final event is discarded and reported as truncated', () => {
  assert.deepEqual(parse('data: a\n\ndata: b\n').events, [ev('a')]);
  assert.equal(parse('data: a\n\ndata: b\n').truncated, true);
  assert.equal(parse('data: a\n\ndata: par').truncated, true);
  assert.equal(parse('data: a\n\n').truncated, false);
  assert.equal(parse('data: a\n\n: trailing comment\n').truncated, false);
});

test('end() from inside onEvent stops delivery; push() after end() is ignored', () => {
  const events: SseEvent[] = [];
  const d = new SseDecoder((e) => {
    events.push(e);
    if (e.data === 'stop') d.end();
  });
  d.push(b('data: a\n\ndata: stop\n\ndata: never\n\n'));
  d.push(b('data: later\n\n'));
  assert.deepEqual(events, [ev('a'), ev('stop')]);
});

test('accepts Uint8Array views with an offset, counts bytes', () => {
  const backing = b('XXXXdata: a\n\nYYYY');
  const view = backing.subarray(4, backing.length - 4);
  const events: SseEvent[] = [];
  const d = new SseDecoder((e) => events.push(e));
  d.push(view);
  d.push(new Uint8Array(0));
  assert.deepEqual(events, [ev('a')]);
  assert.equal(d.bytesSeen, view.length);
  assert.equal(d.eventsSeen, 1);
});

test('the decoder copies what it keeps: the caller may reuse its chunk buffer', () => {
  const events: SseEvent[] = [];
  const d = new SseDecoder((e) => events.push(e));
  const buf = new Uint8Array(8);
  for (const part of ['data: ab', 'cdefgh\n\n']) {
    buf.fill(0);
    const bytes = b(part);
    buf.set(bytes);
    d.push(buf.subarray(0, bytes.length));
  }
  assert.deepEqual(events, [ev('abcdefgh')]);
});

test('an OpenAI stream in realistic chunks', () => {
  const chunk = (c: string) => `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(c)}},"finish_reason":null}]}\n\n`;
  const s = chunk('Hel') + ': OPENROUTER PROCESSING\n\n' + chunk('lo 世界') + chunk('\n') + 'data: [DONE]\n\n';
  const bytes = b(s);
  for (const size of [1, 7, 64, 4096]) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    const r = decodeChunks(chunks);
    assert.equal(r.events.length, 4);
    assert.equal(r.events[3]?.data, '[DONE]');
    assert.equal(r.comments, 1);
  }
});
