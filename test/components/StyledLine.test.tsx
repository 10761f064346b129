import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { StyledLine } from '../../src/components/StyledLine.tsx';
import { ThemeContext, createTheme } from '../../src/ui/theme.ts';
import type { LineSpec } from '../../src/ui/styled.ts';
import { stripAnsi } from './helpers/render.ts';

afterEach(cleanup);

// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[0-9;]*m/;
/** A foreground colour code (30-37, 90-97); NO_COLOR removes these, bold and dim may stay. */
// eslint-disable-next-line no-control-regex
const COLOUR = /\u001B\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7])(?:;[0-9;]*)?m/;

function frameOf(spans: LineSpec, width: number, noColor: boolean): string {
  return (
    render(
      <ThemeContext.Provider value={createTheme(noColor)}>
        <StyledLine spans={spans} width={width} />
      </ThemeContext.Provider>,
    ).lastFrame() ?? ''
  );
}

const SPANS: LineSpec = [
  { text: 'stream ', role: 'stream', bold: true },
  { text: 'ok 12', role: 'ok' },
];

test('the styled spans replace the placeholder, coloured by role', () => {
  const frame = frameOf(SPANS, 30, false);
  assert.match(frame, COLOUR, 'colour on: colour codes expected');
  // Ink trims the blank end of a line; the line never exceeds its width.
  assert.equal(stripAnsi(frame), 'stream ok 12');
});

test('NO_COLOR: the same text without a colour code (bold stays, as the convention allows)', () => {
  const frame = frameOf(SPANS, 30, true);
  assert.doesNotMatch(frame, COLOUR);
  assert.match(frame, SGR, 'bold is kept');
  assert.equal(stripAnsi(frame), 'stream ok 12');
});

test('text wider than the line is cut to the width with an ellipsis, never wrapped', () => {
  const frame = stripAnsi(frameOf('x'.repeat(50), 20, false));
  assert.equal(frame.split('\n').length, 1);
  assert.equal(frame, `${'x'.repeat(19)}…`);
});

test('a zero width renders nothing', () => {
  assert.equal(frameOf(SPANS, 0, false), '');
});
