import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charWidth, displayWidth, fitWidth, renderLine, stripSgr, wrapWidth } from '../../src/ui/styled.ts';
import { createTheme } from '../../src/ui/theme.ts';

const color = createTheme(false);
const plain = createTheme(true);

test('display width counts wide characters twice and marks zero', () => {
  assert.equal(charWidth('a'.codePointAt(0) ?? 0), 1);
  assert.equal(charWidth('中'.codePointAt(0) ?? 0), 2);
  assert.equal(charWidth(0x301), 0);
  assert.equal(displayWidth('ab中文'), 6);
  assert.equal(displayWidth('\u001B[31mred\u001B[0m'), 3);
  assert.equal(fitWidth('中文字', 5), '中文');
  assert.deepEqual(wrapWidth('中文字abc', 4), ['中文', '字ab', 'c']);
});

test('renderLine styles spans and never exceeds the width', () => {
  const line = renderLine([{ text: 'ok', role: 'ok', bold: true }, { text: ' plain' }], 80, color);
  assert.equal(line, '\u001B[1;32mok\u001B[0m plain');
  assert.equal(renderLine([{ text: 'ok', role: 'ok', bold: true }], 80, plain), '\u001B[1mok\u001B[0m');
  const cut = renderLine([{ text: 'abcdef' }, { text: 'ghij', role: 'error' }], 8, color);
  assert.equal(stripSgr(cut), 'abcdefg…');
  for (const w of [1, 5, 9, 13]) {
    assert.ok(displayWidth(renderLine([{ text: '中文中文中文中文' }, { text: 'tail' }], w, color)) <= w, String(w));
  }
});

test('raw spans (asciichart output) pass through untouched when they fit', () => {
  const raw = '\u001B[36m──\u001B[0m';
  assert.equal(renderLine([{ text: raw, raw: true }], 10, color), raw);
  assert.equal(renderLine([{ text: raw, raw: true }], 1, color), '');
});
