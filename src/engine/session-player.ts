import type { Clock } from './clock.ts';
import type { SessionScript } from './session-script.ts';
import type { ChatMessage } from './wire/types.ts';

/**
 * Plays one session: its user turns in order, each sending the whole conversation so far, with a
 * think time between a turn's answer and the next turn. Knows nothing of HTTP, slots or
 * statistics: the host sends each turn (the engine records it as one request) and says whether
 * the session may go on.
 *
 * History: with 'live' the assistant turns are the answers the server actually returned (the text
 * the engine assembled; reasoning and tool calls are not part of it); with 'dataset' they are the
 * dataset's replies (a turn without one falls back on the live answer). An answer's text is asked
 * for only when a later turn sends it.
 */

export type HistoryMode = 'live' | 'dataset';

/** One turn for the host to send. */
export interface TurnRequest {
  /** The session's number in the run, from 1. */
  session: number;
  /** This turn's index, from 1. */
  turn: number;
  /** Turns in the session's script. */
  turns: number;
  /** The system message (if any), the conversation so far, then this turn's user message. */
  messages: ChatMessage[];
  outputTokens?: number;
  body?: Readonly<Record<string, unknown>>;
  /** When the turn was due, on the host's clock: the session's start, then the end of each think time. */
  dueMs: number;
  /** A later turn sends this turn's answer: return its text. */
  keepAnswer: boolean;
}

export interface TurnResult {
  /** The answer counts (ok, or stopped early by the client's rule): the session goes on. */
  ok: boolean;
  /** The answer's text, when asked for (keepAnswer) and ok. */
  answer?: string;
}

export interface SessionHost {
  readonly clock: Clock;
  /** Sends one turn; resolves once it is recorded. Never rejects. */
  sendTurn(t: TurnRequest): Promise<TurnResult>;
  /**
   * Asked before every turn after the first: false ends the session (the run is stopping, the
   * request budget is spent, the pool shrank). A promise when the answer must wait (a paused run).
   */
  mayContinue(): boolean | Promise<boolean>;
  /** The pause before the next turn, ms (drawn per gap). */
  thinkMs(): number;
  /** Aborted when the run stops: a think time in progress ends at once. */
  readonly stopped: AbortSignal;
}

export interface SessionOptions {
  session: number;
  /** When the first turn was due (the slot grant, or the open-loop arrival). */
  firstDueMs: number;
  history: HistoryMode;
  /**
   * Mark the last user message as a cache breakpoint (Anthropic's cache_control), so a server
   * that caches only marked prefixes caches the conversation as it grows, as Anthropic's
   * documentation advises for multi-turn chats. Earlier user messages lose the mark (a request
   * may carry at most 4).
   */
  markLastUser?: boolean;
}

export type SessionEnd =
  /** Every turn was answered. */
  | 'completed'
  /** A turn failed (or was cancelled or dropped): the conversation cannot go on without its answer. */
  | 'failed'
  /** The host said stop (run stopping, budget spent, pool shrank) before the last turn. */
  | 'cut';

export interface SessionResult {
  end: SessionEnd;
  /** Turns sent. */
  sent: number;
}

/** Sleeps `ms` on `clock`; false when `signal` aborted first (or already had). */
function think(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      timer.clear();
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function playSession(script: SessionScript, opts: SessionOptions, host: SessionHost): Promise<SessionResult> {
  const { turns } = script;
  // The conversation as later turns send it: system, then user and assistant turns in order.
  const history: ChatMessage[] = script.system !== undefined && script.system !== '' ? [{ role: 'system', content: script.system }] : [];
  let dueMs = opts.firstDueMs;
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i];
    if (t === undefined) break;
    if (i > 0) {
      const now = host.mayContinue();
      if (now === false) return { end: 'cut', sent: i };
      if (now !== true) {
        // A paused run: the turn is due when it resumes, not while it was paused.
        if (!(await now)) return { end: 'cut', sent: i };
        dueMs = Math.max(dueMs, host.clock.now());
      }
    }
    const last = i === turns.length - 1;
    const fromDataset = opts.history === 'dataset' && t.datasetReply !== undefined;
    const user: ChatMessage = { role: 'user', content: t.user };
    const sent: ChatMessage = opts.markLastUser === true ? { ...user, cachePrefixChars: t.user.length } : user;
    const result = await host.sendTurn({
      session: opts.session,
      turn: i + 1,
      turns: turns.length,
      messages: [...history, sent],
      ...(t.outputTokens !== undefined ? { outputTokens: t.outputTokens } : {}),
      ...(t.body !== undefined ? { body: t.body } : {}),
      dueMs,
      keepAnswer: !last && !fromDataset,
    });
    // A turn cancelled because the run stopped did not fail: the session was cut.
    if (!result.ok) return { end: host.stopped.aborted ? 'cut' : 'failed', sent: i + 1 };
    if (last) break;
    history.push(user, { role: 'assistant', content: fromDataset ? (t.datasetReply ?? '') : (result.answer ?? '') });
    const pause = Math.max(0, host.thinkMs());
    const answeredAt = host.clock.now();
    if (!(await think(host.clock, pause, host.stopped))) return { end: 'cut', sent: i + 1 };
    dueMs = answeredAt + pause;
  }
  return { end: 'completed', sent: turns.length };
}
