import type { TargetConfig } from './config.ts';
import { urlSecrets } from '../shared/url-secrets.ts';
import { collapseWhitespace, cutTo, MAX_MESSAGE_CHARS, redactSecrets } from './wire/common.ts';

/**
 * Keeping credentials out of everything streamtop shows or writes. Servers echo what they were
 * sent (a proxy's debug mode streams the Authorization header back as answer text; gateways quote
 * a key, or part of it, in error bodies), so every text that came from the server is scrubbed of
 * the secrets we sent before it reaches a pane, a record, a report or a message.
 */

/** The shortest piece of a secret that counts as a leak: every longer substring holds one. */
export const MIN_SECRET_PIECE = 8;
/** Values shorter than this are not treated as secrets: masking them would mangle ordinary text. */
const MIN_SECRET_CHARS = 4;
/** What replaces a secret, or any run of text made of its pieces. */
export const MASK = '[redacted]';

/**
 * Masks every piece of MIN_SECRET_PIECE or more characters of any secret it was given (a
 * shorter secret only as a whole). Overlapping or touching pieces become one mask, so a key reads
 * as one `[redacted]` however it was cut up.
 *
 * Matching is a set of all the secrets' pieces (a 40-character key has 33), looked up at each
 * position of the text. A 64K-entry table of each piece's first two characters rejects nearly
 * every position of ordinary text before any substring is made, which keeps the per-event cost
 * of pane text near a plain string append (bench/secret-scrub.ts).
 */
export class SecretScrubber {
  private readonly pieces = new Set<string>();
  /** Piece lengths present, longest first: MIN_SECRET_PIECE, and the lengths of shorter secrets. */
  private readonly lengths: number[];
  private readonly shortest: number;
  private readonly firstPair = new Uint8Array(1 << 16);
  /**
   * How many characters before newly added text a piece may start in: text that is appended to
   * (a pane tail) is rescanned only from there.
   */
  readonly carry: number;

  constructor(secrets: Iterable<string | undefined>) {
    const lengths = new Set<number>();
    for (const s of secrets) {
      if (s === undefined || s.length < MIN_SECRET_CHARS) continue;
      const n = Math.min(MIN_SECRET_PIECE, s.length);
      lengths.add(n);
      for (let i = 0; i + n <= s.length; i++) {
        const piece = s.slice(i, i + n);
        this.pieces.add(piece);
        this.firstPair[pairIndex(piece, 0)] = 1;
      }
    }
    this.lengths = [...lengths].sort((a, b) => b - a);
    this.shortest = this.lengths.at(-1) ?? 0;
    this.carry = Math.max(0, (this.lengths[0] ?? 0) - 1);
  }

  /** False when there is nothing to hide (no key): scrubbing then returns its input. */
  get active(): boolean {
    return this.lengths.length > 0;
  }

  /**
   * `text` with every secret piece masked. With `from`, only pieces that start at or after it are
   * looked for (the text before it was scrubbed already). Returns `text` itself when nothing matched.
   */
  scrub(text: string, from = 0): string {
    if (this.lengths.length === 0) return text;
    let ranges: number[] | undefined;
    let start = -1;
    let end = -1;
    for (let i = Math.max(0, from); i + this.shortest <= text.length; i++) {
      if (this.firstPair[pairIndex(text, i)] === 0) continue;
      for (const n of this.lengths) {
        if (i + n > text.length || !this.pieces.has(text.slice(i, i + n))) continue;
        if (i <= end) end = Math.max(end, i + n);
        else {
          if (start >= 0) (ranges ??= []).push(start, end);
          start = i;
          end = i + n;
        }
        break;
      }
    }
    if (start < 0) return text;
    (ranges ??= []).push(start, end);
    let out = '';
    let pos = 0;
    for (let k = 0; k < ranges.length; k += 2) {
      let s = ranges[k] ?? 0;
      // A piece right after an earlier mask continues the same secret: one mask for both.
      if (s - MASK.length >= pos && text.startsWith(MASK, s - MASK.length)) s -= MASK.length;
      out += text.slice(pos, s) + MASK;
      pos = ranges[k + 1] ?? s;
    }
    return out + text.slice(pos);
  }

  /**
   * A message for a record, a report or the screen: on one line, secrets and credential-shaped
   * values masked, and only then cut to MAX_MESSAGE_CHARS, so that a cut can never split a
   * secret into a part that no longer matches.
   */
  message(text: string): string {
    return cutTo(redactSecrets(this.scrub(collapseWhitespace(text))), MAX_MESSAGE_CHARS);
  }
}

/** Index into the first-two-characters table; unique for every pair of ASCII characters. */
function pairIndex(s: string, i: number): number {
  return ((s.charCodeAt(i) << 7) ^ s.charCodeAt(i + 1)) & 0xffff;
}

/** Header names whose -H values are credentials even though they were typed, not read from the environment. */
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|signature|password/i;

/**
 * Every secret a run sends, to be kept out of what it shows and writes: the key, --header-env
 * values, -H values of credential-named headers (`-H "Authorization: Bearer ..."`), and
 * credentials in the URL's query.
 */
export function secretsOf(config: { target: Pick<TargetConfig, 'apiKey' | 'baseUrl' | 'headers' | 'secretHeaders'> }): string[] {
  const t = config.target;
  const typed = Object.entries(t.headers ?? {})
    .filter(([name]) => CREDENTIAL_HEADER.test(name))
    .map(([, value]) => value.replace(/^Bearer\s+/i, ''));
  return [...(t.apiKey !== undefined ? [t.apiKey] : []), ...Object.values(t.secretHeaders ?? {}), ...typed, ...urlSecrets(t.baseUrl)];
}
