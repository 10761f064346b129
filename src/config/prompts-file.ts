import { readFileSync } from 'node:fs';
import type { ChatMessage } from '../engine/wire/types.ts';
import { toPrompt, type Prompt } from '../engine/prompts.ts';
import { describeFsError } from '../shared/output-path.ts';
import { UsageError } from '../shared/usage-error.ts';

/**
 * --prompts FILE: a JSONL file, one {"prompt": "..."} or {"messages": [...]} per line. Read and
 * checked here, with the CLI, so errors name the file and line and the engine gets Prompt[].
 */

const ROLES = new Set(['system', 'user', 'assistant']);

function parseLine(line: string, lineNo: number, file: string, system?: string): Prompt {
  const where = `${file}:${lineNo}`;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new UsageError(`--prompts ${where}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new UsageError(`--prompts ${where}: expected an object like {"prompt": "..."} or {"messages": [...]}`);
  const o = v as Record<string, unknown>;
  const sys = system ? [{ role: 'system' as const, content: system }] : [];
  if (typeof o.prompt === 'string') {
    if (o.prompt.length === 0) throw new UsageError(`--prompts ${where}: "prompt" is empty`);
    return toPrompt([...sys, { role: 'user', content: o.prompt }]);
  }
  if (Array.isArray(o.messages)) {
    if (o.messages.length === 0) throw new UsageError(`--prompts ${where}: "messages" is empty`);
    const msgs: ChatMessage[] = o.messages.map((m, i) => {
      const mm = m as Record<string, unknown> | null;
      if (!mm || typeof mm !== 'object' || typeof mm.role !== 'string' || !ROLES.has(mm.role) || typeof mm.content !== 'string')
        throw new UsageError(
          `--prompts ${where}: messages[${i}] must be {"role": "system"|"user"|"assistant", "content": "text"}`,
        );
      return { role: mm.role as ChatMessage['role'], content: mm.content };
    });
    return toPrompt([...sys, ...msgs]);
  }
  throw new UsageError(`--prompts ${where}: needs a "prompt" string or a "messages" array`);
}

/** Reads a JSONL prompts file; errors name the file and line. */
export function loadPromptsFile(file: string, system?: string): Prompt[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--prompts ${file}: cannot read the file (${describeFsError(e)}); give a JSONL file, one {"prompt": "..."} per line`);
  }
  const out: Prompt[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    out.push(parseLine(line, i + 1, file, system));
  }
  if (out.length === 0) throw new UsageError(`--prompts ${file}: the file has no prompts (one JSON object per line)`);
  return out;
}
