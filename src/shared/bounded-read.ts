import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reading user-named input files with a ceiling. `readFileSync` on /dev/zero or a 600 MB file
 * grows until the process dies (or V8 refuses the string); these readers refuse first: on the
 * size a regular file reports, and again while reading, since pipes and devices report none.
 */

export const MiB = 1024 * 1024;

/** An input over a stated limit: the whole file, or one line of it. */
export class InputTooLargeError extends Error {
  override readonly name = 'InputTooLargeError';
  constructor(
    readonly what: 'file' | 'line',
    readonly limitBytes: number,
    /** The file's size when it reports one (regular files), in bytes. */
    readonly sizeBytes?: number,
    /** 1-based, for `what: 'line'`. */
    readonly lineNo?: number,
  ) {
    super(`${what} over ${fmtBytes(limitBytes)}`);
  }
}

/** "256 MiB", "1.5 GiB", "900 KiB", "12 bytes". */
export function fmtBytes(n: number): string {
  if (n >= 1024 * MiB) return `${trim(n / (1024 * MiB))} GiB`;
  if (n >= MiB) return `${trim(n / MiB)} MiB`;
  if (n >= 1024) return `${trim(n / 1024)} KiB`;
  return `${n} bytes`;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

const CHUNK = 1 * MiB;

/** Opens `path` and refuses a regular file larger than `maxBytes` before reading a byte of it. */
export function openCapped(path: string, maxBytes: number): number {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > maxBytes) throw new InputTooLargeError('file', maxBytes, st.size);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

/** The whole file as UTF-8, at most `maxBytes` of it (else InputTooLargeError). */
export function readTextCapped(path: string, maxBytes: number): string {
  const fd = openCapped(path, maxBytes);
  try {
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new InputTooLargeError('file', maxBytes);
      parts.push(n === CHUNK ? buf : buf.subarray(0, n));
    }
    return Buffer.concat(parts, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `onLine` with each line (no end-of-line, a leading BOM dropped) and its 1-based number,
 * reading the file in pieces: only the line being assembled is held, never the whole file.
 */
export function forEachLineCapped(
  path: string,
  limits: { maxBytes: number; maxLineBytes: number },
  onLine: (line: string, lineNo: number) => void,
): void {
  const fd = openCapped(path, limits.maxBytes);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let total = 0;
    let lineNo = 0;
    const emit = (last: Buffer): void => {
      lineNo++;
      const bytes = pending.length === 0 ? last : Buffer.concat([...pending, last], pendingLen + last.length);
      pending = [];
      pendingLen = 0;
      let line = bytes.toString('utf8');
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (lineNo === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
      onLine(line, lineNo);
    };
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > limits.maxBytes) throw new InputTooLargeError('file', limits.maxBytes);
      let from = 0;
      for (let nl = buf.indexOf(0x0a, from); nl !== -1 && nl < n; nl = buf.indexOf(0x0a, from)) {
        if (pendingLen + (nl - from) > limits.maxLineBytes) throw new InputTooLargeError('line', limits.maxLineBytes, undefined, lineNo + 1);
        emit(buf.subarray(from, nl));
        from = nl + 1;
      }
      if (from < n) {
        // The buffer is reused for the next read: keep a copy of the unfinished line.
        pending.push(Buffer.from(buf.subarray(from, n)));
        pendingLen += n - from;
        if (pendingLen > limits.maxLineBytes) throw new InputTooLargeError('line', limits.maxLineBytes, undefined, lineNo + 1);
      }
    }
    if (pendingLen > 0) emit(Buffer.alloc(0));
  } finally {
    closeSync(fd);
  }
}
