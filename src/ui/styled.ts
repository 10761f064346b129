// Styled spans -> one terminal line of known display width, with SGR codes built here.
//
// Why not nested <Text color>: Ink 6 caches the measurement of every distinct string it lays out
// in module-level maps that are never evicted (vadimdemedes/ink#986, fixed in Ink 8, which needs
// Node 22). A dashboard redrawing changing numbers and streaming text ten times a second would grow
// by the size of its screen every frame (~5 KB at 120x40, hundreds of MB an hour). StyledLine
// (components/StyledLine.tsx) lets Ink measure a constant string of spaces and substitutes the
// real line at write time, so Ink's caches stay bounded; this module builds that real line.
import type { Theme, Role } from './theme.ts';

export interface Span {
  text: string;
  role?: Role;
  /** Ink colour name, for the few places that pick a colour directly (chart legend). */
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  /** Text already carrying SGR codes (asciichart output) and sized by the caller; left intact. */
  raw?: boolean;
}

export type LineSpec = string | readonly Span[];

const FG: Record<string, number> = {
  black: 30,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
  grey: 90,
};

// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[0-9;]*m/g;

export function stripSgr(s: string): string {
  return s.replace(SGR, '');
}

/**
 * Display width of one code point: 0 for combining marks and zero-width characters, 2 for East
 * Asian wide/fullwidth and emoji, 1 otherwise. An approximation of string-width good enough to
 * keep model output (which may well be CJK) inside its pane.
 */
export function charWidth(cp: number): number {
  if (cp < 0x300) return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : 1;
  if (
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x20d0 && cp <= 0x20ff)
  ) {
    return 0;
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripSgr(s)) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** The longest prefix of `s` (plain text) that fits `width` columns. */
export function fitWidth(s: string, width: number): string {
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width) break;
    w += cw;
    out += ch;
  }
  return out;
}

/** Splits plain text into lines of at most `width` columns (hard wrap, wide-character aware). */
export function wrapWidth(s: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let line = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width && line !== '') {
      lines.push(line);
      line = '';
      w = 0;
    }
    line += ch;
    w += cw;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function open(span: Span, theme: Theme): string {
  const codes: number[] = [];
  if (span.bold === true) codes.push(1);
  if (span.dim === true) codes.push(2);
  if (span.inverse === true) codes.push(7);
  const color = span.color !== undefined ? (theme.noColor ? undefined : span.color) : span.role && theme.color(span.role);
  const fg = color === undefined ? undefined : FG[color];
  if (fg !== undefined) codes.push(fg);
  return codes.length === 0 ? '' : `\u001B[${codes.join(';')}m`;
}

/**
 * Renders spans as one line of at most `width` columns. Text past the width is cut, with `…` as
 * the last visible character, so a cut is visible rather than silent.
 */
export function renderLine(spec: LineSpec, width: number, theme: Theme): string {
  const spans: readonly Span[] = typeof spec === 'string' ? [{ text: spec }] : spec;
  let out = '';
  let used = 0;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    if (span === undefined || span.text === '') continue;
    const w = displayWidth(span.text);
    const rest = width - used;
    if (rest <= 0) break;
    if (span.raw === true) {
      // Pre-sized by the caller; only drop it if it cannot fit at all.
      if (w > rest) break;
      out += span.text;
      used += w;
      continue;
    }
    const text = w <= rest ? span.text : `${fitWidth(span.text, rest - 1)}…`;
    const sgr = open(span, theme);
    out += sgr === '' ? text : `${sgr}${text}\u001B[0m`;
    used += w <= rest ? w : displayWidth(text);
    if (w > rest) break;
  }
  return out;
}
