import { openSync, readSync, closeSync } from 'node:fs';
import type { ChatMessage } from '../../engine/wire/types.ts';
import { toPrompt } from '../../engine/prompts.ts';
import type { SessionScript, SessionTurn } from '../../engine/session-script.ts';
import { countTokens } from '../../engine/wire/tokens.ts';
import { BadElementError, forEachArrayElement, NotAnArrayError } from '../../shared/bounded-json-array.ts';
import { fmtBytes, InputTooLargeError } from '../../shared/bounded-read.ts';
import { describeFsError } from '../../shared/output-path.ts';
import { UsageError } from '../../shared/usage-error.ts';
import { forEachJsonlLine, parseObjectLine } from '../prompts-file.ts';
import { checkLineCount, jsonlSource } from './jsonl.ts';
import { at, MAX_DATASET_BYTES, MAX_DATASET_LINE_BYTES, type DatasetLine, type DatasetLines } from './types.ts';

/**
 * ShareGPT: a JSON array of {"conversations": [{"from": "human"|"gpt", "value": "..."}, ...]}
 * (or the same objects one per line). As single prompts: the first human turn is the prompt and
 * the o200k length of the gpt turn after it the answer's length (its output target). As sessions
 * (multi-turn): every human turn in order, each with the gpt answer that followed it.
 *
 * Real dumps hold conversations with nothing to send (empty, or only the model speaking): those
 * are skipped and counted. A malformed conversation (not an object, a turn without "from" or
 * "value") is refused with its line.
 */

type Role = ChatMessage['role'];

/** Speaker names seen in ShareGPT dumps and their chat roles. */
const ROLE_OF: Readonly<Record<string, Role>> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  chatgpt: 'assistant',
  bing: 'assistant',
  bard: 'assistant',
  model: 'assistant',
  system: 'system',
};
const SHAPE = 'a ShareGPT JSON file: an array of {"conversations": [{"from": "human", "value": "..."}, {"from": "gpt", "value": "..."}]}';

interface Turn {
  role: Role;
  text: string;
}

interface Conversation {
  line: number;
  /** The conversation's own system turn, if any. */
  system?: string;
  /** User and assistant turns in order (consecutive turns of one speaker joined). */
  turns: Turn[];
}

function conversationOf(v: unknown, where: string, line: number): Conversation {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Array.isArray((v as Record<string, unknown>).conversations))
    throw new UsageError(`${where}: expected an object with a "conversations" array, like {"conversations": [{"from": "human", "value": "..."}]}`);
  const raw = (v as { conversations: unknown[] }).conversations;
  const conv: Conversation = { line, turns: [] };
  raw.forEach((t, i) => {
    const tt = t as Record<string, unknown> | null;
    if (tt === null || typeof tt !== 'object' || typeof tt.from !== 'string' || typeof tt.value !== 'string')
      throw new UsageError(`${where}: conversations[${i}] must be {"from": "human"|"gpt"|"system", "value": "text"}`);
    const role = ROLE_OF[tt.from.toLowerCase()];
    if (role === undefined)
      throw new UsageError(`${where}: conversations[${i}] is from ${JSON.stringify(tt.from)}; expected human or user, gpt or assistant, or system`);
    if (role === 'system') {
      if (conv.turns.length === 0 && conv.system === undefined && tt.value !== '') conv.system = tt.value;
      return;
    }
    const last = conv.turns[conv.turns.length - 1];
    if (last !== undefined && last.role === role) last.text += `\n\n${tt.value}`;
    else conv.turns.push({ role, text: tt.value });
  });
  // The model speaking first has nothing to answer: its turns are not part of a request.
  while (conv.turns[0] !== undefined && conv.turns[0].role !== 'user') conv.turns.shift();
  return conv;
}

/** Whether the file's first byte (after a BOM and spaces) opens an array. */
function startsWithArray(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new UsageError(`--dataset ${file}: cannot read the file (${describeFsError(e)}); give ${SHAPE}`);
  }
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('[');
  } finally {
    closeSync(fd);
  }
}

