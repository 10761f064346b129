import { closeSync, openSync, readSync } from 'node:fs';
import { describeFsError } from '../../shared/output-path.ts';
import { UsageError } from '../../shared/usage-error.ts';
import type { DatasetFormat } from './types.ts';

/**
 * --dataset-format auto: the format from the file's first line. An array is ShareGPT; an object
 * is told by its keys: "conversations" (ShareGPT, one per line), "input_length" or "hash_ids" (a
 * Mooncake trace), "prompt" or "messages" (streamtop JSONL).
 */

/** Bytes read to tell the format: enough for any first line's keys to show. */
const HEAD_BYTES = 64 * 1024;

function head(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new UsageError(`--dataset ${file}: cannot read the file (${describeFsError(e)})`);
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new UsageError(`--dataset ${file}: cannot read the file (${describeFsError(e)})`);
  } finally {
    closeSync(fd);
  }
}

/** The keys of the first object: parsed when the first line fits in the head, else looked for as text. */
function firstKeys(firstLine: string): string[] {
  try {
    const v: unknown = JSON.parse(firstLine);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return Object.keys(v);
  } catch {
    // A first line longer than the head (a huge prompt): look for the keys as text.
  }
  return [...firstLine.matchAll(/"([A-Za-z_]+)"\s*:/g)].map((m) => m[1] as string);
}

export function detectFormat(file: string): DatasetFormat {
  const text = head(file).trimStart();
  if (text === '') throw new UsageError(`--dataset ${file}: the file is empty; a dataset needs at least one line`);
  if (text.startsWith('[')) return 'sharegpt';
  if (!text.startsWith('{'))
    throw new UsageError(`--dataset ${file}:1: neither a JSON array (ShareGPT) nor a JSON object per line (JSONL, Mooncake trace); what does the file hold?`);
  const nl = text.indexOf('\n');
  const keys = firstKeys(nl === -1 ? text : text.slice(0, nl));
  if (keys.includes('conversations')) return 'sharegpt';
  if (keys.includes('input_length') || keys.includes('hash_ids')) return 'mooncake';
  if (keys.includes('prompt') || keys.includes('messages')) return 'jsonl';
  const shown = keys.length > 0 ? `its keys are ${keys.slice(0, 8).map((k) => `"${k}"`).join(', ')}` : 'it has no keys';
  throw new UsageError(
    `--dataset ${file}:1: cannot tell the format from the first line (${shown}); expected "prompt" or "messages" (jsonl), "conversations" (sharegpt) or "input_length" (mooncake), or give --dataset-format`,
  );
}
