import { fmtBytes, InputTooLargeError, MiB, readTextCapped } from '../shared/bounded-read.ts';
import { describeFsError } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';

/**
 * Reaching any endpoint: extra headers (-H), secret headers taken from the environment
 * (--header-env) and body fields merged into every request (--body). Values of these flags may be
 * credentials or private settings, so no message here ever quotes one: they name the flag, the
 * header name or the field, and what is expected.
 */

/**
 * Body fields streamtop sets itself on every request, with why: a --body or a --prompts line that
 * set them would silently change what is measured (another model, no streaming, no usage).
 */
export const OWNED_BODY_FIELDS: Readonly<Record<string, string>> = {
  model: 'the model is --model',
  messages: 'the prompt is built from --prompt, --prompts or the built-in set',
  stream: 'streaming is drawn per request from --stream-ratio',
  stream_options: 'streamtop asks for usage in streams itself',
};

/**
 * Headers the client or the HTTP layer owns: the transport sets the first ones, and streamtop's
 * x-request-id is how the simulator finds its own record of a request.
 */
const OWNED_HEADERS: Readonly<Record<string, string>> = {
  host: 'it follows --url',
  'content-length': 'the HTTP client sets it',
  'transfer-encoding': 'the HTTP client sets it',
  connection: 'connections follow --connection',
  'keep-alive': 'connections follow --connection',
  upgrade: 'the HTTP client sets it',
  'x-request-id': 'streamtop numbers each request with it',
};

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const HEADER_ALLOWED = '"Name: value", e.g. -H "HTTP-Referer: https://example.com"';
export const HEADER_ENV_ALLOWED = '"Name: VAR" naming an environment variable that holds the value, e.g. --header-env "api-key: AZURE_OPENAI_API_KEY"';
export const BODY_ALLOWED = 'a JSON object, or @FILE holding one, e.g. --body \'{"temperature": 0}\'';

export interface HeaderEnv {
  /** The header's name as typed. */
  name: string;
  /** The environment variable holding its value. */
  env: string;
}

function splitHeader(flag: string, raw: string, allowed: string): { name: string; value: string } {
  const colon = raw.indexOf(':');
  const name = colon < 0 ? '' : raw.slice(0, colon).trim();
  if (colon < 0 || name === '') throw new UsageError(`invalid value for ${flag} (not shown): expected ${allowed}`);
  if (!HEADER_NAME.test(name)) throw new UsageError(`invalid header name ${JSON.stringify(name)} for ${flag}: letters, digits and !#$%&'*+.^_\`|~- only`);
  const owned = OWNED_HEADERS[name.toLowerCase()];
  if (owned !== undefined) throw new UsageError(`${flag} ${name}: streamtop does not send this header from the command line (${owned}); drop it`);
  return { name, value: raw.slice(colon + 1).trim() };
}

/** -H "Name: value": one extra header. The value is sent as typed (trimmed); it may be empty. */
export function parseHeader(flag: string, raw: string): { name: string; value: string } {
  const h = splitHeader(flag, raw, HEADER_ALLOWED);
  if (/[\r\n\0]/.test(h.value)) throw new UsageError(`${flag} ${h.name}: the value has a line break or NUL (not shown); headers are one line`);
  return h;
}

/** --header-env "Name: VAR": a header whose value is read from $VAR when the run starts. */
export function parseHeaderEnv(flag: string, raw: string): HeaderEnv {
  const h = splitHeader(flag, raw, HEADER_ENV_ALLOWED);
  if (!ENV_NAME.test(h.value))
    throw new UsageError(`${flag} ${h.name}: expected the NAME of an environment variable after the colon (letters, digits, _), not the value itself`);
  return { name: h.name, env: h.value };
}

/** Header names must be unique across -H and --header-env (case-insensitively, as HTTP reads them). */
export function refuseDuplicateHeaders(headers: readonly { name: string }[], secret: readonly HeaderEnv[]): void {
  const seen = new Set<string>();
  for (const h of [...headers, ...secret]) {
    const key = h.name.toLowerCase();
    if (seen.has(key)) throw new UsageError(`header ${h.name} is given twice (by -H or --header-env); give it once`);
    seen.add(key);
  }
}

/** A --body file is a few settings, not a dataset. */
export const MAX_BODY_FILE_BYTES = 1 * MiB;

/** --body JSON or --body @FILE: fields merged into every request body. */
export function parseBody(flag: string, raw: string): Record<string, unknown> {
  const fromFile = raw.startsWith('@');
  const text = fromFile ? readBodyFile(flag, raw.slice(1)) : raw;
  const where = fromFile ? `${flag} ${raw}` : flag;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError(`${where}: not valid JSON (not shown); expected ${BODY_ALLOWED}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${where}: expected a JSON object like {"temperature": 0}, not ${Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'null' : `a ${typeof v}`}`);
  const body = v as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    const owned = OWNED_BODY_FIELDS[key];
    if (owned !== undefined) throw new UsageError(`${where}: "${key}" is set by streamtop (${owned}); remove it from the body`);
  }
  return body;
}

function readBodyFile(flag: string, file: string): string {
  if (file === '') throw new UsageError(`${flag} @: name the file after @, e.g. --body @body.json`);
  try {
    return readTextCapped(file, MAX_BODY_FILE_BYTES);
  } catch (e) {
    if (e instanceof InputTooLargeError) throw new UsageError(`${flag} @${file}: over the ${fmtBytes(e.limitBytes)} limit for a body file; it should hold a few fields`);
    throw new UsageError(`${flag} @${file}: cannot read the file (${describeFsError(e)})`);
  }
}

/** The values of secret headers, read from the environment; a variable unset or empty is an error. */
export function resolveHeaderEnv(secret: readonly HeaderEnv[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of secret) {
    const value = env[h.env];
    if (value === undefined || value === '') throw new UsageError(`--header-env ${h.name}: $${h.env} is not set (or empty); export it, or name another variable`);
    if (/[\r\n\0]/.test(value)) throw new UsageError(`--header-env ${h.name}: $${h.env} holds a line break or NUL (not shown); headers are one line`);
    out[h.name] = value;
  }
  return out;
}
