// Property tests: any split of a stream yields the same events as the unsplit parse, which in turn
// matches a literal reference implementation of the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChunks, mulberry32, randomStream, referenceParse } from './sse-helpers.ts';

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((x, y) => x - y)) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  out.push(bytes.subarray(prev));
  return out;
}

test('random streams: whole parse equals the reference parser', () => {
  const rand = mulberry32(1);
  for (let k = 0; k < 500; k++) {
    const bytes = randomStream(rand, { invalid: k % 2 === 1 });
    const got = decodeChunks([bytes]);
    const want = referenceParse(bytes);
    assert.deepEqual(got.events, want.events, `stream ${k}`);
    assert.equal(got.comments, want.comments, `stream ${k}`);
  }
});

test('random streams: a split at every single position gives the same events', () => {
  const rand = mulberry32(2);
  for (let k = 0; k < 60; k++) {
    const bytes = randomStream(rand, { invalid: k % 3 === 0, lines: 12 });
    const whole = decodeChunks([bytes]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = decodeChunks(splitAt(bytes, [cut]));
      assert.deepEqual(got.events, whole.events, `stream ${k} cut ${cut}`);
      assert.equal(got.comments, whole.comments);
      assert.equal(got.truncated, whole.truncated);
    }
  }
});

test('random streams: random multi-way splits and byte-by-byte feeding give the same events', () => {
  const rand = mulberry32(3);
  for (let k = 0; k < 300; k++) {
    const bytes = randomStream(rand, { invalid: k % 2 === 0, lines: 30 });
    const whole = decodeChunks([bytes]);
    const nCuts = 1 + Math.floor(rand() * 12);
    const cuts = Array.from({ length: nCuts }, () => Math.floor(rand() * (bytes.length + 1)));
    assert.deepEqual(decodeChunks(splitAt(bytes, cuts)).events, whole.events, `stream ${k}`);
    if (k % 10 === 0) {
      const single = Array.from(bytes, (x) => Uint8Array.of(x));
      const r = decodeChunks(single);
      assert.deepEqual(r.events, whole.events, `stream ${k} byte by byte`);
      assert.equal(r.comments, whole.comments);
    }
  }
});

test('splits between CR and LF and inside multi-byte characters specifically', () => {
  const rand = mulberry32(4);
  let crlfCuts = 0;
  let midCharCuts = 0;
  for (let k = 0; k < 200; k++) {
    const bytes = randomStream(rand, { lines: 25 });
    const whole = decodeChunks([bytes]);
    for (let i = 1; i < bytes.length; i++) {
      const prev = bytes[i - 1] as number;
      const cur = bytes[i] as number;
      const betweenCrLf = prev === 0x0d && cur === 0x0a;
      const insideChar = (cur & 0xc0) === 0x80 && prev >= 0x80;
      if (!betweenCrLf && !insideChar) continue;
      if (betweenCrLf) crlfCuts++;
      else midCharCuts++;
      assert.deepEqual(decodeChunks(splitAt(bytes, [i])).events, whole.events, `stream ${k} cut ${i}`);
    }
  }
  assert.ok(crlfCuts > 100 && midCharCuts > 100, `exercised ${crlfCuts} CR|LF and ${midCharCuts} mid-character cuts`);
});

test('a small event limit behaves the same under any split', () => {
  const rand = mulberry32(5);
  for (let k = 0; k < 100; k++) {
    const bytes = randomStream(rand, { lines: 20 });
    const whole = decodeChunks([bytes], 12);
    for (let t = 0; t < 20; t++) {
      const cuts = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => Math.floor(rand() * (bytes.length + 1)));
      const got = decodeChunks(splitAt(bytes, cuts), 12);
      assert.deepEqual(got.events, whole.events, `stream ${k}`);
      assert.deepEqual(got.errors, whole.errors, `stream ${k}`);
    }
  }
});

test('long random streams (large chunks take the latin1 + per-line UTF-8 path) match the reference', () => {
  const rand = mulberry32(6);
  for (let k = 0; k < 40; k++) {
    const bytes = randomStream(rand, { invalid: k % 2 === 0, lines: 600 });
    assert.ok(bytes.length > 2048);
    const want = referenceParse(bytes);
    for (const size of [bytes.length, 4096, 3000, 97]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const got = decodeChunks(chunks);
      assert.deepEqual(got.events, want.events, `stream ${k} size ${size}`);
      assert.equal(got.comments, want.comments);
    }
  }
});
