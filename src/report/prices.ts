/**
 * List prices of well-known models, in US dollars per million tokens (standard tier, no batch or
 * cache discounts, short-context rates).
 *
 * PRICES CHANGE. These are the vendors' public list prices as I knew them in November 2025,
 * written down from the OpenAI and Anthropic pricing pages as of then, not fetched at run time.
 * They are a convenience for a first estimate: `--price-in` and `--price-out` override them, and
 * the cost line always says which source it used and the date below, so nobody mistakes an old
 * table for an invoice.
 */
export const PRICES_AS_OF = '2025-11';

export interface Price {
  /** $ per million input (prompt) tokens. */
  in: number;
  /** $ per million output (completion) tokens. */
  out: number;
}

/**
 * Keys are model ids or id prefixes. Dated snapshots (`gpt-4o-mini-2024-07-18`,
 * `claude-sonnet-4-20250514`) resolve by longest prefix, so only ids priced differently from
 * their family need their own entry.
 */
export const PRICE_TABLE: Readonly<Record<string, Price>> = {
  // OpenAI
  'gpt-4o': { in: 2.5, out: 10 },
  // The first gpt-4o snapshot kept its launch price after the family got cheaper.
  'gpt-4o-2024-05-13': { in: 5, out: 15 },
  'gpt-4o-mini': { in: 0.15, out: 0.6 },
  'gpt-4.1': { in: 2, out: 8 },
  'gpt-4.1-mini': { in: 0.4, out: 1.6 },
  'gpt-4.1-nano': { in: 0.1, out: 0.4 },
  o1: { in: 15, out: 60 },
  o3: { in: 2, out: 8 },
  'o3-mini': { in: 1.1, out: 4.4 },
  'o3-pro': { in: 20, out: 80 },
  'o4-mini': { in: 1.1, out: 4.4 },
  'gpt-5': { in: 1.25, out: 10 },
  'gpt-5-mini': { in: 0.25, out: 2 },
  'gpt-5-nano': { in: 0.05, out: 0.4 },
  'gpt-5.1': { in: 1.25, out: 10 },
  // Anthropic (aliases like `claude-sonnet-4-5` and dated ids share a prefix)
  'claude-opus-4': { in: 15, out: 75 },
  'claude-opus-4-0': { in: 15, out: 75 },
  'claude-opus-4-1': { in: 15, out: 75 },
  'claude-opus-4-5': { in: 5, out: 25 },
  'claude-sonnet-4': { in: 3, out: 15 },
  'claude-sonnet-4-0': { in: 3, out: 15 },
  'claude-sonnet-4-5': { in: 3, out: 15 },
  'claude-haiku-4-5': { in: 1, out: 5 },
  'claude-3-7-sonnet': { in: 3, out: 15 },
  'claude-3-5-sonnet': { in: 3, out: 15 },
  'claude-3-5-haiku': { in: 0.8, out: 4 },
  'claude-3-haiku': { in: 0.25, out: 1.25 },
};

export interface PriceLookup extends Price {
  /** Where the price came from, for the cost line, e.g. "built-in table (gpt-4o-mini, list price as of 2025-11)". */
  source: string;
}

/**
 * What may follow a family key and still be the same model at the same price: a snapshot date
 * (`-2024-07-18`, `-20250514`) or a moving alias (`-latest`, `-chat-latest`). Anything else
 * (`gpt-4o-realtime-preview`, a future `claude-opus-4-7`) is a different product with its own
 * price: better "unknown, pass --price-in/--price-out" than a confident wrong number.
 */
const SNAPSHOT_SUFFIX = /^-(\d{4}-\d{2}-\d{2}|\d{8}|latest|chat-latest)$/;

/**
 * Exact id first, then the longest table key that the id extends by a snapshot suffix
 * (`gpt-4o-mini-2024-07-18` -> gpt-4o-mini). Case-insensitive; a router-style `vendor/` prefix
 * (`openai/gpt-4o`) is ignored. Returns undefined for unknown models (`streamtop-sim` included).
 */
export function lookupPrice(model: string): PriceLookup | undefined {
  let id = model.trim().toLowerCase();
  const slash = id.lastIndexOf('/');
  if (slash >= 0) id = id.slice(slash + 1);
  if (id === '') return undefined;
  const found = (key: string, how: string): PriceLookup | undefined => {
    const p = PRICE_TABLE[key];
    return p ? { in: p.in, out: p.out, source: `built-in table (${key}${how}, list price as of ${PRICES_AS_OF})` } : undefined;
  };
  if (Object.hasOwn(PRICE_TABLE, id)) return found(id, '');
  let best: string | undefined;
  for (const key of Object.keys(PRICE_TABLE)) {
    if (id.startsWith(key) && SNAPSHOT_SUFFIX.test(id.slice(key.length)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best !== undefined ? found(best, ' snapshot') : undefined;
}
