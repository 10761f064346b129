import type { SessionScript, SessionTurn } from '../../engine/session-script.ts';
import { forEachJsonlLine, messagesOf, parseObjectLine, promptFromObject, type JsonlSource } from '../prompts-file.ts';
import { UsageError } from '../../shared/usage-error.ts';
import { MAX_OUTPUT_TOKENS } from '../run-flags.ts';
import { timestampField, wholeField } from './fields.ts';
import { at, MAX_DATASET_BYTES, MAX_DATASET_LINE_BYTES, MAX_DATASET_LINES, type DatasetLines } from './types.ts';

/**
 * streamtop JSONL: the --prompts lines ({"prompt"} or {"messages"}, other fields sent in the
 * body) with fields of their own that are not sent: `output_tokens` (the answer's length),
 * `timestamp` (ms from the start, for --replay), `session` and `turn` (lines of one conversation,
 * for multi-turn runs).
 */

const OWN_FIELDS: ReadonlySet<string> = new Set(['output_tokens', 'timestamp', 'session', 'turn']);
const SHAPE = 'a JSONL file, one {"prompt": "..."} or {"messages": [...]} per line';
const EXPECTED = '{"prompt": "..."} or {"messages": [...]}';

export function jsonlSource(file: string, shape = SHAPE): JsonlSource {
  return { flag: '--dataset', file, shape, item: 'line', maxBytes: MAX_DATASET_BYTES, maxLineBytes: MAX_DATASET_LINE_BYTES };
}

/** Refuses a file with more lines than a run can hold. */
export function checkLineCount(file: string, count: number): void {
  if (count > MAX_DATASET_LINES)
    throw new UsageError(`--dataset ${file}: more than ${MAX_DATASET_LINES.toLocaleString('en-US')} lines, the most one run holds; use a sample of the file`);
}

interface JsonlLine {
  o: Record<string, unknown>;
  line: number;
  where: string;
  outputTokens?: number;
  timestampMs?: number;
  session?: string;
  turn?: number;
}

function readLines(file: string): JsonlLine[] {
  const out: JsonlLine[] = [];
  forEachJsonlLine(jsonlSource(file), (text, line) => {
    checkLineCount(file, out.length + 1);
    const where = at(file, line);
    const o = parseObjectLine(text, { flag: '--dataset', where: `${file}:${line}` }, EXPECTED);
    const outputTokens = wholeField(o, 'output_tokens', where, 1, MAX_OUTPUT_TOKENS);
    const timestampMs = timestampField(o, where);
    const turn = wholeField(o, 'turn', where, 0, 1e9);
    let session: string | undefined;
    if (o.session !== undefined && o.session !== null) {
      if (typeof o.session !== 'string' && !(typeof o.session === 'number' && Number.isFinite(o.session)))
        throw new UsageError(`${where}: "session" is ${JSON.stringify(o.session)}; expected a string or a number naming the conversation`);
      session = String(o.session);
    }
    if (turn !== undefined && session === undefined) throw new UsageError(`${where}: "turn" needs a "session" naming the conversation the turn belongs to`);
    out.push({
      o,
      line,
      where,
      ...(outputTokens !== undefined ? { outputTokens } : {}),
      ...(timestampMs !== undefined ? { timestampMs } : {}),
      ...(session !== undefined ? { session } : {}),
      ...(turn !== undefined ? { turn } : {}),
    });
  });
  return out;
}

/** Each line a prompt, in file order; `session` and `turn` are not sent. */
export function readJsonlDataset(file: string, system?: string): DatasetLines {
  const lines = readLines(file).map((l) => {
    // Checked now, so a bad line is refused before the run, whichever lines it sends.
    const prompt = promptFromObject(l.o, { flag: '--dataset', where: `${file}:${l.line}` }, system, OWN_FIELDS);
    if (l.outputTokens !== undefined) prompt.outputTokens = l.outputTokens;
    return { line: l.line, ...(l.timestampMs !== undefined ? { timestampMs: l.timestampMs } : {}), build: () => prompt };
  });
  return { format: 'jsonl', file, lines, skipped: 0 };
}

/**
 * A turn's user message (and a system message before it): a "prompt", or "messages" holding
 * one user message after any system message. Earlier answers are not given on a line: the
 * history is what the earlier turns said.
 */
function turnText(l: JsonlLine, file: string): { user: string; system?: string } {
  const msgs = messagesOf(l.o, { flag: '--dataset', where: `${file}:${l.line}` });
  const system = msgs.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const rest = msgs.filter((m) => m.role !== 'system');
  if (rest.length !== 1 || rest[0]?.role !== 'user' || msgs[msgs.length - 1]?.role !== 'user')
    throw new UsageError(
      `${l.where}: a conversation's turn is one user message ("prompt", or "messages" with one user message after any system message); the history is what the earlier turns said`,
    );
  return { user: rest[0].content, ...(system !== '' ? { system } : {}) };
}

/**
 * The file's conversations: lines sharing a `session` in `turn` order (file order among equal
 * or missing turns), a line without one a conversation of its own. Sessions come in the order
 * their first line appears.
 */
export function jsonlSessions(file: string, system?: string): SessionScript[] {
  const groups = new Map<string, JsonlLine[]>();
  const order: (JsonlLine[])[] = [];
  for (const l of readLines(file)) {
    turnText(l, file);
    if (l.session === undefined) {
      order.push([l]);
      continue;
    }
    let g = groups.get(l.session);
    if (g === undefined) {
      g = [];
      groups.set(l.session, g);
      order.push(g);
    }
    const dup = l.turn !== undefined ? g.find((x) => x.turn === l.turn) : undefined;
    if (dup !== undefined) throw new UsageError(`${l.where}: session ${JSON.stringify(l.session)} already has turn ${l.turn} (line ${dup.line}); give each turn once`);
    g.push(l);
  }
  return order.map((g) => {
    const sorted = g.slice().sort((a, b) => (a.turn ?? Number.POSITIVE_INFINITY) - (b.turn ?? Number.POSITIVE_INFINITY) || a.line - b.line);
    const turns: SessionTurn[] = sorted.map((l) => {
      const prompt = promptFromObject(l.o, { flag: '--dataset', where: `${file}:${l.line}` }, undefined, OWN_FIELDS);
      return {
        user: turnText(l, file).user,
        ...(l.outputTokens !== undefined ? { outputTokens: l.outputTokens } : {}),
        ...(prompt.body !== undefined ? { body: prompt.body } : {}),
      };
    });
    const id = g[0]?.session;
    // The first turn's own system message wins over --system, as in the single-prompt runs' ShareGPT files.
    const own = g[0] !== undefined ? turnText(g[0], file).system : undefined;
    const sys = own ?? (system !== '' ? system : undefined);
    return { ...(sys !== undefined ? { system: sys } : {}), turns, ...(id !== undefined ? { id } : {}) };
  });
}
