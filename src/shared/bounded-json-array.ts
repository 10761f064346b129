import { closeSync, readSync } from 'node:fs';
import { InputTooLargeError, openCapped } from './bounded-read.ts';

/**
 * Reads a file holding one JSON array element by element, within a ceiling: the whole file is
 * never one string (a ShareGPT dump is ~650 MB, more than V8 allows in one string), only the
 * element being assembled is held, and each element is parsed on its own. Each comes with the
 * line it starts on, so errors can name it.
 */

/** The file is not one JSON array (the element-level JSON is checked by JSON.parse). */
export class NotAnArrayError extends Error {
  override readonly name = 'NotAnArrayError';
  constructor(
    message: string,
    readonly lineNo: number,
  ) {
    super(message);
  }
}

/** A byte sequence that could not be parsed as an element. */
export class BadElementError extends Error {
  override readonly name = 'BadElementError';
  constructor(
    message: string,
    readonly index: number,
    readonly lineNo: number,
  ) {
    super(message);
  }
}

const CHUNK = 1024 * 1024;
const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Calls `onElement` with each element of the array (parsed), its 0-based index and the 1-based
 * line it starts on. Throws InputTooLargeError ('line' = one element) past the limits,
 * NotAnArrayError when the file is not an array, BadElementError when an element is not JSON.
 */
export function forEachArrayElement(
  path: string,
  limits: { maxBytes: number; maxElementBytes: number },
  onElement: (value: unknown, index: number, lineNo: number) => void,
): void {
  const fd = openCapped(path, limits.maxBytes);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let state: 'before' | 'between' | 'in' | 'after' = 'before';
    let line = 1;
    let depth = 0;
    /** The closing bracket each open one expects, innermost last. */
    const closers: number[] = [];
    let inString = false;
    let escaped = false;
    let parts: Buffer[] = [];
    let partsLen = 0;
    let elementLine = 0;
    let index = 0;
    let total = 0;
    let first = true;
    const finish = (tail: Buffer): void => {
      const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail], partsLen + tail.length);
      parts = [];
      partsLen = 0;
      let value: unknown;
      try {
        value = JSON.parse(bytes.toString('utf8'));
      } catch (e) {
        throw new BadElementError((e as Error).message, index, elementLine);
      }
      onElement(value, index, elementLine);
      index++;
    };
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > limits.maxBytes) throw new InputTooLargeError('file', limits.maxBytes);
      let i = 0;
      // A UTF-8 byte-order mark before the array.
      if (first && n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
      first = false;
      let start = state === 'in' ? i : -1;
      for (; i < n; i++) {
        const c = buf[i] as number;
        if (c === NL) line++;
        if (state === 'in') {
          if (inString) {
            if (escaped) escaped = false;
            else if (c === BACKSLASH) escaped = true;
            else if (c === QUOTE) inString = false;
            continue;
          }
          if (c === QUOTE) inString = true;
          else if (c === 0x7b || c === 0x5b) closers[depth++] = c + 2; // '{' -> '}', '[' -> ']'
          else if ((c === 0x7d || c === 0x5d) && depth > 0) {
            if (closers[--depth] !== c) throw new BadElementError(`"${String.fromCharCode(c)}" on line ${line} closes a "${String.fromCharCode((closers[depth] ?? 0) - 2)}"`, index, elementLine);
          } else if (depth === 0 && (c === 0x2c || c === 0x5d)) {
            if (partsLen + (i - start) > limits.maxElementBytes) throw new InputTooLargeError('line', limits.maxElementBytes, undefined, elementLine);
            finish(buf.subarray(start, i));
            start = -1;
            state = c === 0x2c ? 'between' : 'after';
          }
          continue;
        }
        if (isSpace(c)) continue;
        if (state === 'before') {
          if (c !== 0x5b) throw new NotAnArrayError('the file does not start with "["', line);
          state = 'between';
        } else if (state === 'between') {
          if (c === 0x5d) {
            state = 'after';
            continue;
          }
          state = 'in';
          elementLine = line;
          start = i;
          depth = 0;
          inString = false;
          escaped = false;
          i--; // the element's first byte (never a newline) is read again, inside the element
        } else {
          throw new NotAnArrayError('more text after the array ends', line);
        }
      }
      if (state === 'in' && start >= 0) {
        // The buffer is reused for the next read: keep a copy of the unfinished element.
        parts.push(Buffer.from(buf.subarray(start, n)));
        partsLen += n - start;
        if (partsLen > limits.maxElementBytes) throw new InputTooLargeError('line', limits.maxElementBytes, undefined, elementLine);
      }
    }
    if (state === 'before') throw new NotAnArrayError('the file is empty', line);
    // (TypeScript loses track of the assignments made in the loop above.)
    if ((state as string) !== 'after') throw new NotAnArrayError('the array is not closed (no "]" at the end): is the file cut short?', line);
  } finally {
    closeSync(fd);
  }
}
