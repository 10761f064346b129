import type { SecretScrubber } from './secrets.ts';

/**
 * The last `max` characters of a request's text, for its pane, never holding a piece of a
 * secret: a server that echoes the key as answer text (a proxy's debug mode) must not put it on
 * screen, even when the key arrives split across events. Each append rescans only the new text
 * and the `carry` characters before it, where a piece that straddles two events would start;
 * the rest of the tail was scrubbed when it arrived.
 */
export class PaneTail {
  private value = '';

  constructor(
    private readonly max: number,
    private readonly scrubber: SecretScrubber,
  ) {}

  /** A new, empty tail with the same bound and scrubber (a request's reasoning beside its answer). */
  sibling(): PaneTail {
    return new PaneTail(this.max, this.scrubber);
  }

  get text(): string {
    return this.value;
  }

  /** Appends one content event's text. */
  push(piece: string): void {
    const from = this.value.length - this.scrubber.carry;
    this.keep(this.scrubber.scrub(this.value + piece, from));
  }

  /** Replaces the text (a non-streaming answer arrives whole). */
  set(whole: string): void {
    // A secret cut by this slice leaves a part at its start that still matches as a piece.
    this.value = '';
    this.keep(this.scrubber.scrub(whole.length > this.max ? whole.slice(whole.length - this.max) : whole));
  }

  private keep(t: string): void {
    this.value = t.length > this.max ? t.slice(t.length - this.max) : t;
  }
}
