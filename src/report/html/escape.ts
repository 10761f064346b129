/**
 * Everything a report holds is data, never markup: error messages quote whatever a server sent
 * (HTML error pages included), model names and URLs are user input. Each goes through one of
 * these on its way into the page.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` block. `<` is escaped so no string can close the
 * element (`</script>`) or open a comment (`<!--`); U+2028/U+2029 are escaped so the text stays
 * valid if it is ever evaluated as JavaScript. `JSON.parse` reads the escapes back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
