import type { EarlyStopRule } from '../engine/config.ts';
import { invalidFlag } from '../shared/usage-error.ts';

const ALLOWED = 'comma-separated rules: min-tokens=N, max-tokens=N, stop=REGEX (e.g. "min-tokens=50,stop=\\n\\n")';

/**
 * Parses `--early-stop "min-tokens=50,stop=REGEX,max-tokens=N"`. A stream is aborted once
 * max-tokens content events arrived, or once its text matches `stop`, but never before
 * min-tokens. `stop=` takes the rest of the string (a regex may itself contain commas), so
 * it must come last.
 */
export function parseEarlyStop(flag: string, raw: string): EarlyStopRule {
  const rule: EarlyStopRule = { source: raw };
  let rest = raw.trim();
  if (rest === '') throw invalidFlag(flag, raw, ALLOWED);
  while (rest.length > 0) {
    const eq = rest.indexOf('=');
    if (eq <= 0) throw invalidFlag(flag, raw, ALLOWED);
    const key = rest.slice(0, eq).trim();
    let value: string;
    if (key === 'stop') {
      value = rest.slice(eq + 1);
      rest = '';
    } else {
      const comma = rest.indexOf(',', eq);
      value = comma === -1 ? rest.slice(eq + 1) : rest.slice(eq + 1, comma);
      rest = comma === -1 ? '' : rest.slice(comma + 1).trim();
    }
    switch (key) {
      case 'min-tokens':
      case 'max-tokens': {
        if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1)
          throw invalidFlag(flag, raw, `${key}=N with N a whole number >= 1`);
        if (key === 'min-tokens') rule.minTokens = Number(value);
        else rule.maxTokens = Number(value);
        break;
      }
      case 'stop': {
        if (value === '') throw invalidFlag(flag, raw, 'stop=REGEX with a non-empty regular expression');
        try {
          // Escapes typed in a shell (\n, \t) mean the characters.
          rule.stop = new RegExp(value.replace(/\\n/g, '\n').replace(/\\t/g, '\t'));
        } catch (e) {
          throw invalidFlag(flag, raw, `a valid regular expression after stop= (${(e as Error).message})`);
        }
        break;
      }
      default:
        throw invalidFlag(flag, raw, ALLOWED);
    }
  }
  if (rule.maxTokens === undefined && rule.stop === undefined)
    throw invalidFlag(flag, raw, 'at least one of max-tokens=N or stop=REGEX (min-tokens alone never stops a stream)');
  if (rule.minTokens !== undefined && rule.maxTokens !== undefined && rule.maxTokens < rule.minTokens)
    throw invalidFlag(flag, raw, 'max-tokens >= min-tokens');
  return rule;
}
