import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachLineCapped, InputTooLargeError, readTextCapped } from '../../src/shared/bounded-read.ts';

/** item 9: input files are read with a ceiling, and line files piece by piece. */
const dir = mkdtempSync(join(tmpdir(), 'streamtop-bounded-'));
function file(name: string, data: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

function lines(path: string, maxBytes = 1 << 20, maxLineBytes = 1 << 16): [string, number][] {
  const out: [string, number][] = [];
  forEachLineCapped(path, { maxBytes, maxLineBytes }, (l, n) => out.push([l, n]));
  return out;
}

test('item 9: lines split on LF and CRLF, a BOM dropped, a last line without LF kept, numbers 1-based', () => {
  const p = file('a.jsonl', '\uFEFFone\r\ntwo\n\nthree');
  assert.deepEqual(lines(p), [['one', 1], ['two', 2], ['', 3], ['three', 4]]);
});

test('item 9: lines spanning the 1 MiB read chunks come out whole, multi-byte characters intact', () => {
  const long = 'é'.repeat(700_000); // 1.4 MB of UTF-8: crosses a chunk boundary mid-character
  const p = file('b.jsonl', `${long}\nshort\n`);
  const got = lines(p, 8 << 20, 4 << 20);
  assert.equal(got.length, 2);
  assert.equal(got[0]?.[0], long);
  assert.deepEqual(got[1], ['short', 2]);
});

test('item 9: a regular file over the limit is refused before it is read, with its size', () => {
  const p = file('c.jsonl', 'x\n'.repeat(600));
  assert.throws(() => lines(p, 1000), (e: unknown) => e instanceof InputTooLargeError && e.what === 'file' && e.sizeBytes === 1200 && e.limitBytes === 1000);
  assert.throws(() => readTextCapped(p, 1000), (e: unknown) => e instanceof InputTooLargeError && e.what === 'file');
  assert.equal(readTextCapped(p, 1200).length, 1200);
});

test('item 9: a line over the line limit is refused with its number', () => {
  const p = file('d.jsonl', `ok\n${'y'.repeat(5000)}\n`);
  assert.throws(() => lines(p, 1 << 20, 4096), (e: unknown) => e instanceof InputTooLargeError && e.what === 'line' && e.lineNo === 2);
});

test('item 9: an endless device is cut off at the limit instead of filling memory', () => {
  assert.throws(() => lines('/dev/zero', 8 << 20, 2 << 20), (e: unknown) => e instanceof InputTooLargeError && e.what === 'line' && e.lineNo === 1);
  assert.throws(() => readTextCapped('/dev/zero', 3 << 20), (e: unknown) => e instanceof InputTooLargeError && e.what === 'file');
});
