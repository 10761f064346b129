import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asciiBytes, ChunkBuilder } from '../../src/sim/chunk-builder.ts';

describe('ChunkBuilder', () => {
  it('frames a payload as it is, as one HTTP/1.1 chunk, or as the last chunk plus the terminator', () => {
    const b = new ChunkBuilder(16);
    b.bytes(asciiBytes('data: '));
    b.ascii('{"a":1}\n\n');
    assert.equal(b.length, 15);
    assert.equal(b.take('none').toString('latin1'), 'data: {"a":1}\n\n');
    assert.equal(b.length, 0, 'take empties the builder');
    b.ascii('x'.repeat(26));
    assert.equal(b.take('chunk').toString('latin1'), `1a\r\n${'x'.repeat(26)}\r\n`);
    b.ascii('tail');
    assert.equal(b.take('final').toString('latin1'), '4\r\ntail\r\n0\r\n\r\n');
    assert.equal(b.take('final').toString('latin1'), '0\r\n\r\n', 'an empty last write is only the terminator');
  });

  it('grows past its first size and keeps what it held', () => {
    const b = new ChunkBuilder(8);
    const parts = Array.from({ length: 500 }, (_, i) => `part ${i};`);
    for (const p of parts) b.ascii(p);
    const want = parts.join('');
    assert.equal(b.take('chunk').toString('latin1'), `${want.length.toString(16)}\r\n${want}\r\n`);
  });

  it('hands out a copy, so a buffer a socket still holds is never overwritten', () => {
    const b = new ChunkBuilder(64);
    b.ascii('first');
    const first = b.take('none');
    b.ascii('SECOND');
    b.take('none');
    assert.equal(first.toString('latin1'), 'first');
  });
});