/** Every conversation of the file with its line, in file order. */
function readConversations(file: string, onConversation: (c: Conversation) => void): void {
  if (!startsWithArray(file)) {
    let count = 0;
    forEachJsonlLine(jsonlSource(file, SHAPE), (text, line) => {
      checkLineCount(file, ++count);
      const o = parseObjectLine(text, { flag: '--dataset', where: `${file}:${line}` }, '{"conversations": [...]}');
      onConversation(conversationOf(o, at(file, line), line));
    });
    return;
  }
  try {
    forEachArrayElement(file, { maxBytes: MAX_DATASET_BYTES, maxElementBytes: MAX_DATASET_LINE_BYTES }, (v, index, line) => {
      checkLineCount(file, index + 1);
      onConversation(conversationOf(v, `${at(file, line)} (conversation ${index + 1})`, line));
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof BadElementError) throw new UsageError(`${at(file, e.lineNo)} (conversation ${e.index + 1}): not valid JSON (${e.message})`);
    if (e instanceof NotAnArrayError) throw new UsageError(`${at(file, e.lineNo)}: not a JSON array: ${e.message}; give ${SHAPE}`);
    if (e instanceof InputTooLargeError)
      throw new UsageError(
        e.what === 'line'
          ? `${at(file, e.lineNo ?? 0)}: a conversation longer than ${fmtBytes(e.limitBytes)} (the limit for one); is it ${SHAPE}?`
          : `--dataset ${file}${e.sizeBytes !== undefined ? ` is ${fmtBytes(e.sizeBytes)},` : ''} over the ${fmtBytes(e.limitBytes)} limit for a dataset; use a sample of it`,
      );
    throw new UsageError(`--dataset ${file}: cannot read the file (${describeFsError(e)}); give ${SHAPE}`);
  }
}

/**
 * Single prompts: each conversation's first user turn, its answer's length as the output target
 * (counted when the prompt is built, so only for the lines a run sends). A conversation's own
 * system turn wins over --system.
 */
export function readShareGptDataset(file: string, system?: string): DatasetLines {
  const lines: DatasetLine[] = [];
  let skipped = 0;
  readConversations(file, (c) => {
    const user = c.turns[0];
    if (user === undefined || user.text.trim() === '') {
      skipped++;
      return;
    }
    const answer = c.turns[1]?.text;
    const sys = c.system ?? (system !== '' ? system : undefined);
    lines.push({
      line: c.line,
      build: () => {
        const prompt = toPrompt([...(sys !== undefined ? [{ role: 'system' as const, content: sys }] : []), { role: 'user', content: user.text }]);
        const out = answer !== undefined ? countTokens(answer) : 0;
        if (out > 0) prompt.outputTokens = out;
        return prompt;
      },
    });
  });
  return { format: 'sharegpt', file, lines, skipped };
}

/** Sessions: every user turn with the answer that followed it (its length the turn's output target). */
export function shareGptSessions(file: string, system?: string): SessionScript[] {
  const out: SessionScript[] = [];
  readConversations(file, (c) => {
    const turns: SessionTurn[] = [];
    for (let i = 0; i < c.turns.length; i++) {
      const t = c.turns[i] as Turn;
      if (t.role !== 'user') continue;
      const next = c.turns[i + 1];
      const reply = next !== undefined && next.role === 'assistant' ? next.text : undefined;
      const tokens = reply !== undefined ? countTokens(reply) : 0;
      turns.push({ user: t.text, ...(reply !== undefined ? { datasetReply: reply } : {}), ...(tokens > 0 ? { outputTokens: tokens } : {}) });
    }
    if (turns.length === 0 || turns[0]?.user.trim() === '') return;
    const sys = c.system ?? (system !== '' ? system : undefined);
    out.push({ ...(sys !== undefined ? { system: sys } : {}), turns, id: `line ${c.line}` });
  });
  return out;
}
