// Builds one socket write out of prebuilt byte pieces. The simulator used to concatenate strings
// per token; Node then had to flatten each rope of ~10 pieces and transcode it on every write,
// which perf showed as the largest user-space cost at 1,000 paced streams
// (v8::String::WriteToFlat, 10 % of the process). Copying byte pieces into a scratch buffer and
// writing one Buffer skips both.

/** Room kept in front of the payload for an HTTP/1.1 chunk header ("ffffffff\r\n"). */
const HEADER_ROOM = 10;
/** Kept free after the payload: the chunk's CRLF and, on the last write, "0\r\n\r\n". */
const TRAILER_ROOM = 7;
/** The zero-length chunk that ends a chunked body. */
const TERMINATOR = Buffer.from('0\r\n\r\n', 'latin1');
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * How take() frames the payload: as is (HTTP/2, or a body of known length), as one HTTP/1.1
 * chunk, or as the last chunk followed by the zero-length terminator (the response's last write).
 */
export type Framing = 'none' | 'chunk' | 'final';

export class ChunkBuilder {
  private buf: Buffer;
  private end = HEADER_ROOM;

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(HEADER_ROOM + initialBytes + TRAILER_ROOM);
  }

  /** Payload bytes so far. */
  get length(): number {
    return this.end - HEADER_ROOM;
  }

  bytes(piece: Uint8Array): void {
    this.reserve(piece.length);
    this.buf.set(piece, this.end);
    this.end += piece.length;
  }

  /** Appends text the caller knows is ASCII (one byte per character). */
  ascii(text: string): void {
    this.reserve(text.length);
    this.end += this.buf.write(text, this.end, 'latin1');
  }

  /**
   * The payload as a fresh Buffer (a socket may hold it until written, so the scratch space is
   * never handed out), framed as `framing` says; the builder is then empty. An empty payload
   * framed 'final' is just the terminator.
   */
  take(framing: Framing): Buffer {
    const buf = this.buf;
    const n = this.end - HEADER_ROOM;
    let start = HEADER_ROOM;
    let stop = this.end;
    if (framing !== 'none') {
      if (n > 0) {
        // "<hex length>\r\n" right before the payload, digit by digit (Buffer#write's argument
        // handling cost more than the rest of this function).
        buf[--start] = 0x0a;
        buf[--start] = 0x0d;
        for (let v = n; v > 0; v >>>= 4) buf[--start] = HEX[v & 15] as number;
        buf[stop++] = 0x0d;
        buf[stop++] = 0x0a;
      }
      if (framing === 'final') {
        for (let i = 0; i < TERMINATOR.length; i++) buf[stop++] = TERMINATOR[i] as number;
      }
    }
    const out = Buffer.allocUnsafe(stop - start);
    buf.copy(out, 0, start, stop);
    this.end = HEADER_ROOM;
    return out;
  }

  private reserve(more: number): void {
    const need = this.end + more + TRAILER_ROOM;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.end);
    this.buf = grown;
  }
}

/** ASCII text as bytes, for pieces built once and written many times. */
export const asciiBytes = (text: string): Buffer => Buffer.from(text, 'latin1');
