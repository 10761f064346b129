/**
 * Credentials in URLs: Azure's `?api-key=`, Google's `?key=`, SAS signatures, OAuth fragments.
 * Shared because everything that shows or saves a URL (the report, flag errors, the header) masks
 * them, and the engine's scrubber looks for their values in what servers echo.
 */

/** Query parameter names that carry credentials: Azure's api-key, Google's key, SAS sig, tokens. */
const CREDENTIAL_NAME = /key|token|sig|secret|pass|pwd|auth|credential|session|code/i;
const REDACTED_VALUE = '***';

interface Param {
  name: string;
  value: string | undefined;
}

function paramsOf(part: string): Param[] {
  return part.split('&').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? { name: p, value: undefined } : { name: p.slice(0, eq), value: p.slice(eq + 1) };
  });
}

function isSecretParam(p: Param): p is Param & { value: string } {
  return p.value !== undefined && p.value !== '' && p.value !== REDACTED_VALUE && CREDENTIAL_NAME.test(p.name);
}

/** The query and the fragment of a URL, as written (`#access_token=...` is a credential too). */
function splitUrl(url: string): { base: string; query: string | undefined; fragment: string | undefined } {
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? undefined : url.slice(hash + 1);
  const q = beforeHash.indexOf('?');
  return q < 0
    ? { base: beforeHash, query: undefined, fragment }
    : { base: beforeHash.slice(0, q), query: beforeHash.slice(q + 1), fragment };
}

/**
 * A URL fit to show or save: the value of every query (or fragment) parameter whose name looks
 * like a credential becomes `***`; everything else stays exactly as written. Works on text that
 * does not parse as a URL too, since error messages quote what the user typed. Idempotent.
 */
export function redactUrl(url: string): string {
  const { base, query, fragment } = splitUrl(url);
  const redact = (part: string): string =>
    paramsOf(part)
      .map((p) => (isSecretParam(p) ? `${p.name}=${REDACTED_VALUE}` : p.value === undefined ? p.name : `${p.name}=${p.value}`))
      .join('&');
  return base + (query !== undefined ? `?${redact(query)}` : '') + (fragment !== undefined ? `#${redact(fragment)}` : '');
}

/**
 * The credential values in a URL's query and fragment, as written and percent-decoded (a server
 * may echo either), for the scrubber: what is hidden in the URL must not show up in an echo.
 */
export function urlSecrets(url: string): string[] {
  const { query, fragment } = splitUrl(url);
  const out: string[] = [];
  for (const part of [query, fragment]) {
    if (part === undefined) continue;
    for (const p of paramsOf(part)) {
      if (!isSecretParam(p)) continue;
      out.push(p.value);
      const decoded = decodeParam(p.value);
      if (decoded !== undefined && decoded !== p.value) out.push(decoded);
    }
  }
  return out;
}

function decodeParam(v: string): string | undefined {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
